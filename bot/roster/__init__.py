"""Roster files: reading CSV/XLSX safely, and importing them in short transactions."""

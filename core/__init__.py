"""Shared infrastructure at the bottom of the stack: settings, WeChat's XML, signatures
and API client, local time, geography, and the message catalog. Imports nothing of
partybot's other packages (DESIGN.md section 3)."""

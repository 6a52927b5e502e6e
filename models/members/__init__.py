"""Members and the org tree: tables, binding, roster import, menu tags, listings."""

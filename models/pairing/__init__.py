"""一帮一: pairs, matching suggestions, relays and reports."""

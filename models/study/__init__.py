"""Study content: items, posting and drafts, reading, feedback, reports."""

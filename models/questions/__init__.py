"""Members' questions for their branch admin."""

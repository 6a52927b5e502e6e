"""党建考核: schemes (items, clauses, points, how each is scored) and score sheets."""

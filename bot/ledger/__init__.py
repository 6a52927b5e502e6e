"""台账: the 三会一课 ledger workbooks (one branch, or every branch below an org)."""

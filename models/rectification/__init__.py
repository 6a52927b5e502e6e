"""整顿台账: the county's ledger of weak (软弱涣散) branches and their problems, each
rectified by its deadline, closed (销号) with evidence, until the county confirms the
branch leaves the list."""

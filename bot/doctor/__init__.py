"""`partybot doctor`: the configuration checked against reality, one small check a
line, each saying what is wrong and what to do (bot/doctor/checks.py lists them)."""

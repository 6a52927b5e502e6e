"""Scheduled work: the job registry and the scheduler process (`partybot scheduler`)."""

"""三会一课: meetings, invites, attendance, check-in codes, notices, compliance and trends."""

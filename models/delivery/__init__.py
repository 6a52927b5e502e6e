"""Outbound notices: the outbox and its channel policy, claims, allowances, held
notices, reach, the access token and the rest of long replies."""

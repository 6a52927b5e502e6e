"""Database plumbing: declarative base, engine and sessions, locks, the webhook's raw
statements, the inbound-message log, heartbeat, stored files, the migration check."""

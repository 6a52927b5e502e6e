"""The console's accounts, logins, sessions and the audit log."""

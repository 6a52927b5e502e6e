"""The `partybot` command line."""

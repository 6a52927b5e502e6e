"""The sandbox: a fake WeChat API and a chat page, for trying partybot without an account."""

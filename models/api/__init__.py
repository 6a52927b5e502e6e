"""The mini-program's sign-in: who opened it (its own openid, linked to a member) and the
Bearer tokens partybot gives it (models.api.tokens)."""

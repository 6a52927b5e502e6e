"""`python -m bot.cli`: the same as the `partybot` command."""

from bot.cli.main import main

main()

"""The administrative `partybot` commands, one module per area (registered on the main
group by bot/cli/main.py)."""

from __future__ import annotations

from bot.cli.assess import assess
from bot.cli.assess_inspectors import inspector
from bot.cli.doctor import doctor
from bot.cli.joint import joint
from bot.cli.ledger import export
from bot.cli.members import console_user, member
from bot.cli.menu import menu, qr
from bot.cli.orgs import org, org_admin
from bot.cli.pairs import pairs
from bot.cli.rectify import rectify
from bot.cli.reviews import review
from bot.cli.roster import import_roster_cmd

COMMANDS = [import_roster_cmd, menu, qr, export, org, org_admin, member, pairs, console_user]
COMMANDS += [doctor]  # issue 27
COMMANDS += [rectify]  # issue 28: 整顿台账
COMMANDS += [review]  # issue 28: 述职评议
COMMANDS += [joint]  # issue 28 (双联双促)
COMMANDS += [assess]  # issue 28
assess.add_command(inspector)  # issue 28: partybot assess inspector add|remove|list

"""`partybot pairs suggest|apply`: 一帮一 matching from the command line."""

from __future__ import annotations

import click

from bot.cli.own_command import partybot_command
from bot.cli.support import database, one_org
from core import texts


@click.group()
def pairs() -> None:
    """一帮一 matching: suggest pairs, then apply them."""


@pairs.command("suggest")
@click.option("--org", "org_name", default=None, help="Only branches under this org.")
def pairs_suggest(org_name: str | None) -> None:
    """Propose a helper for every member who needs one (saved for `pairs apply`)."""
    from sqlalchemy import select

    from models.actors import Actor
    from models.db.base import utcnow
    from models.members.orgs import branches_under
    from models.members.tables import Member
    from models.pairing.actions import generate_suggestions

    with database() as (settings, session):
        branch_ids = None
        if org_name:
            branch_ids = [b.id for b in branches_under(session, one_org(session, org_name).id)]
        found, suggestions, unmatched = generate_suggestions(
            session, Actor.cli(), branch_ids, utcnow(), settings.helper_capacity)
        session.commit()
        names: dict[int, str] = {}
        if len(found.needing) <= 500:  # a list longer than that helps nobody on a terminal
            ids = [s.member_id for s in suggestions] + [s.helper_id for s in suggestions] \
                + [u.member_id for u in unmatched]
            names = {member_id: name for member_id, name in session.execute(
                select(Member.id, Member.name).where(Member.id.in_(ids)))}
    click.echo(texts.CLI_PAIRS_SUMMARY.format(needing=len(found.needing),
                                              helpers=len(found.helpers),
                                              suggested=len(suggestions),
                                              unmatched=len(unmatched)))
    if names:
        for s in suggestions:
            click.echo(texts.CLI_PAIR_LINE.format(helper=names[s.helper_id],
                                                  member=names[s.member_id], reason=s.reason))
        for u in unmatched:
            click.echo(texts.CLI_PAIR_UNMATCHED.format(member=names[u.member_id],
                                                       reason=u.reason))
    click.echo(texts.CLI_PAIRS_CONFIRM.format(command=partybot_command()))


@pairs.command("apply")
def pairs_apply() -> None:
    """Make the suggested pairs real."""
    from models.actors import Actor
    from models.db.base import utcnow
    from models.pairing.actions import apply_suggestions

    with database() as (settings, session):
        result = apply_suggestions(session, Actor.cli(), utcnow(), settings.helper_capacity)
        session.commit()
    click.echo(texts.CLI_PAIRS_APPLIED.format(made=len(result.made),
                                              skipped=len(result.skipped)))
    for member, why in result.skipped[:50]:
        click.echo(texts.CLI_PAIR_SKIPPED.format(member=member, why=why))

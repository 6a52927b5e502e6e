"""`partybot org add|tree` and `partybot org-admin`: the org tree and its admins."""

from __future__ import annotations

import click

from bot.cli.support import database, one_org
from core import texts, words


@click.group()
def org() -> None:
    """The org tree: committees, general branches, branches."""


@org.command("add")
@click.argument("name")
@click.option("--parent", "parent_name", default=None,
              help="The org it belongs to (e.g. the county committee); none: at the top.")
@click.option("--kind", type=click.Choice(["committee", "general_branch", "branch"]),
              default=None, help="What it is; needed when the name does not end in its "
              "kind (a bare village name, say).")
def org_add(name: str, parent_name: str | None, kind: str | None) -> None:
    """Add an org to the tree (the console's 组织架构 page does the same)."""
    from models.actors import Actor
    from models.db.base import utcnow
    from models.members.actions import create_org

    with database() as (_, session):
        parent = one_org(session, parent_name) if parent_name else None
        made = create_org(session, Actor.cli(), name, parent, kind, utcnow())
        session.commit()
        click.echo(texts.CLI_ORG_ADDED.format(
            name=made.name, kind=words.ORG_KIND_NAMES[made.kind],
            parent=parent.name if parent else words.ORG_TOP))


@org.command("tree")
@click.option("--org", "org_name", default=None, help="Only this org and what is below it.")
def org_tree(org_name: str | None) -> None:
    """Print the tree with each org's member count."""
    from sqlalchemy import select

    from models.members.org_tables import Org, OrgKind
    from models.members.org_tree import tree_below

    with database(write=False) as (_, session):
        if org_name:
            roots = [one_org(session, org_name).id]
        else:
            roots = list(session.scalars(select(Org.id).where(
                Org.parent_id.is_(None), Org.kind != OrgKind.GROUP).order_by(Org.name)))
        for root in roots:
            for node in tree_below(session, root):
                click.echo(texts.CLI_ORG_TREE_LINE.format(
                    indent="  " * node.depth, name=node.name, kind=node.kind_name,
                    members=node.members))


@click.command("org-admin")
@click.option("--org", "org_name", required=True, help="The org (e.g. a township committee).")
@click.option("--member", "member_name", required=True, help="The member's name.")
@click.option("--phone", default=None, help="The member's phone, if the name is not unique.")
def org_admin(org_name: str, member_name: str, phone: str | None) -> None:
    """Make a member an admin of an org (township/county staff: warnings, digests)."""
    from models.actors import Actor
    from models.db.base import utcnow
    from models.members.actions import appoint_org_admin
    from models.members.queries import find_member

    with database() as (_, session):
        org = one_org(session, org_name)
        found = find_member(session, None, member_name, phone)
        appoint_org_admin(session, Actor.cli(), org, found, utcnow())
        session.commit()
    click.echo(texts.CLI_ORG_ADMIN_DONE.format(member=member_name, org=org_name))

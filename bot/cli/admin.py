"""The administrative `partybot` commands: roster import, menu, QR codes, the ledger,
org admins and 一帮一 matching (registered on the main group in bot/cli.py)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from bot.cli.support import database, one_org, require_migrated, runtime, settings_or_exit
from core import texts, words


@click.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--parent", "parent_name", default=None,
              help="Org (e.g. a township committee) under which new branches are created.")
def import_roster_cmd(file: Path, parent_name: str | None) -> None:
    """Import a CSV or XLSX roster; all or nothing, safe to re-run."""
    from bot.roster.importing import RosterRejected, import_roster
    from models.db.engine import make_engine
    from models.members.roster import RosterError

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(texts.CLI_PROGRESS.format(stage=stage, done=done, total=total), err=True)

    # All or nothing, in short transactions: see bot/roster/importing.py.
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        require_migrated(engine)
        report = import_roster(engine, file, parent_name, progress)
    except RosterError as exc:
        raise click.ClickException(
            texts.CLI_IMPORT_FILE_ERROR.format(file=file.name, error=exc)) from None
    except RosterRejected as exc:
        click.echo(texts.CLI_IMPORT_ROWS_ERROR.format(file=file.name,
                                                      count=len(exc.problems)), err=True)
        for problem in exc.problems[:50]:
            click.echo(f"  {problem}", err=True)
        if len(exc.problems) > 50:
            click.echo(texts.CLI_IMPORT_MORE_ERRORS.format(count=len(exc.problems) - 50),
                       err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    for warning in report.warnings:
        click.echo(texts.CLI_NOTE.format(text=warning), err=True)
    click.echo(texts.CLI_IMPORT_DONE.format(created=report.created, updated=report.updated,
                                            unchanged=report.unchanged,
                                            orgs=len(report.orgs_created)))
    for name in report.orgs_created:
        click.echo(texts.CLI_ORG_CREATED.format(name=name))
    for line in report.orgs_moved:
        click.echo(texts.CLI_ORG_MOVED.format(text=line))


def _call_wechat(action: str, call: Any) -> Any:
    """Run one API call from the CLI; WeChat's answer as a clear error if it fails."""
    import requests
    from wechatpy.exceptions import WeChatClientException

    from core.wechat import TokenFetchError

    try:
        return call()
    except TokenFetchError as exc:
        raise click.ClickException(f"{action}: no access token: {exc}") from None
    except WeChatClientException as exc:
        raise click.ClickException(f"{action}: WeChat answered {exc.errcode} {exc.errmsg}") \
            from None
    except requests.RequestException as exc:
        raise click.ClickException(
            f"{action}: cannot reach the WeChat API ({type(exc).__name__}); in sandbox mode "
            "`partybot serve` (or `run`) must be running") from None


@click.group()
def menu() -> None:
    """The account menu."""


@menu.command("publish")
def menu_publish() -> None:
    """Publish the menus in bot/menu.py (one per role, chosen by user tag) and tag members."""
    from bot.menu import all_menus, publish_menus
    from handlers import dispatcher
    from schedules.menu_tags import sync_menu_tags

    _check_menus(all_menus(), dispatcher)
    with runtime() as built:
        with built.sessions() as session:
            ids = _call_wechat("menu publish", lambda: publish_menus(built.wechat, session))
            session.commit()
        click.echo(texts.CLI_MENU_PUBLISHED.format(
            tags=words.LIST_SEP.join(
                texts.CLI_MENU_TAG.format(name=words.MENU_TAG_NAMES[role], id=tag_id)
                for role, tag_id in ids.items())))
        tagged = failed = 0
        while True:  # a county's first publish: 2,000 members a round
            run = sync_menu_tags(built)
            tagged, failed = tagged + run.tagged, failed + run.failed
            click.echo(texts.CLI_MENU_TAGGING.format(tagged=tagged, failed=failed), err=True)
            if run.tagged + run.failed == 0:
                break
    click.echo(texts.CLI_MENU_TAGGED.format(tagged=tagged, failed=failed))


def _check_menus(menus: dict[str, Any], dispatcher: Any) -> None:
    from bot.menu import MenuError, missing_commands, validate_menu

    for name, menu in menus.items():
        try:
            validate_menu(menu)
        except MenuError as exc:
            raise click.ClickException(
                f"the {name} menu breaks WeChat's limits: {exc}") from None
        for word in missing_commands(menu, dispatcher):
            click.echo(texts.CLI_MENU_UNKNOWN_COMMAND.format(word=word), err=True)


@click.command("qr")
@click.argument("scene")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--permanent", is_flag=True, help="QR_LIMIT_STR_SCENE (default: 30-day code).")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 30))
def qr(scene: str, out: Path, permanent: bool, days: int) -> None:
    """Create a parametric QR code for SCENE and save a printable PNG."""
    from bot.qrcodes import create_scene_qr, render_png

    with runtime() as built:
        _check_meeting_scene(built, scene)
        try:
            code = _call_wechat("qr", lambda: create_scene_qr(
                built.wechat, scene, permanent, days * 86400))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        render_png(code, out)
    validity = texts.CLI_QR_PERMANENT if permanent else texts.CLI_QR_DAYS.format(days=days)
    click.echo(texts.CLI_QR_SAVED.format(path=out, scene=scene, validity=validity))


def _check_meeting_scene(built: Any, scene: str) -> None:
    """A meeting's QR code names a meeting that exists and is still open: a code
    printed for a typo would check nobody in."""
    from models.meetings.tables import QR_SCENE_PREFIX, Meeting, MeetingStatus

    if not scene.startswith(QR_SCENE_PREFIX):
        return
    number = scene[len(QR_SCENE_PREFIX):]
    with built.sessions() as session:
        meeting = session.get(Meeting, int(number)) if number.isdigit() \
            and len(number) <= 9 else None
        if meeting is None or meeting.status != MeetingStatus.PLANNED:
            raise click.ClickException(texts.CLI_QR_NO_MEETING.format(id=number[:20]))


@click.group()
def export() -> None:
    """Exports (the 台账 ledger)."""


@export.command("ledger")
@click.option("--org", "org_name", required=True, help="The branch name.")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_ledger_cmd(org_name: str, start: datetime, end: datetime, out: Path) -> None:
    """Write a branch's 三会一课 ledger (meetings + attendance matrix) as XLSX."""
    from bot.ledger.branch import export_ledger
    from core.notices import names_list
    from models.members.org_tables import OrgKind
    from models.members.orgs import branches_under

    if end < start:
        raise click.ClickException(texts.CLI_LEDGER_DATES)
    if out.suffix.lower() != ".xlsx":
        raise click.ClickException(texts.CLI_LEDGER_SUFFIX)
    with database(write=False) as (settings, session):
        org = one_org(session, org_name)
        if org.kind != OrgKind.BRANCH:
            below = names_list([b.name for b in branches_under(session, org.id)], 10)
            raise click.ClickException(texts.CLI_LEDGER_NEEDS_BRANCH.format(
                name=org_name, below=below or texts.CLI_NONE))
        summary = export_ledger(session, org, start.date(), end.date(), settings.tz, out)
    click.echo(texts.CLI_LEDGER_DONE.format(path=summary.path, branch=summary.branch,
                                            meetings=summary.meetings, members=summary.members))


@click.group()
def org() -> None:
    """The org tree: committees, general branches, branches."""


@org.command("add")
@click.argument("name")
@click.option("--parent", "parent_name", default=None,
              help="The org it belongs to (e.g. the county committee); none: at the top.")
@click.option("--kind", type=click.Choice(["committee", "general_branch", "branch"]),
              default=None, help="What it is; by default read from how the name ends "
              "(general branch, branch, else a committee).")
def org_add(name: str, parent_name: str | None, kind: str | None) -> None:
    """Add an org to the tree (the console's 组织架构 page does the same)."""
    from models.members.org_tree import create_org

    with database() as (_, session):
        parent = one_org(session, parent_name) if parent_name else None
        made = create_org(session, name, parent, kind)
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
    from sqlalchemy import select

    from models.members.orgs import make_org_admin
    from models.members.tables import Member

    with database() as (_, session):
        org = one_org(session, org_name)
        query = select(Member).where(Member.name == member_name)
        if phone:
            query = query.where(Member.phone.endswith(phone))
        members = list(session.scalars(query))
        if len(members) != 1:
            raise click.ClickException(
                texts.CLI_MEMBERS_FOUND.format(count=len(members), name=member_name)
                + (texts.CLI_ADD_PHONE if members else ""))
        make_org_admin(session, org, members[0].id)
        session.commit()
    click.echo(texts.CLI_ORG_ADMIN_DONE.format(member=member_name, org=org_name))


@click.group()
def member() -> None:
    """Members: release a member's WeChat (a new phone)."""


@member.command("unbind")
@click.argument("name")
@click.option("--branch", "branch_name", required=True, help="The member's branch.")
def member_unbind(name: str, branch_name: str) -> None:
    """Release NAME's WeChat so they can bind a new one (as the admin's 解绑)."""
    from models.db.base import utcnow
    from models.delivery.outbox import ChannelPolicy
    from models.members.binding import release_member
    from models.members.queries import find_member

    with database() as (settings, session):
        branch = one_org(session, branch_name)
        found = find_member(session, branch.id, name)
        released = release_member(session, found, ChannelPolicy(settings.templates), utcnow())
        session.commit()
    done = texts.CLI_UNBIND_DONE if released else texts.CLI_UNBIND_NOT_BOUND
    click.echo(done.format(name=name, branch=branch.name))


@click.group()
def pairs() -> None:
    """一帮一 matching: suggest pairs, then apply them."""


@pairs.command("suggest")
@click.option("--org", "org_name", default=None, help="Only branches under this org.")
def pairs_suggest(org_name: str | None) -> None:
    """Propose a helper for every member who needs one (saved for `pairs apply`)."""
    from sqlalchemy import select

    from models.db.base import utcnow
    from models.members.orgs import branches_under
    from models.members.tables import Member
    from models.pairing.matching import suggest_for

    with database() as (settings, session):
        branch_ids = None
        if org_name:
            branch_ids = [b.id for b in branches_under(session, one_org(session, org_name).id)]
        found, suggestions, unmatched = suggest_for(session, branch_ids, utcnow(),
                                                    settings.helper_capacity)
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
    click.echo(texts.CLI_PAIRS_CONFIRM)


@pairs.command("apply")
def pairs_apply() -> None:
    """Make the suggested pairs real."""
    from models.db.base import utcnow
    from models.pairing.matching import apply_suggestions

    with database() as (settings, session):
        result = apply_suggestions(session, utcnow(), settings.helper_capacity)
        session.commit()
    click.echo(texts.CLI_PAIRS_APPLIED.format(made=len(result.made),
                                              skipped=len(result.skipped)))
    for member, why in result.skipped[:50]:
        click.echo(texts.CLI_PAIR_SKIPPED.format(member=member, why=why))


@click.group("console-user")
def console_user() -> None:
    """Console password accounts (staff with no bound WeChat)."""


@console_user.command("add")
@click.argument("login")
@click.option("--org", "org_name", required=True, help="What the account sees: this org "
              "and everything below it.")
@click.option("--member", "member_name", default=None, help="The roster member it belongs to.")
def console_user_add(login: str, org_name: str, member_name: str | None) -> None:
    """Add a password account; the password is read from standard input, never an
    argument (it would be in the shell history and the process list)."""
    from sqlalchemy import select

    from models.console.accounts import add_console_user
    from models.db.base import utcnow
    from models.members.tables import Member

    password = _read_password()
    with database() as (settings, session):
        org = one_org(session, org_name)
        member = None
        if member_name:
            found = list(session.scalars(select(Member).where(Member.name == member_name)))
            if len(found) != 1:
                raise click.ClickException(
                    texts.CLI_MEMBERS_FOUND.format(count=len(found), name=member_name))
            member = found[0]
        add_console_user(session, login, password, org, member, utcnow())
        session.commit()
        url = f"{settings.public_url or 'http://127.0.0.1:5000'}/admin/login"
    click.echo(texts.CLI_CONSOLE_USER_ADDED.format(login=login, org=org_name, url=url))


@console_user.command("password")
@click.argument("login")
def console_user_password(login: str) -> None:
    """Give a password account a new password (read from standard input); every console
    session of the account ends, so whoever knew the old one is logged out too."""
    from models.console.accounts import change_password
    from models.db.base import utcnow

    password = _read_password()
    with database() as (_settings, session):
        ended = change_password(session, login, password, utcnow())
        session.commit()
    click.echo(texts.CLI_CONSOLE_PASSWORD_CHANGED.format(login=login, ended=ended))


def _read_password() -> str:
    """A password from standard input: not echoed at a terminal, never an argument."""
    from models.console.accounts import PASSWORD_MIN

    if sys.stdin.isatty():
        click.echo(texts.CLI_CONSOLE_PASSWORD_PROMPT.format(minimum=PASSWORD_MIN), err=True,
                   nl=False)
        password = click.prompt("", hide_input=True, prompt_suffix="", show_default=False,
                                err=True)
    else:
        password = sys.stdin.readline()
    password = password.rstrip("\r\n")
    if not password:
        raise click.ClickException(texts.CLI_CONSOLE_PASSWORD_EMPTY)
    return password


COMMANDS = [import_roster_cmd, menu, qr, export, org, org_admin, member, pairs, console_user]

"""The administrative `partybot` commands: roster import, menu, QR codes, the ledger,
org admins and 一帮一 matching (registered on the main group in bot/cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bot.cli_support import settings_or_exit


@click.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--parent", "parent_name", default=None,
              help="Org (e.g. a township committee) under which new branches are created.")
def import_roster_cmd(file: Path, parent_name: str | None) -> None:
    """Import a CSV or XLSX roster; all or nothing, safe to re-run."""
    from bot.roster_file import RosterRejected, import_roster
    from models.base import make_engine, write_session
    from models.roster import RosterError

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(f"  {stage} {done}/{total} 行…", err=True)

    try:
        # One transaction for the whole file: all or nothing.
        with write_session(engine) as session:
            try:
                report = import_roster(session, file, parent_name, progress)
            except RosterError as exc:
                session.rollback()
                raise click.ClickException(f"{file.name}：{exc}。没有写入任何数据。") from None
            except RosterRejected as exc:
                session.rollback()
                click.echo(f"{file.name} 有 {len(exc.problems)} 行错误，没有写入任何数据：",
                           err=True)
                for problem in exc.problems[:50]:
                    click.echo(f"  {problem}", err=True)
                if len(exc.problems) > 50:
                    click.echo(f"  …另有 {len(exc.problems) - 50} 行错误", err=True)
                sys.exit(1)
            session.commit()
    finally:
        engine.dispose()
    for warning in report.warnings:
        click.echo(f"注意：{warning}", err=True)
    click.echo(f"导入完成：新增 {report.created} 人，更新 {report.updated} 人，"
               f"未变 {report.unchanged} 人；新建组织 {len(report.orgs_created)} 个。")
    for name in report.orgs_created:
        click.echo(f"  新建组织：{name}")


def _call_wechat(action: str, call: Any) -> Any:
    """Run one API call from the CLI; WeChat's answer as a clear error if it fails."""
    import requests
    from wechatpy.exceptions import WeChatClientException

    from bot.wechat import TokenFetchError

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
    """Publish the menu defined in bot/menu.py to the account."""
    from bot.menu import MENU, MenuError, missing_commands, validate_menu
    from bot.services import build_services

    services = build_services(settings_or_exit())
    try:
        try:
            validate_menu(MENU)
        except MenuError as exc:
            raise click.ClickException(f"the menu breaks WeChat's limits: {exc}") from None
        for word in missing_commands(MENU, services.inbox.dispatcher):
            click.echo(f"注意：菜单里的「{word}」还没有对应的命令，点了会提示“没有听懂”", err=True)
        _call_wechat("menu publish", lambda: services.wechat.menu.create(MENU))
    finally:
        services.dispose()
    click.echo("菜单已发布。")


@click.command("qr")
@click.argument("scene")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--permanent", is_flag=True, help="QR_LIMIT_STR_SCENE (default: 30-day code).")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 30))
def qr(scene: str, out: Path, permanent: bool, days: int) -> None:
    """Create a parametric QR code for SCENE and save a printable PNG."""
    from bot.qrcodes import create_scene_qr, render_png
    from bot.services import build_services

    services = build_services(settings_or_exit())
    try:
        try:
            code = _call_wechat("qr", lambda: create_scene_qr(
                services.wechat, scene, permanent, days * 86400))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        render_png(code, out)
    finally:
        services.dispose()
    click.echo(f"二维码已保存：{out}（场景 {scene}，"
               f"{'永久' if permanent else f'{days} 天有效'}）")


def _one_org(session: Any, name: str) -> Any:
    from models.org import find_org

    found = find_org(session, name)
    if not found:
        raise click.ClickException(f"找不到组织「{name}」")
    if len(found) > 1:
        raise click.ClickException(f"有 {len(found)} 个组织叫「{name}」，无法确定是哪一个")
    return found[0]


@click.group()
def export() -> None:
    """Exports (the 台账 ledger)."""


@export.command("ledger")
@click.option("--org", "org_name", required=True, help="The branch (党支部) name.")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_ledger_cmd(org_name: str, start: Any, end: Any, out: Path) -> None:
    """Write a branch's 三会一课 ledger (meetings + attendance matrix) as XLSX."""
    from bot.ledger import export_ledger
    from models.base import make_engine, make_session_factory
    from models.org import OrgKind, branches_under

    if end < start:
        raise click.ClickException("--to 不能早于 --from")
    if out.suffix.lower() != ".xlsx":
        raise click.ClickException("--out 请用 .xlsx 文件名")
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            org = _one_org(session, org_name)
            if org.kind != OrgKind.BRANCH:
                below = "、".join(b.name for b in branches_under(session, org.id)[:10])
                raise click.ClickException(
                    f"台账按党支部导出；「{org_name}」下的支部有：{below or '（无）'}")
            summary = export_ledger(session, org, start.date(), end.date(), settings.tz, out)
    finally:
        engine.dispose()
    click.echo(f"台账已导出：{summary.path}（{summary.branch}，{summary.meetings} 次会议，"
               f"{summary.members} 名党员）")


@click.command("org-admin")
@click.option("--org", "org_name", required=True, help="The org (e.g. a township committee).")
@click.option("--member", "member_name", required=True, help="The member's name.")
@click.option("--phone", default=None, help="The member's phone, if the name is not unique.")
def org_admin(org_name: str, member_name: str, phone: str | None) -> None:
    """Make a member an admin of an org (township/county staff: warnings, digests)."""
    from sqlalchemy import select

    from models.base import make_engine, write_session
    from models.member import Member
    from models.org import OrgAdmin

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with write_session(engine) as session:
            org = _one_org(session, org_name)
            query = select(Member).where(Member.name == member_name)
            if phone:
                query = query.where(Member.phone.endswith(phone))
            members = list(session.scalars(query))
            if len(members) != 1:
                raise click.ClickException(
                    f"找到 {len(members)} 位叫「{member_name}」的党员" +
                    ("，请加 --phone 区分" if members else ""))
            exists = session.scalar(select(OrgAdmin).where(OrgAdmin.org_id == org.id,
                                                           OrgAdmin.member_id == members[0].id))
            if exists is None:
                session.add(OrgAdmin(org_id=org.id, member_id=members[0].id))
            session.commit()
    finally:
        engine.dispose()
    click.echo(f"{member_name} 现在是「{org_name}」的管理员。")


@click.group()
def pairs() -> None:
    """一帮一 matching: suggest pairs, then apply them."""


@pairs.command("suggest")
@click.option("--org", "org_name", default=None, help="Only branches under this org.")
def pairs_suggest(org_name: str | None) -> None:
    """Propose a helper for every member who needs one (saved for `pairs apply`)."""
    from sqlalchemy import select

    from models.base import make_engine, utcnow, write_session
    from models.member import Member
    from models.org import branches_under
    from models.pairing import matching_input, save_suggestions, suggest_pairs

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with write_session(engine) as session:
            branch_ids = None
            if org_name:
                branch_ids = [b.id for b in branches_under(session, _one_org(session,
                                                                             org_name).id)]
            found = matching_input(session, branch_ids, settings.helper_capacity)
            suggestions, unmatched = suggest_pairs(found.needing, found.helpers, found.load,
                                                   found.capacity)
            save_suggestions(session, suggestions, [p.id for p in found.needing], utcnow())
            session.commit()
            names = dict(session.execute(select(Member.id, Member.name).where(Member.id.in_(
                [s.member_id for s in suggestions] + [s.helper_id for s in suggestions]
                + [u.member_id for u in unmatched]))).all()) if len(found.needing) <= 500 \
                else {}
    finally:
        engine.dispose()
    click.echo(f"需要帮扶、还没有帮扶人的党员 {len(found.needing)} 人；可用帮扶人 "
               f"{len(found.helpers)} 人。建议结对 {len(suggestions)} 对，"
               f"无法匹配 {len(unmatched)} 人。")
    if names:
        for s in suggestions:
            click.echo(f"  {names[s.helper_id]} → {names[s.member_id]}（{s.reason}）")
        for u in unmatched:
            click.echo(f"  无法匹配：{names[u.member_id]}（{u.reason}）")
    click.echo("确认无误后运行 `partybot pairs apply` 生效。")


@pairs.command("apply")
def pairs_apply() -> None:
    """Make the suggested pairs real."""
    from models.base import make_engine, utcnow, write_session
    from models.pairing import apply_suggestions

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with write_session(engine) as session:
            result = apply_suggestions(session, utcnow(), settings.helper_capacity)
            session.commit()
    finally:
        engine.dispose()
    click.echo(f"已结对 {len(result.made)} 对，跳过 {len(result.skipped)} 人。")
    for member, why in result.skipped[:50]:
        click.echo(f"  跳过 {member}：{why}")


COMMANDS = [import_roster_cmd, menu, qr, export, org_admin, pairs]

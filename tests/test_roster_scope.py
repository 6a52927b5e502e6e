"""A roster upload stays within the account's scope (issue 23, items 1 and 10): rows that
name a member of another branch or township are refused by line, names resolve within
the account's own orgs first, and every import — console or CLI — is audited."""

from __future__ import annotations

import getpass

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from models.actors import Actor
from models.console.accounts import ConsoleUser
from models.console.audit import AuditEntry
from models.members.org_tables import Org
from models.members.tables import Member
from tests.factories import make_branch, make_member
from tests.procs import command_env
from tests.test_console_meetings import logged_in
from tests.test_console_roster import HEADER, upload


def _member(session, name: str) -> Member:  # type: ignore[no-untyped-def]
    session.rollback()  # a fresh read sees the import's commits
    session.expire_all()
    return session.scalars(select(Member).where(Member.name == name)).one()


def _far_secretary(session, county) -> None:  # type: ignore[no-untyped-def]
    make_member(session, session.get(Org, county["far"]), "周书记", "13800000011",
                openid="o-zhou", is_admin=True, committee_posts="书记")
    session.commit()


def _imports(session) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.import")
                                .order_by(AuditEntry.id)))


def test_a_secretary_cannot_take_over_another_branchs_member(app, session, county):
    _far_secretary(session, county)
    secretary = logged_in(app, "liaoyuan")
    assert "不能在这里修改" in secretary.get("/admin/roster").get_data(as_text=True)
    page = upload(secretary, HEADER + "新人,辽原村党支部,,13900000001,,,,\n"
                  "周书记,辽原村党支部,,13800000011,,,,\n").get_data(as_text=True)
    assert "1 行有错误，没有导入任何数据" in page
    assert "第 3 行：「周书记」（手机 13800000011）是你管理范围以外的党员，不能在这里修改" in page
    zhou = _member(session, "周书记")
    assert (zhou.branch_id, zhou.is_admin, zhou.committee_posts) == (county["far"], True, "书记")
    assert session.scalars(select(Member).where(Member.name == "新人")).all() == []
    assert _imports(session) == []  # nothing was imported, nothing to audit
    # The same name with another phone is another person: a new member of her branch.
    other = upload(secretary, HEADER + "周书记,辽原村党支部,,13900000002,,,,\n")
    assert "导入完成：新增 1 人" in other.get_data(as_text=True)
    session.rollback()
    assert sorted(m.branch_id for m in session.scalars(
        select(Member).where(Member.name == "周书记"))) == sorted([county["far"],
                                                                county["liaoyuan"]])


def test_township_staff_cannot_reach_into_the_other_township(app, session, county):
    township = logged_in(app, "east-it")
    page = upload(township, HEADER + "赵远,辽原村党支部,第一党小组,13800000004,管理员,,,\n"
                  "张明,辽原村党支部,,13800000002,,,,\n").get_data(as_text=True)
    assert "第 2 行：「赵远」（手机 13800000004）是你管理范围以外的党员" in page
    assert "第 3 行" not in page  # 张明 is the township's own
    zhao = _member(session, "赵远")
    assert (zhao.branch_id, zhao.is_admin) == (county["far"], False)
    assert _member(session, "张明").group_id == county["group"]  # nothing written


def test_a_console_import_is_audited_with_its_account_and_a_summary(app, session, county):
    secretary = logged_in(app, "liaoyuan")
    assert "不能在这里修改" in secretary.get("/admin/roster").get_data(as_text=True)
    page = upload(secretary, HEADER + "新人,辽原村党支部,,13900000001,,,,\n"
                  "张明,辽原村党支部,,13800000002,帮扶人,,,\n"
                  "刘芳,辽原村党支部,,13800000003,,,,\n").get_data(as_text=True)
    assert "导入完成：新增 1 人，更新 1 人，未变 1 人" in page
    [entry] = _imports(session)
    user = session.scalars(select(ConsoleUser).where(ConsoleUser.login == "liaoyuan")).one()
    assert (entry.actor_key, entry.actor_name, entry.org_id) == (
        f"user:{user.id}", "liaoyuan", county["liaoyuan"])
    assert entry.target == "名册.csv"
    assert entry.after is not None
    assert entry.after == {"added": 1, "changed": 1, "moved": 0, "removed": 0,
                           "unchanged": 1}
    log = secretary.get("/admin/audit").get_data(as_text=True)
    assert "导入名册" in log and "名册.csv" in log
    assert '<span class="field">新增</span>：<span class="now">1</span>' in log  # issue 25
    # Township staff see it too; the other township does not.
    assert "导入名册" in logged_in(app, "east-it").get("/admin/audit").get_data(as_text=True)
    assert "导入名册" not in logged_in(app, "west-it").get("/admin/audit").get_data(
        as_text=True)


def test_the_cli_keeps_its_county_wide_power_and_is_audited(database_url, tmp_path,
                                                            monkeypatch, session, county):
    _far_secretary(session, county)
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "县里.csv"
    path.write_text(HEADER + "周书记,辽原村党支部,,13800000011,,,,\n", encoding="utf-8-sig")
    result = CliRunner().invoke(main, ["import-roster", str(path)])
    assert result.exit_code == 0, result.output
    zhou = _member(session, "周书记")
    assert (zhou.branch_id, zhou.is_admin) == (county["liaoyuan"], False)  # as before
    # Filed where everyone who sees the change sees it: 周书记 left the west's branch
    # for the east's, and the two townships share no org above them, so once in each
    # branch (their secretaries and townships see it).
    entries = _imports(session)
    assert sorted(e.org_id for e in entries) == sorted([county["liaoyuan"], county["far"]])
    for entry in entries:
        assert (entry.actor_key, entry.actor_name) == (f"cli:{getpass.getuser()}", "命令行")
        assert entry.target == "县里.csv" and entry.after is not None
        assert (entry.after["moved"], entry.after["changed"]) == (1, 1)


def test_a_branch_name_used_in_another_township_resolves_within_the_account(
        app, session, county, tmp_path):
    west = session.get(Org, session.get(Org, county["far"]).parent_id)
    twin = make_branch(session, "辽原村党支部", west)
    make_member(session, twin, "王五", None)
    session.commit()
    for login in ("east-it", "liaoyuan"):
        page = upload(logged_in(app, login), HEADER + "张明,辽原村党支部,,13800000002,,,,\n"
                      "王五,辽原村党支部,,,,,,\n").get_data(as_text=True)
        assert "系统里有" not in page and "导入完成" in page, page
    session.rollback()
    wangs = session.scalars(select(Member).where(Member.name == "王五")).all()
    # West's phoneless 王五 is not east's: east got its own, once.
    assert sorted(m.branch_id for m in wangs) == sorted([twin.id, county["liaoyuan"]])
    assert _member(session, "张明").group_id is None
    # The CLI has no scope: without --parent the name is still ambiguous; with it, not.
    from bot.roster.importing import RosterRejected, import_roster

    path = tmp_path / "r.csv"
    path.write_text(HEADER + "刘芳,辽原村党支部,,13800000003,帮扶人,,,\n",
                    encoding="utf-8-sig")
    try:
        import_roster(session.get_bind(), path)
    except RosterRejected as exc:
        assert "系统里有 2 个叫「辽原村党支部」的支部" in str(exc.problems[0])
    else:
        raise AssertionError("ambiguous without --parent")
    import_roster(session.get_bind(), path, parent_name="东乡党委")
    assert _member(session, "刘芳").is_helper


def test_an_import_resumed_after_a_crash_lands_where_it_was_planned(session, county, clock):
    """The decision is taken (status `applying`) and the process dies: the next import
    finishes it with the same resolution of names, into the township's own branch."""
    from bot.roster.importing import finish_unfinished_imports
    from models.members.roster import RosterRow
    from models.members.roster_import import (
        Importer,
        commit_import,
        plan_roster,
        stage_rows,
        start_import,
    )

    west = session.get(Org, session.get(Org, county["far"]).parent_id)
    twin = make_branch(session, "辽原村党支部", west)  # the east's has the lower id
    session.commit()
    row = RosterRow(2, "新人", "辽原村党支部", None, "13900000001", False, False, None, None)
    importer = Importer(Actor.console("user:2", "west-it"), west.id, limited=True)
    plan = plan_roster(session, [row], importer)
    assert plan.problems == []
    import_id = start_import(session, "a.csv", west, plan, clock())
    stage_rows(session, import_id, plan.changes)
    commit_import(session, import_id)
    session.commit()
    finish_unfinished_imports(session.get_bind())
    assert _member(session, "新人").branch_id == twin.id


def test_a_committee_name_used_in_both_townships_resolves_within_the_account(
        app, session, county):
    from models.members.org_tables import OrgKind

    liaoyuan = session.get(Org, county["liaoyuan"])
    east = session.get(Org, liaoyuan.parent_id)
    west = session.get(Org, session.get(Org, county["far"]).parent_id)
    mine, theirs = (Org(name="机关党总支", kind=OrgKind.GENERAL_BRANCH, parent_id=parent.id)
                    for parent in (east, west))
    session.add_all([mine, theirs])
    session.commit()
    page = upload(logged_in(app, "east-it"), HEADER + "张明,辽原村党支部,,13800000002,,,,"
                  "机关党总支\n").get_data(as_text=True)
    moved = "「辽原村党支部」从「东乡党委」移到「机关党总支」下"
    assert "导入完成" in page and f"调整隶属：{moved}" in page
    session.rollback()
    session.expire_all()
    assert session.get(Org, county["liaoyuan"]).parent_id == mine.id
    [entry] = _imports(session)
    assert entry.after is not None
    assert entry.after["orgs_moved"] == moved
    assert entry.org_id == east.id  # above both where the branch was and where it is

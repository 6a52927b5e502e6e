"""Self-check and inspection marks, and the inspection group (巡视组): who may give
which mark on which org, the score's range, replacing a mark, evidence and the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.actors import Actor
from models.assessment.inspectors import Inspector, active_inspectors
from models.assessment.mark_actions import (
    MarkError,
    add_inspector,
    evidence_names,
    give_inspection,
    give_self_check,
    remove_inspector,
)
from models.assessment.marks import AssessmentMark, MarkSource, marks_for
from models.console.accounts import ConsoleUser
from models.console.audit import AuditEntry
from models.db.stored_files import ASSESSMENT, store_files
from models.members.org_tables import Org
from models.members.tables import Member
from tests.conftest import PG_URL
from tests.county_year import build_county

YEAR = 2026


@pytest.fixture
def c(session, clock):  # type: ignore[no-untyped-def]
    return build_county(session, clock())


def user(session, login: str) -> Actor:  # type: ignore[no-untyped-def]
    found = session.scalar(select(ConsoleUser).where(ConsoleUser.login == login))
    return Actor.console(f"user:{found.id}", login, found.member_id)


def org(session, org_id: int) -> Org:  # type: ignore[no-untyped-def]
    return session.get(Org, org_id)


def test_a_branch_scores_itself_and_nobody_else(session, clock, c):
    secretary = Actor.console(f"member:{c['secretary']}", "李书记", c["secretary"])
    mark = give_self_check(session, secretary, YEAR, "zc-1", org(session, c["liaoyuan"]),
                           8, "三会一课台账齐全", None, clock(), points=10)
    assert (mark.score, mark.given_by, mark.source) == (8, "李书记", "self_check")
    # the same from the chat (the secretary's member key) and again: replaced, audited twice
    chat = Actor.member(c["secretary"], "李书记")
    give_self_check(session, chat, YEAR, "zc-1", org(session, c["liaoyuan"]), 9.5,
                    "补齐了照片", None, clock(), points=10)
    session.commit()
    found = marks_for(session, YEAR, [c["liaoyuan"]])
    assert found[(c["liaoyuan"], "zc-1", MarkSource.SELF_CHECK)].score == 9.5
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["assessment.self_check"] * 2
    assert entries[1].before["score"] == 8 and entries[1].after["score"] == 9.5
    assert entries[1].surface == "chat" and entries[0].org_id == c["liaoyuan"]
    for other in ("hongguang", "east", "county"):  # another branch, the township above
        with pytest.raises(MarkError):
            give_self_check(session, secretary, YEAR, "zc-1", org(session, c[other]), 5, "",
                            None, clock(), points=10)
    # the township scores itself; the county is not assessed
    give_self_check(session, user(session, "east-it"), YEAR, "zc-2",
                    org(session, c["east"]), 3, "", None, clock(), points=5)
    with pytest.raises(MarkError, match="不参加考核"):
        give_self_check(session, user(session, "county-it"), YEAR, "zc-2",
                        org(session, c["county"]), 3, "", None, clock(), points=5)


@pytest.mark.parametrize("score", [-0.5, 10.01, 11])
def test_a_score_outside_the_points_is_refused(session, clock, c, score):
    secretary = Actor.member(c["secretary"], "李书记")
    with pytest.raises(MarkError, match="0 到 10 分之间"):
        give_self_check(session, secretary, YEAR, "zc-1", org(session, c["liaoyuan"]),
                        score, "", None, clock(), points=10)
    assert session.scalars(select(AuditEntry)).all() == []


def test_only_the_inspection_group_inspects_within_its_county(session, clock, c):
    inspector_actor = user(session, "inspector")  # a password account linked to 钱巡视
    with pytest.raises(MarkError, match="只有巡视组成员"):
        give_inspection(session, inspector_actor, YEAR, "xc-1", org(session, c["far"]), 4,
                        "", None, clock(), points=5)
    with pytest.raises(MarkError, match="县委组织部"):  # a township cannot add one
        add_inspector(session, user(session, "east-it"), clock(),
                      member=session.get(Member, c["inspector"]))
    add_inspector(session, user(session, "county-it"), clock(),
                  member=session.get(Member, c["inspector"]))
    with pytest.raises(MarkError, match="已经在巡视组"):
        add_inspector(session, Actor.cli("root"), clock(),
                      member=session.get(Member, c["inspector"]))
    session.commit()
    assert [name for _, name in active_inspectors(session)] == ["钱巡视"]
    mark = give_inspection(session, inspector_actor, YEAR, "xc-1", org(session, c["far"]),
                           4, "走访了三户党员", None, clock(), points=5)
    assert mark.source == MarkSource.INSPECTION and mark.note == "走访了三户党员"
    # the branch's own admin cannot give an inspection mark
    with pytest.raises(MarkError):
        give_inspection(session, Actor.member(c["secretary"], "李书记"), YEAR, "xc-1",
                        org(session, c["liaoyuan"]), 4, "", None, clock(), points=5)
    row = session.scalar(select(Inspector))
    remove_inspector(session, user(session, "county-it"), row, clock())
    with pytest.raises(MarkError, match="只有巡视组成员"):
        give_inspection(session, inspector_actor, YEAR, "xc-1", org(session, c["far"]), 4,
                        "", None, clock(), points=5)
    session.commit()
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["inspector.add", "assessment.inspection", "inspector.remove"]


def test_an_org_outside_the_inspectors_county_is_refused(session, clock, c):
    from tests.factories import make_branch

    add_inspector(session, Actor.cli("root"), clock(),
                  member=session.get(Member, c["inspector"]))
    elsewhere = make_branch(session, "外县某村党支部")  # no parent: another tree
    with pytest.raises(MarkError, match="不在你巡查的范围内"):
        give_inspection(session, Actor.member(c["inspector"], "钱巡视"), YEAR, "xc-1",
                        elsewhere, 4, "", None, clock(), points=5)


def test_evidence_is_kept_with_the_mark(session, clock, c, tmp_path):
    secretary = Actor.member(c["secretary"], "李书记")

    def store(mark_id: int) -> list[str]:
        return store_files(session, tmp_path, c["liaoyuan"], ASSESSMENT, mark_id,
                           [(b"\x89PNG\r\n\x1a\nfake", ".png")], "member:1", clock())

    mark = give_self_check(session, secretary, YEAR, "zc-1", org(session, c["liaoyuan"]),
                           8, "见照片", store, clock(), points=10)
    names = evidence_names(session, mark.id)
    assert len(names) == 1 and (tmp_path / "uploads/assessment" / str(mark.id)
                                / names[0]).is_file()
    entry = session.scalar(select(AuditEntry))
    assert entry.after["evidence"] == names


SCHEME = """
year = 2026
name = "嘉荫县2026年基层党建考核"

[[item]]
key = "team"
title = "班子建设"

[[item.clause]]
key = "team-self"
title = "班子自查"
points = 6
applies_to = ["township", "branch"]
source = "self_check"

[[item.clause]]
key = "team-visit"
title = "巡查班子运转"
points = 4
applies_to = ["branch"]
source = "inspection"
"""


def test_points_come_from_the_scheme_and_a_closed_year_refuses(session, clock, c):
    from models.assessment.actions import close_year, load_scheme
    from models.assessment.mark_actions import marked_clauses
    from models.assessment.sheets import compute_sheets

    load_scheme(session, Actor.cli("root"), SCHEME, clock())
    assert [cl.key for cl in marked_clauses(session, YEAR, c["liaoyuan"])] == [
        "team-self", "team-visit"]
    assert [cl.key for cl in marked_clauses(session, YEAR, c["east"])] == ["team-self"]
    secretary = Actor.member(c["secretary"], "李书记")
    liaoyuan = org(session, c["liaoyuan"])
    with pytest.raises(MarkError, match="0 到 6 分"):  # the scheme's points, not the 10 given
        give_self_check(session, secretary, YEAR, "team-self", liaoyuan, 7, "", None, clock(),
                        points=10)
    with pytest.raises(MarkError, match="没有评分项"):  # an inspection clause as self-check
        give_self_check(session, secretary, YEAR, "team-visit", liaoyuan, 3, "", None, clock())
    give_self_check(session, secretary, YEAR, "team-self", liaoyuan, 5.5, "自查", None, clock())
    add_inspector(session, Actor.cli("root"), clock(), member=session.get(Member, c["inspector"]))
    give_inspection(session, Actor.member(c["inspector"], "钱巡视"), YEAR, "team-visit",
                    liaoyuan, 3, "走访", None, clock())
    session.commit()
    sheet = compute_sheets(session, YEAR, [c["liaoyuan"]])[c["liaoyuan"]]
    assert sheet.total == 8.5
    close_year(session, Actor.cli("root"), YEAR, clock())
    session.commit()
    with pytest.raises(MarkError, match="考核已经结束"):
        give_self_check(session, secretary, YEAR, "team-self", liaoyuan, 6, "", None, clock())
    assert compute_sheets(session, YEAR, [c["liaoyuan"]])[c["liaoyuan"]].total == 8.5


def test_the_cli_keeps_the_inspection_group(session, clock, c, database_url, tmp_path,
                                            monkeypatch):
    from click.testing import CliRunner

    from bot.cli.main import main
    from tests.procs import command_env

    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    assert "巡视组还没有成员" in runner.invoke(main, ["assess", "inspector", "list"]).output
    added = runner.invoke(main, ["assess", "inspector", "add", "钱巡视"])
    assert added.exit_code == 0 and "已把 钱巡视 加入巡视组" in added.output
    assert "钱巡视（党员）" in runner.invoke(main, ["assess", "inspector", "list"]).output
    again = runner.invoke(main, ["assess", "inspector", "add", "钱巡视"])
    assert again.exit_code != 0 and "已经在巡视组" in again.output
    runner.invoke(main, ["assess", "inspector", "add", "county-it"])
    listed = runner.invoke(main, ["assess", "inspector", "list"]).output
    assert "county-it（电脑端账号）" in listed
    removed = runner.invoke(main, ["assess", "inspector", "remove", "钱巡视"])
    assert removed.exit_code == 0 and "已把 钱巡视 移出巡视组" in removed.output
    assert "钱巡视" not in runner.invoke(main, ["assess", "inspector", "list"]).output
    unknown = runner.invoke(main, ["assess", "inspector", "add", "无此人"])
    assert unknown.exit_code != 0
    session.rollback()
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["inspector.add", "inspector.add", "inspector.remove"]


@pytest.mark.skipif(not PG_URL, reason="concurrent marks: PostgreSQL")
def test_the_same_mark_given_twice_at_once_keeps_one_row(app, session, clock, c):
    import threading

    from bot.services import services_of

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def give(score: float) -> None:
        with services_of(app).sessions() as own:
            branch = own.get(Org, c["liaoyuan"])
            barrier.wait()
            try:
                give_self_check(own, Actor.member(c["secretary"], "李书记"), YEAR, "zc-1",
                                branch, score, "", None, clock(), points=10)
                own.commit()
            except BaseException as exc:  # reported below
                errors.append(exc)

    threads = [threading.Thread(target=give, args=(s,)) for s in (6, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session.rollback()
    [mark] = session.scalars(select(AssessmentMark)).all()
    assert mark.score in (6, 7)
    assert len(session.scalars(select(AuditEntry)).all()) == 2


def test_a_member_in_the_group_uses_the_console_at_the_countys_scope(session, clock, c):
    from models.console.accounts import account_by_key

    assert account_by_key(session, f"member:{c['inspector']}") is None  # a plain member
    add_inspector(session, Actor.cli("root"), clock(),
                  member=session.get(Member, c["inspector"]))
    account = account_by_key(session, f"member:{c['inspector']}")
    assert account is not None and account.org_id == c["county"] and account.is_staff
    remove_inspector(session, Actor.cli("root"), session.scalar(select(Inspector)), clock())
    assert account_by_key(session, f"member:{c['inspector']}") is None  # access ends

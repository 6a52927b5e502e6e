"""双联双促 (issue 28, section 5): county offices paired with village branches.

Pairing in the console (county staff) and by the roster's 联系单位 column; a joint
meeting (联过) made from the meeting form counts for both orgs' compliance for the kinds
models.joint.kinds allows, shows in both consoles and both 台账, and both orgs' members
check in by chat with the same code (a partner's member is refused at the host's other
meetings); the pair's page; scope; and the joint-sessions measure against a count made
here from the meetings themselves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli.main import main
from bot.ledger.branch import export_ledger
from bot.ledger.orgs import export_org_ledger
from bot.ledger.records import load_branch_records
from bot.roster.importing import RosterRejected, import_roster
from models.actors import Actor
from models.assessment.ratios import Ratio, Span
from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.errors import JointError
from models.joint.actions import add_item, add_pair, end_pair
from models.joint.kinds import JOINT_COUNTED_KINDS
from models.joint.measure import joint_sessions, quarters_in
from models.joint.tables import JointItem, JointPair
from models.meetings.compliance import compliance
from models.meetings.tables import Meeting, MeetingStatus
from models.members.actions import forget_member
from models.members.forget import pseudonym
from models.members.org_tables import Org, OrgKind
from models.members.tables import Member
from tests.conftest import CONSOLE_PASSWORD, Chat
from tests.procs import command_env
from tests.test_console_meetings import create, local_form, logged_in

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def joint_county(session, clock):  # type: ignore[no-untyped-def]
    """某县委 with 东乡党委 (辽原村党支部: 李书记, 张明) and 西乡党委 (远山村党支部: 赵远)
    below it, and a county office directly under it (财政局机关党支部: 王局, 陈干部).
    Console accounts for the county, each township, the office and 辽原村."""
    from models.console.accounts import add_console_user
    from tests.factories import make_branch, make_member

    county = Org(name="某县委", kind=OrgKind.COMMITTEE)
    session.add(county)
    session.flush()
    east = Org(name="东乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    west = Org(name="西乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    session.add_all([east, west])
    session.flush()
    village = make_branch(session, "辽原村党支部", east)
    far = make_branch(session, "远山村党支部", west)
    office = make_branch(session, "财政局机关党支部", county)
    other_office = make_branch(session, "交通局机关党支部", county)
    secretary = make_member(session, village, "李书记", "13800000001", openid="o-admin",
                            is_admin=True, committee_posts="书记")
    make_member(session, village, "张明", "13800000002", openid="o-zm")
    make_member(session, far, "赵远", "13800000004", openid="o-zy")
    chief = make_member(session, office, "王局", "13900000001", openid="o-wj",
                        is_admin=True, committee_posts="书记")
    make_member(session, office, "陈干部", "13900000002", openid="o-cg")
    now = clock()
    add_console_user(session, "county-it", CONSOLE_PASSWORD, county, None, now)
    add_console_user(session, "east-it", CONSOLE_PASSWORD, east, None, now)
    add_console_user(session, "west-it", CONSOLE_PASSWORD, west, None, now)
    add_console_user(session, "office", CONSOLE_PASSWORD, office, chief, now)
    add_console_user(session, "liaoyuan", CONSOLE_PASSWORD, village, secretary, now)
    session.commit()
    return {"county": county.id, "east": east.id, "west": west.id, "village": village.id,
            "far": far.id, "office": office.id, "other_office": other_office.id}


def pair_now(session, org, clock) -> JointPair:  # type: ignore[no-untyped-def]
    pair = add_pair(session, Actor.cli("test"), org["office"], org["village"], clock())
    session.commit()
    return pair


def test_county_staff_pair_an_office_with_a_branch_in_the_console(app, session, joint_county):
    org = joint_county
    county = logged_in(app, "county-it")
    page = county.get("/admin/joint").get_data(as_text=True)
    assert "新增结对" in page and "财政局机关党支部" in page
    answer = county.post("/admin/joint/pairs", data={
        "office": org["office"], "branch": org["village"], "csrf_token": county.token})
    assert answer.status_code == 302
    pair = session.scalars(select(JointPair)).one()
    assert (pair.office_id, pair.branch_id, pair.ended_at) == (org["office"], org["village"],
                                                               None)
    assert "已结对：财政局机关党支部 ⇄ 辽原村党支部" in county.get("/admin/joint").get_data(
        as_text=True)
    again = county.post("/admin/joint/pairs", data={
        "office": org["office"], "branch": org["village"], "csrf_token": county.token},
        follow_redirects=True)
    assert "已经结对了" in again.get_data(as_text=True)
    wrong = county.post("/admin/joint/pairs", data={  # a village branch is no office
        "office": org["far"], "branch": org["village"], "csrf_token": county.token},
        follow_redirects=True)
    assert "不是县直机关党组织" in wrong.get_data(as_text=True)
    session.rollback()
    assert len(session.scalars(select(JointPair)).all()) == 1
    assert session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("joint.%"))).all() == ["joint.pair"]
    # a township may not pair; nor may the office
    for login in ("east-it", "office"):
        other = logged_in(app, login)
        assert other.post("/admin/joint/pairs", data={
            "office": org["other_office"], "branch": org["village"],
            "csrf_token": other.token}).status_code == 404
    ended = county.post(f"/admin/joint/{pair.id}/end", data={"csrf_token": county.token})
    assert ended.status_code == 302
    session.rollback()
    assert session.get(JointPair, pair.id).ended_at is not None
    with pytest.raises(JointError):
        end_pair(session, Actor.cli("test"), session.get_one(JointPair, pair.id), datetime.now(UTC))


ROSTER = "姓名,支部,上级党组织,联系单位\n{rows}"


def test_the_roster_column_pairs_a_branch_with_its_office(session, joint_county, tmp_path):
    engine = session.get_bind()
    good = tmp_path / "pairs.csv"
    good.write_text(ROSTER.format(rows=(
        "孙新,新村党支部,东乡党委,财政局机关党支部\n"
        "周新,新村党支部,东乡党委,\n"
        "钱新,辽原村党支部,东乡党委,交通局机关党支部\n")), encoding="utf-8-sig")
    report = import_roster(engine, good)
    assert report.created == 3 and "按联系单位新结对2对" in report.warnings
    session.rollback()
    pairs = {(p.office.name, p.branch.name) for p in session.scalars(select(JointPair))}
    assert pairs == {("财政局机关党支部", "新村党支部"), ("交通局机关党支部", "辽原村党支部")}
    again = import_roster(engine, good)  # re-importing changes nothing
    assert again.created == 0 and not any("结对" in w for w in again.warnings)
    session.rollback()
    assert len(session.scalars(select(JointPair)).all()) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(ROSTER.format(rows=(
        "吴新,又一村党支部,东乡党委,\n"
        "郑新,又一村党支部,东乡党委,不存在局机关党支部\n"
        "冯新,另一村党支部,东乡党委,财政局机关党支部\n"
        "褚新,另一村党支部,东乡党委,交通局机关党支部\n")), encoding="utf-8-sig")
    with pytest.raises(RosterRejected) as refused:
        import_roster(engine, bad)
    said = sorted((p.line, p.message) for p in refused.value.problems)
    assert [line for line, _ in said] == [3, 5], said
    assert "不存在局机关党支部" in said[0][1] and "只能写一个联系单位" in said[1][1]
    session.rollback()
    assert session.scalars(select(Member).where(Member.name == "吴新")).all() == []
    lone = tmp_path / "lone.csv"
    lone.write_text(ROSTER.format(rows="郑新,又一村党支部,东乡党委,不存在局机关党支部\n"),
                    encoding="utf-8-sig")
    with pytest.raises(RosterRejected) as unknown:
        import_roster(engine, lone)
    assert "不存在局机关党支部" in str(unknown.value.problems[0])
    assert str(unknown.value.problems[0]).startswith("第 2 行")


def notified(session, meeting_id: int) -> set[str]:  # type: ignore[no-untyped-def]
    return set(session.scalars(select(Member.name).join(Outbox, Outbox.member_id == Member.id)
                               .where(Outbox.dedupe_key.like(f"meeting:{meeting_id}:member:%"))))


def cells_of(path) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(cell) for sheet in load_workbook(path).worksheets
                    for row in sheet.iter_rows(values_only=True) for cell in row if cell)


def test_a_joint_meeting_counts_for_both_orgs_and_both_check_in_with_one_code(
        app, session, joint_county, clock, chat: Chat, tmp_path):
    org = joint_county
    pair_id = pair_now(session, org, clock).id
    village = logged_in(app, "liaoyuan")
    form_page = village.get(f"/admin/branch/{org['village']}/meetings/new").get_data(
        as_text=True)
    assert "与结对单位联合开展" in form_page and "财政局机关党支部" in form_page
    answer = create(village, org["village"], {
        **local_form(clock, app, hours=0.5, kind="party_lecture", topic="联学党课"),
        "paired": "1"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    joint = session.scalars(select(Meeting)).one()
    assert joint.joint_org_id == org["office"] and joint.org_id == org["village"]
    assert notified(session, joint.id) == {"李书记", "张明", "王局", "陈干部"}
    # the village's ordinary meeting the same hour: the office's members are not invited
    assert create(village, org["village"], local_form(
        clock, app, hours=0.6, kind="theme_day")).status_code == 302
    session.rollback()
    own = session.scalars(select(Meeting).where(Meeting.joint_org_id.is_(None))).one()
    # changing it in the form keeps the paired org invited, even unticked
    edit = village.post(f"/admin/meeting/{joint.id}/edit", data={
        **local_form(clock, app, hours=0.5, kind="party_lecture", topic="联学党课：新时代"),
        "joint": [], "csrf_token": village.token})
    assert edit.status_code == 302, edit.get_data(as_text=True)
    session.rollback()
    assert "联合召开：财政局机关党支部" in village.get(f"/admin/meeting/{joint.id}").get_data(
        as_text=True)
    # both orgs' members check in with the same code, by chat
    assert "签到成功" in chat.say("o-cg", f"签到 {joint.code}")
    assert "签到成功" in chat.say("o-zm", f"签到 {joint.code}")
    assert "签到成功" not in chat.say("o-cg", f"签到 {own.code}")
    assert "签到成功" not in chat.say("o-zy", f"签到 {joint.code}")  # another township's
    # a joint 支委会 counts for its host only
    committee = create(village, org["village"], {
        **local_form(clock, app, hours=0.7, kind="committee_meeting", audience="committee"),
        "paired": "1"})
    assert committee.status_code == 302
    clock.advance(hours=3)
    session.rollback()
    for meeting in session.scalars(select(Meeting)).all():
        village = logged_in(app, "liaoyuan")
        closed = village.post(f"/admin/meeting/{meeting.id}/close",
                              data={"csrf_token": village.token})
        assert closed.status_code == 302, closed.get_data(as_text=True)
    session.rollback()
    offices = {o.id: o for o in session.scalars(select(Org).where(
        Org.id.in_([org["office"], org["village"]])))}
    pictures = {p.branch_id: {k.kind: k.held for k in p.kinds}
                for p in compliance(session, list(offices.values()), clock(), TZ)}
    assert pictures[org["village"]]["party_lecture"] == 1
    assert pictures[org["office"]]["party_lecture"] == 1  # counted for the partner too
    assert pictures[org["village"]]["committee_meeting"] == 1
    assert pictures[org["office"]]["committee_meeting"] == 0  # 支委会 is not
    assert "party_lecture" in JOINT_COUNTED_KINDS and "committee_meeting" not in \
        JOINT_COUNTED_KINDS
    # both consoles list it; the office opens it; another township does not
    office = logged_in(app, "office")
    listed = office.get(f"/admin/branch/{org['office']}/meetings").get_data(as_text=True)
    assert "联学党课：新时代" in listed and "辽原村党支部主办，联合开展" in listed
    assert office.get(f"/admin/meeting/{joint.id}").status_code == 200
    assert office.get(f"/admin/meeting/{own.id}").status_code == 404
    assert office.post(f"/admin/meeting/{joint.id}/cancel",
                       data={"csrf_token": office.token}).status_code == 404  # view only
    assert "与财政局机关党支部联合开展" in village.get(
        f"/admin/branch/{org['village']}/meetings").get_data(as_text=True)
    assert logged_in(app, "west-it").get(f"/admin/meeting/{joint.id}").status_code == 404
    # both 台账
    since, until = clock() - timedelta(days=1), clock() + timedelta(days=1)
    for org_id in (org["office"], org["village"]):
        records = load_branch_records(session, offices[org_id], since, until)
        assert joint.id in [m.id for m in records.meetings]
        assert records.mark(session.scalar(select(Member.id).where(Member.name == "陈干部")),
                            joint.id) == "✓"
    office_records = load_branch_records(session, offices[org["office"]], since, until)
    assert own.id not in [m.id for m in office_records.meetings]
    today = clock().astimezone(TZ).date()
    for org_id in (org["office"], org["village"]):  # each org's 台账 workbook
        path = tmp_path / f"ledger-{org_id}.xlsx"
        export_ledger(session, offices[org_id], today, today, TZ, path)
        assert "联学党课" in cells_of(path)
    county_book = tmp_path / "county.xlsx"
    export_org_ledger(session, session.get_one(Org, org["county"]),
                      [offices[org["office"]], offices[org["village"]]], today, today, TZ,
                      county_book)
    summary = load_workbook(county_book).worksheets[0]
    rows = [[c for c in row] for row in summary.iter_rows(values_only=True)]
    head = next(row for row in rows if "党课" in row)
    office_row = next(row for row in rows if "财政局机关党支部" in row)
    assert office_row[head.index("党课")] == 1  # the joint 党课 counts for the office
    # the pair's page: sessions, who came from each side
    page = office.get(f"/admin/joint/{pair_id}").get_data(as_text=True)
    assert "联合开展 <b>2</b> 次" in page
    assert "财政局机关党支部 参加 <b>1</b> 人：陈干部" in page
    assert "辽原村党支部 参加 <b>1</b> 人：张明" in page


def test_a_branch_without_a_pair_cannot_hold_a_joint_meeting(app, session, joint_county,
                                                             clock):
    village = logged_in(app, "liaoyuan")
    answer = create(village, joint_county["village"], {
        **local_form(clock, app, hours=2, kind="theme_day"), "paired": "1"})
    assert answer.status_code == 400 and "没有结对单位" in answer.get_data(as_text=True)
    assert session.scalars(select(Meeting)).all() == []


def test_the_pairs_page_items_and_scope(app, session, joint_county, clock):
    org = joint_county
    pair = pair_now(session, org, clock)
    for login in ("county-it", "east-it", "office", "liaoyuan"):
        seen = logged_in(app, login)
        assert "财政局机关党支部 ⇄ 辽原村党支部" in seen.get("/admin/joint").get_data(
            as_text=True), login
        assert seen.get(f"/admin/joint/{pair.id}").status_code == 200, login
    west = logged_in(app, "west-it")
    assert "财政局机关党支部 ⇄" not in west.get("/admin/joint").get_data(as_text=True)
    assert west.get(f"/admin/joint/{pair.id}").status_code == 404
    assert west.post(f"/admin/joint/{pair.id}/items", data={
        "text": "x", "owner": "y", "deadline": "2030-01-01",
        "csrf_token": west.token}).status_code == 404
    office = logged_in(app, "office")
    added = office.post(f"/admin/joint/{pair.id}/items", data={
        "text": "帮村里修通产业路", "owner": "王局", "deadline": "2020-06-30",
        "csrf_token": office.token}, follow_redirects=True)
    page = added.get_data(as_text=True)
    assert "已添加联促事项" in page and "帮村里修通产业路" in page and "逾期" in page
    bad = office.post(f"/admin/joint/{pair.id}/items", data={
        "text": "没有期限", "owner": "王局", "deadline": "", "csrf_token": office.token},
        follow_redirects=True)
    assert "请填写完成期限" in bad.get_data(as_text=True)
    item = session.scalars(select(JointItem)).one()
    empty = office.post(f"/admin/joint/item/{item.id}/close",
                        data={"note": " ", "csrf_token": office.token}, follow_redirects=True)
    assert "销号请写明完成情况" in empty.get_data(as_text=True)
    closed = office.post(f"/admin/joint/item/{item.id}/close", data={
        "note": "已硬化2公里", "csrf_token": office.token}, follow_redirects=True)
    page = closed.get_data(as_text=True)
    assert "已销号" in page and "已硬化2公里" in page
    assert west.post(f"/admin/joint/item/{item.id}/close", data={
        "note": "x", "csrf_token": west.token}).status_code == 404
    session.rollback()
    assert session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("joint.item%")).order_by(AuditEntry.id)).all() == [
        "joint.item", "joint.item_close"]


def _held_joint(session, host: int, partner: int, at: datetime, kind: str) -> Meeting:  # type: ignore[no-untyped-def]
    meeting = Meeting(org_id=host, joint_org_id=partner, kind=kind, topic="", starts_at=at,
                      ends_at=at + timedelta(hours=2), place="村委会",
                      status=MeetingStatus.HELD, code=f"{at:%m%d%H}"[-6:], photos=[])
    session.add(meeting)
    session.flush()
    return meeting


def test_the_measure_matches_a_count_made_from_the_meetings(session, joint_county, clock):
    org = joint_county
    start = datetime(2026, 1, 1, tzinfo=TZ)
    pair = add_pair(session, Actor.cli("test"), org["office"], org["village"],
                    start.astimezone(UTC) - timedelta(days=10))
    # Q1: 3 (hosted by either side), Q2: none, Q3: 1, Q4: 1 cancelled, and one in 2025
    for day_, host, partner, status in (
            ((2026, 1, 10), "village", "office", MeetingStatus.HELD),
            ((2026, 2, 10), "office", "village", MeetingStatus.HELD),
            ((2026, 3, 10), "village", "office", MeetingStatus.HELD),
            ((2026, 8, 10), "office", "village", MeetingStatus.HELD),
            ((2026, 11, 10), "village", "office", MeetingStatus.CANCELLED),
            ((2025, 12, 10), "village", "office", MeetingStatus.HELD)):
        meeting = _held_joint(session, org[host], org[partner],
                              datetime(*day_, 10, tzinfo=TZ).astimezone(UTC), "theme_day")
        meeting.status = status
    session.flush()
    year = Span.year(2026)
    wanted = [org["office"], org["village"], org["far"], org["east"]]
    got = joint_sessions(session, wanted, year)
    # independent count: every held joint meeting in 2026 with either side, capped at 4
    held = [m for m in session.scalars(select(Meeting)).all()
            if m.status == MeetingStatus.HELD and m.joint_org_id is not None
            and m.starts_at.astimezone(TZ).year == 2026]
    for org_id in (org["office"], org["village"]):
        done = sum(org_id in (m.org_id, m.joint_org_id) for m in held)
        assert got[org_id] == Ratio(min(done, 4), 4)
    assert got[org["office"]] == Ratio(4, 4)
    assert org["far"] not in got and org["east"] not in got  # not paired: no Ratio
    q1 = joint_sessions(session, wanted, Span(date(2026, 1, 1), date(2026, 3, 31)))
    assert q1[org["village"]] == Ratio(1, 1)  # three held, capped at one due
    q2 = joint_sessions(session, wanted, Span(date(2026, 4, 1), date(2026, 6, 30)))
    assert q2[org["village"]] == Ratio(0, 1)
    assert quarters_in(Span(date(2026, 2, 1), date(2026, 7, 1))) == 3
    end_pair(session, Actor.cli("test"), pair, datetime(2026, 12, 31, tzinfo=UTC))
    # a pair ended before the span does not apply to the next year
    assert joint_sessions(session, wanted, Span.year(2027)) == {}


def test_forgetting_a_member_scrubs_their_name_from_the_pairs_items(session, joint_county,
                                                                   clock):
    org = joint_county
    pair = pair_now(session, org, clock)
    add_item(session, Actor.cli("test"), pair, "陈干部帮村里办夜校", "陈干部",
             date(2027, 1, 31), clock())
    chen = session.scalars(select(Member).where(Member.name == "陈干部")).one()
    forget_member(session, Actor.cli(), chen, clock())
    session.commit()
    item = session.scalars(select(JointItem)).one()
    assert "陈干部" not in item.text + item.owner
    assert pseudonym(chen.id) in item.owner


def test_the_cli_pairs_lists_and_unpairs(database_url, tmp_path, session, joint_county,
                                         monkeypatch):
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    made = CliRunner().invoke(main, ["joint", "pair", "财政局机关党支部", "辽原村党支部"])
    assert made.exit_code == 0, made.output
    assert "已结对：财政局机关党支部 ⇄ 辽原村党支部" in made.output
    again = CliRunner().invoke(main, ["joint", "pair", "财政局机关党支部", "辽原村党支部"])
    assert again.exit_code != 0 and "已经结对了" in again.output
    listed = CliRunner().invoke(main, ["joint", "list", "--year", "2026"])
    assert "财政局机关党支部 ⇄ 辽原村党支部：联合开展0次" in listed.output
    assert "结对1对" in listed.output
    ended = CliRunner().invoke(main, ["joint", "unpair", "财政局机关党支部", "辽原村党支部"])
    assert ended.exit_code == 0 and "已解除结对" in ended.output
    gone = CliRunner().invoke(main, ["joint", "unpair", "财政局机关党支部", "辽原村党支部"])
    assert gone.exit_code != 0 and "没有结对" in gone.output

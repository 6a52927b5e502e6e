"""The five measures partybot's records give, each against a count done again here from
the rows the test wrote; a township's figure as the sum of its branches; score sheets
with marks; a closed year that does not move when the records change."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from core.config import DEFAULT_CADENCE
from models.actors import Actor
from models.assessment.actions import AssessmentError, close_year, load_scheme
from models.assessment.marks import AssessmentMark
from models.assessment.measures import MEASURES
from models.assessment.ratios import Ratio, Span
from models.assessment.scheme import Source
from models.assessment.sheets import compute_sheets, excellent_share_max
from models.console.audit import AuditEntry
from models.delivery.outbox import Status
from models.meetings.tables import Meeting, MeetingKind, MeetingStatus
from models.members.org_tables import Org
from tests.assessment_support import SCHEME_FILE, TZ, YEAR, Year, build_county, local

LEAVES = ("liaoyuan", "hongguang", "far", "office")


@pytest.fixture
def county_year(session) -> Year:  # type: ignore[no-untyped-def]
    return build_county(session)


def _measure(session, year: Year, name: str) -> dict[str, Ratio]:  # type: ignore[no-untyped-def]
    found = MEASURES[name](session, [year.ids[k] for k in LEAVES], Span.year(YEAR))
    return {key: found.get(year.ids[key], Ratio(0, 0)) for key in LEAVES}


def test_meetings_held_counts_each_required_kind_once_per_period(session, county_year):
    year = county_year
    held: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for meeting in year.meetings:
        when = meeting.starts_at.astimezone(TZ)
        if meeting.status != MeetingStatus.HELD or when.year != YEAR \
                or meeting.kind not in DEFAULT_CADENCE:
            continue
        scale = DEFAULT_CADENCE[meeting.kind]
        index = {"month": when.month, "quarter": (when.month - 1) // 3, "year": 0}[scale]
        held[meeting.org_id].add((meeting.kind, index))
    per_scale = {"month": 12, "quarter": 4, "year": 1}
    expected = {}
    for key in LEAVES:
        org_id = year.ids[key]
        has_groups = key == "liaoyuan"
        kinds = [k for k in DEFAULT_CADENCE if k != MeetingKind.GROUP_MEETING or has_groups]
        done = sum(1 for kind, _ in held[org_id] if kind in kinds)
        expected[key] = Ratio(done, sum(per_scale[DEFAULT_CADENCE[k]] for k in kinds))
    assert _measure(session, year, "meetings_held") == expected
    # and by hand, for one branch: 支委会 10/12, 党小组会 6/12, 大会 2/4 (Q1 twice, 1 April
    # 01:00 local is Q2), 党课 4/4, 组织生活会 1/1
    assert expected["liaoyuan"] == Ratio(23, 33)


def test_attendance_is_present_over_expected_at_meetings_held_in_the_year(session, county_year):
    year = county_year
    expected: dict[int, Ratio] = defaultdict(lambda: Ratio(0, 0))
    for meeting in year.meetings:
        if meeting.status == MeetingStatus.HELD \
                and meeting.starts_at.astimezone(TZ).year == YEAR:
            expected[meeting.org_id] += Ratio(meeting.present_count, meeting.expected_count)
    assert _measure(session, year, "attendance") == {k: expected[year.ids[k]] for k in LEAVES}


def test_study_rate_is_records_over_members_times_items_meant_for_them(session, county_year):
    year = county_year
    parents = dict(session.execute(select(Org.id, Org.parent_id)).all())
    expected = {}
    for key in LEAVES:
        org_id, members = year.ids[key], year.members[key]
        chain = {org_id}
        while parents.get(org_id) is not None:
            org_id = parents[org_id]
            chain.add(org_id)
        items = {item.id for item in year.items if item.org_id in chain
                 and item.withdrawn_at is None
                 and item.publish_at.astimezone(TZ).year == YEAR}
        studied = sum(1 for item_id, member_id in year.records
                      if item_id in items and member_id in members)
        expected[key] = Ratio(studied, len(items) * len(members))
    assert _measure(session, year, "study_rate") == expected
    assert expected["liaoyuan"] == Ratio(3 + 1 + 4 + 2, 4 * 4)


def test_notice_reach_counts_sent_relayed_and_combined_that_went(session, county_year):
    year = county_year
    expected: dict[int, Ratio] = defaultdict(lambda: Ratio(0, 0))
    for org_id, status, carried in year.notices:
        went = status in (Status.SENT, Status.RELAYED) \
            or (status == Status.MERGED and carried == Status.SENT)
        expected[org_id] += Ratio(int(went), 1)
    assert _measure(session, year, "notice_reach") == {k: expected[year.ids[k]]
                                                       for k in LEAVES}
    assert expected[year.ids["liaoyuan"]] == Ratio(4, 8)


def test_relays_confirmed_leaves_out_relays_dropped_before_confirmation(session, county_year):
    year = county_year
    member_org = {m: year.ids[k] for k, ids in year.members.items() for m in ids}
    expected: dict[int, Ratio] = defaultdict(lambda: Ratio(0, 0))
    for relay in year.relays:
        if relay.dropped_at is not None and relay.confirmed_at is None:
            continue
        expected[member_org[relay.member_id]] += Ratio(int(relay.confirmed_at is not None), 1)
    assert _measure(session, year, "relays_confirmed") == {k: expected[year.ids[k]]
                                                           for k in LEAVES}
    assert expected[year.ids["liaoyuan"]] == Ratio(2, 3)


def test_a_span_narrows_every_measure(session, county_year):
    year = county_year
    first_quarter = Span(local(YEAR, 1, 1).astimezone(TZ).date(),
                         local(YEAR, 3, 31).astimezone(TZ).date())
    held = MEASURES["meetings_held"](session, [year.ids["hongguang"]], first_quarter)
    # 支委会 ×3 months, 大会 Q1, 党课 Q1 (held in March), 组织生活会's year: not held
    assert held[year.ids["hongguang"]] == Ratio(3 + 1 + 1 + 0, 3 + 1 + 1 + 1)


def _load(session, text: str | None = None):  # type: ignore[no-untyped-def]
    return load_scheme(session, Actor.cli("tester"), text or SCHEME_FILE.read_text("utf-8"),
                       local(YEAR, 12, 1))


def test_sheets_score_each_clause_and_a_township_sums_its_branches(session, county_year):
    year = county_year
    _load(session)
    session.add(AssessmentMark(year=YEAR, clause_key="base.self", org_id=year.ids["liaoyuan"],
                               source="self_check", score=3.5, note="场所已整修",
                               given_by="李书记", given_at=local(YEAR, 12, 2)))
    session.add(AssessmentMark(year=YEAR, clause_key="base.visit", org_id=year.ids["east"],
                               source="inspection", score=5, note="台账齐全",
                               given_by="县委巡查组", given_at=local(YEAR, 12, 2)))
    session.commit()
    ids = [year.ids[k] for k in ("county", "east", "west", "liaoyuan", "hongguang", "far",
                                 "office", "group")]
    sheets = compute_sheets(session, YEAR, ids)
    assert set(sheets) == {year.ids[k] for k in ("east", "west", "liaoyuan", "hongguang",
                                                 "far", "office")}  # no county, no group
    leaves = {k: compute_sheets(session, YEAR, [year.ids[k]])[year.ids[k]]
              for k in ("liaoyuan", "hongguang")}
    liaoyuan = {line.clause_key: line for line in leaves["liaoyuan"].lines}
    assert [line.clause_key for line in leaves["liaoyuan"].lines] == [
        "life.meetings", "life.attendance", "life.study", "base.reach", "base.relays",
        "base.self", "base.visit"]
    assert liaoyuan["life.meetings"].detail == "23/33 = 70%"
    assert liaoyuan["life.meetings"].score == 6  # ≥ 0.6
    assert liaoyuan["base.self"].score == 3.5
    assert "场所已整修（李书记）" in liaoyuan["base.self"].detail
    assert liaoyuan["base.visit"].score is None and liaoyuan["base.visit"].counted
    assert liaoyuan["base.relays"].detail == "2/3 = 67%" and liaoyuan["base.relays"].score == 3
    # the township: its branches' counts added, not their shares averaged
    measured = {name: MEASURES[name](session, [year.ids["liaoyuan"], year.ids["hongguang"]],
                                     Span.year(YEAR))
                for name in ("meetings_held", "attendance", "study_rate", "notice_reach",
                             "relays_confirmed")}
    east = {line.clause_key: line for line in sheets[year.ids["east"]].lines}
    for key, name in (("life.meetings", "meetings_held"), ("life.attendance", "attendance"),
                      ("life.study", "study_rate"), ("base.reach", "notice_reach"),
                      ("base.relays", "relays_confirmed")):
        total = sum(measured[name].values(), Ratio(0, 0))
        assert east[key].detail.startswith(f"{total.done}/{total.due} ="), (key, east[key])
    assert "base.self" not in east  # a branch's clause only
    assert east["base.visit"].score == 5 and east["base.visit"].source is Source.INSPECTION
    west = {line.clause_key: line for line in sheets[year.ids["west"]].lines}
    assert not west["base.relays"].counted or west["base.relays"].score is not None
    office = {line.clause_key for line in sheets[year.ids["office"]].lines}
    assert "base.relays" not in office and "base.visit" not in office
    sheet = sheets[year.ids["liaoyuan"]]
    assert sheet.total == round(sum(line.score or 0 for line in sheet.lines if line.counted), 2)
    assert sheet.possible == sum(line.points for line in sheet.lines if line.counted)
    assert excellent_share_max(session, YEAR) == 0.25
    assert excellent_share_max(session, YEAR + 1) is None


def test_a_closed_year_does_not_change_when_records_change(session, county_year):
    year = county_year
    _load(session)
    session.commit()
    orgs = [year.ids[k] for k in ("east", "west", "liaoyuan", "hongguang", "far", "office")]
    before = compute_sheets(session, YEAR, orgs)
    closed = close_year(session, Actor.cli("tester"), YEAR, local(YEAR + 1, 1, 5))
    session.commit()
    assert closed == 6
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "assessment.close_year")).one()
    assert entry.actor_key == "cli:tester" and entry.surface == "cli"
    assert entry.org_id == year.ids["county"]
    # records change after the close: a meeting held, another cancelled
    for meeting in session.scalars(select(Meeting).where(
            Meeting.org_id == year.ids["liaoyuan"], Meeting.status == MeetingStatus.PLANNED)):
        meeting.status = MeetingStatus.HELD
        meeting.expected_count = meeting.present_count = 40
    session.execute(Meeting.__table__.update().where(
        Meeting.org_id == year.ids["hongguang"]).values(status=MeetingStatus.CANCELLED))
    session.commit()
    after = compute_sheets(session, YEAR, orgs)
    assert {i: (s.total, s.possible, [(line.clause_key, line.score, line.detail)
                                      for line in s.lines]) for i, s in after.items()} == \
        {i: (s.total, s.possible, [(line.clause_key, line.score, line.detail)
                                   for line in s.lines]) for i, s in before.items()}
    assert all(sheet.frozen for sheet in after.values())
    with pytest.raises(AssessmentError) as refused:
        _load(session)
    assert "已关闭" in refused.value.render()
    with pytest.raises(AssessmentError):
        close_year(session, Actor.cli("tester"), YEAR, local(YEAR + 1, 1, 6))
    session.rollback()
    # the open sheet would have moved
    from models.assessment.sheets import live_sheets, scheme_of

    scheme = scheme_of(session, YEAR)
    assert scheme is not None
    live = live_sheets(session, scheme, orgs, Span.year(YEAR), MEASURES)
    assert live[year.ids["hongguang"]].total != before[year.ids["hongguang"]].total


def test_loading_replaces_the_years_scheme_and_is_audited(session, county_year):
    _load(session)
    text = SCHEME_FILE.read_text("utf-8").replace("测试县2025年度党建考核", "改过的方案")
    scheme = _load(session, text)
    session.commit()
    assert scheme.name == "改过的方案"
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "assessment.load_scheme").order_by(AuditEntry.id)).all()
    assert len(entries) == 2 and entries[1].before == {"name": "测试县2025年度党建考核",
                                                        "loaded_by": entries[0].actor_name}
    with pytest.raises(AssessmentError) as refused:
        _load(session, text.replace("points = 10", "points = 0", 1))
    assert "life.meetings" in refused.value.render() and "points 应大于 0" in \
        refused.value.render()


def test_measures_answer_for_a_thousand_orgs_in_a_few_queries(session, county_year):
    from sqlalchemy import event

    year = county_year
    statements: list[str] = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        few = [year.ids[k] for k in LEAVES]
        for name, measure in MEASURES.items():
            counts = []
            for ids in (few[:1], few + list(range(10_000, 11_000))):
                statements.clear()
                measure(session, ids, Span.year(YEAR))
                counts.append(len(statements))
            assert counts[0] == counts[1] <= 5, (name, counts)
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_study_rate_agrees_with_the_digests_count(session, county_year):
    from models.study.reports import study_by_branch

    year = county_year
    start, end = Span.year(YEAR).utc_bounds(TZ)
    ids = [year.ids[k] for k in LEAVES]
    digest = study_by_branch(session, start, end, ids)
    assert MEASURES["study_rate"](session, ids, Span.year(YEAR)) == {
        org_id: Ratio(found.studied, found.expected) for org_id, found in digest.items()}

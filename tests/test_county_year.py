"""Issue 28, end to end: a small county's year through the real actions, then every
computed (and survey) clause of every org's score sheet checked against a count made
here in plain Python over what the test created — a township's too — and the year
closed: the frozen sheets stay as they were while the records (and an open span) move.

The county is tests/assessment_support's 2025 (meetings, study, notices and relays as
rows), plus a fourth village branch, and on top of it, through models/*/actions.py:
meetings scheduled, attended and closed (and one never held), a 民主评议 round with
online votes and paper ballots closed (another left open), the 整顿台账 with a problem
closed on time, one closed late and one overdue, a 双联双促 pair with joint meetings,
a 一帮一 relay confirmed, a 述职 round, and the members' satisfaction survey; a vote, a
paper ballot and two survey answers go through the chat (the `chat` fixture)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from core.config_values import DEFAULT_CADENCE
from models.actors import Actor
from models.assessment.actions import close_year, load_scheme
from models.assessment.measures import MEASURES
from models.assessment.ratios import Ratio, Span
from models.assessment.scheme import MEASURED, parse_scheme
from models.assessment.sheets import compute_sheets, live_sheets
from models.delivery.held import COMBINED_KIND
from models.delivery.outbox import Channel, ChannelPolicy, Outbox, Status
from models.evaluation import actions as evaluation
from models.evaluation.tables import Grade
from models.evaluation.tables import Method as VoteMethod
from models.joint.actions import add_pair, create_joint_meeting
from models.joint.kinds import counts_for_partner
from models.meetings import actions as meetings
from models.meetings.rules import NewMeeting
from models.meetings.tables import Meeting, MeetingKind, MeetingStatus, Method
from models.members.org_tables import Org, OrgKind
from models.members.tables import Member
from models.pairing.actions import confirm_relay
from models.pairing.relays import Relay
from models.rectification import actions as rectify
from models.rectification.tables import Problem
from models.reviews import actions as reviews
from models.reviews.measures import review_submitted
from models.reviews.tables import Party, ReviewReporter
from models.study.records import record_study
from models.study.tables import StudyItem, StudyRecord
from models.survey.actions import answer_survey, close_survey, open_survey
from models.survey.tables import Choice
from tests.assessment_support import TZ, YEAR, build_county, local
from tests.factories import make_member
from tests.test_assessment_scheme import readme_scheme

CLI = Actor.cli("county-staff")
OUTBOX = ChannelPolicy({})
S, F, D = Choice.SATISFIED, Choice.FAIRLY, Choice.DISSATISFIED
QUARTER_OF = {"month": lambda d: d.month, "quarter": lambda d: (d.month - 1) // 3,
              "year": lambda d: 0}
PERIODS = {"month": 12, "quarter": 4, "year": 1}
WEIGHTS = {Party.SELF: 10, Party.COUNTY: 40, Party.LEADER: 20, Party.MEMBERS: 30}


def _member(session, member_id: int) -> Member:  # type: ignore[no-untyped-def]
    return session.get_one(Member, member_id)


def _actor(member: Member) -> Actor:
    return Actor.member(member.id, member.name)


def _held(session, org_id: int, kind: MeetingKind, starts: datetime,  # type: ignore[no-untyped-def]
          present: list[Member], partner: int | None = None, close: bool = True) -> Meeting:
    """A meeting scheduled two days ahead, attended by `present`, and closed."""
    secretary = _actor(present[0]) if present else CLI
    new = NewMeeting(org_id=org_id, kind=kind, starts_at=starts, place="村委会")
    made = (create_joint_meeting(session, secretary, new, partner, outbox=OUTBOX, tz=TZ,
                                 now=starts - timedelta(days=2)) if partner else
            meetings.create_meeting(session, secretary, new, outbox=OUTBOX, tz=TZ,
                                    now=starts - timedelta(days=2)))
    for member in present:
        meetings.check_in(session, secretary, made.meeting, member, Method.ADMIN, starts)
    if close:
        meetings.close_meeting(session, secretary, made.meeting, starts + timedelta(hours=2))
    return made.meeting


def _live_year(session, chat, clock) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the test makes happen in 2025 through the actions; what to count again."""
    facts: dict[str, object] = {}
    west = session.scalar(select(Org.id).where(Org.name == "西乡党委"))
    qingshan = Org(name="青山村党支部", kind=OrgKind.BRANCH, parent_id=west)
    session.add(qingshan)
    session.flush()
    qs = [make_member(session, qingshan, "冯书记", "13700000001", openid="o-feng",
                      is_admin=True, committee_posts="书记"),
          make_member(session, qingshan, "蒋华", "13700000002", openid="o-jiang"),
          make_member(session, qingshan, "韩梅", "13700000003")]
    facts["qingshan"] = qingshan.id
    # 青山村's 三会一课: an assembly in Q1 (2 of 3 present), a 支委会 in March (1 of 3),
    # a 党课 planned in Q2 that never took place (still planned at the year's end).
    _held(session, qingshan.id, MeetingKind.BRANCH_ASSEMBLY, local(YEAR, 2, 10), qs[:2])
    _held(session, qingshan.id, MeetingKind.COMMITTEE_MEETING, local(YEAR, 3, 10), qs[:1])
    _held(session, qingshan.id, MeetingKind.PARTY_LECTURE, local(YEAR, 5, 10), qs[:1],
          close=False)
    # Study: 蒋华 studied the county's March item (a record through the study records).
    march = session.scalars(select(StudyItem).where(StudyItem.title == "学习0")).one()
    record_study(session, march, qs[1], local(YEAR, 3, 2))

    names = {m.name: m for m in session.scalars(select(Member))}
    # 一帮一: 张明 passes the open relay on to 赵大爷 (已转达).
    open_relay = session.scalars(select(Relay).where(
        Relay.dedupe_key == "r:1")).one()
    confirm_relay(session, _actor(names["张明"]), names["张明"], names["赵大爷"],
                  open_relay.id, local(YEAR, 4, 20))

    # 民主评议: 辽原村 votes online (李书记, 张明) and on paper (刘芳, 赵大爷, entered by
    # the secretary), then closes; 红光村 opens a round and never closes it.
    li = names["李书记"]
    round_ = evaluation.open_round(session, _actor(li), li.branch_id, date(YEAR, 12, 10),
                                   outbox=OUTBOX, tz=TZ, now=local(YEAR, 12, 1))
    liaoyuan = [names[n] for n in ("李书记", "张明", "刘芳", "赵大爷")]
    for voter in liaoyuan:
        choices = {m.id: Grade.QUALIFIED for m in liaoyuan if m.id != voter.id}
        if voter.name == "张明":
            continue  # votes in chat below
        if voter.openid:
            evaluation.cast_votes(session, _actor(voter), round_, voter, choices,
                                  local(YEAR, 12, 3))
        elif voter.name == "刘芳":
            evaluation.cast_votes(session, _actor(li), round_, voter, choices,
                                  local(YEAR, 12, 4), method=VoteMethod.PAPER)
    session.commit()
    # In chat: 张明 votes himself, and the secretary enters 赵大爷's paper ballot.
    clock.set(local(YEAR, 12, 3, 10))
    assert chat.say("o-zm", "评议 李书记 合格 刘芳 合格 赵大爷 合格").startswith(
        "已记下：李书记合格；刘芳合格；赵大爷合格。你已经评完了")
    assert chat.say("o-li", "纸质选票 赵大爷 李书记 合格 张明 合格 刘芳 合格") == (
        "已录入赵大爷的纸质选票：3人。")
    session.expire_all()
    evaluation.end_voting(session, _actor(li), round_, local(YEAR, 12, 5))
    evaluation.close_round(session, _actor(li), round_, outbox=OUTBOX, tz=TZ,
                           now=local(YEAR, 12, 6))
    wang = names["王书记"]
    evaluation.open_round(session, _actor(wang), wang.branch_id, date(YEAR, 12, 30),
                          outbox=OUTBOX, tz=TZ, now=local(YEAR, 12, 20))

    # 整顿台账: 远山村 is weak; one problem closed on time, one late, one overdue; one of
    # 青山村's falls due next year (not in 2025's span).
    county = session.scalar(select(Org.id).where(Org.parent_id.is_(None)))
    far = names["赵远"].branch_id
    weak = rectify.mark_weak(session, CLI, far, YEAR, "班子涣散", county, local(YEAR, 2, 1))
    problems = {}
    for key, deadline in (("on_time", date(YEAR, 6, 30)), ("late", date(YEAR, 10, 31)),
                          ("overdue", date(YEAR, 9, 30))):
        problems[key] = rectify.add_problem(session, CLI, weak, rectify.NewProblem(
            category="班子不强", description=f"问题{key}", measures="补选委员",
            deadline=deadline, owner_name="赵远", leader_id=names["吴局长"].id), county,
            local(YEAR, 2, 2))
    rectify.close_problem(session, CLI, problems["on_time"], "已补选", county,
                          local(YEAR, 6, 30, 23))
    rectify.close_problem(session, CLI, problems["late"], "已整改", county, local(YEAR, 11, 5))
    weak_qs = rectify.mark_weak(session, CLI, qingshan.id, YEAR, "阵地薄弱", county,
                                local(YEAR, 3, 1))
    rectify.add_problem(session, CLI, weak_qs, rectify.NewProblem(
        category="阵地建设薄弱", description="活动室漏雨", measures="维修",
        deadline=date(YEAR + 1, 3, 31), owner_id=qs[0].id), county, local(YEAR, 3, 2))
    facts["overdue"] = problems["overdue"].id

    # 双联双促: the county office and 红光村, paired in January: a joint 党课 in Q2 and
    # one in Q4 (hosted by the office), a 主题党日 hosted by 红光村 in Q4, and one
    # planned in Q3 that never took place.
    office, hongguang = names["吴局长"].branch_id, wang.branch_id
    add_pair(session, CLI, office, hongguang, local(YEAR, 1, 3))
    wu, zheng, sun = names["吴局长"], names["郑干事"], names["孙红"]
    _held(session, office, MeetingKind.PARTY_LECTURE, local(YEAR, 6, 18), [wu, zheng, wang],
          partner=hongguang)
    _held(session, office, MeetingKind.PARTY_LECTURE, local(YEAR, 12, 18), [wu, wang, sun],
          partner=hongguang)
    _held(session, hongguang, MeetingKind.THEME_DAY, local(YEAR, 11, 18), [wang, wu],
          partner=office)
    _held(session, office, MeetingKind.THEME_DAY, local(YEAR, 8, 18), [wu], partner=hongguang,
          close=False)

    # 述职: the county's round; 李书记 and 赵远 report, 李书记 hands his report in.
    review = reviews.open_round(session, CLI, OUTBOX, county, YEAR, local(YEAR, 12, 31, 12),
                                WEIGHTS, local(YEAR, 12, 1), TZ)
    reporters = list(session.scalars(select(ReviewReporter).where(
        ReviewReporter.round_id == review.id)))
    for reporter in reporters:
        if reporter.member.name in ("李书记", "冯书记"):
            reviews.submit_report(session, _actor(reporter.member), reporter, "一年来的工作……",
                                  local(YEAR, 12, 20), TZ)
    facts["reporters"] = {r.member.name for r in reporters}

    # 满意度测评: the county asks every branch (quorum 1/2); answers per branch below.
    survey = open_survey(session, CLI, session.get_one(Org, county), YEAR, "2025年度党员满意度测评",
                         ["对支部班子是否满意", "对三会一课是否满意"], date(YEAR, 11, 1),
                         date(YEAR, 11, 30), 0.5, local(YEAR, 11, 1), outbox=OUTBOX)
    answers = {"李书记": [S, S], "张明": [S, F], "刘芳": [D, S],  # 辽原村 3 of 4
               "王书记": [S, S], "孙红": [F, F],  # 红光村 2 of 2
               "赵远": [S, S],  # 远山村 1 of 3: below the quorum
               "冯书记": [S, S], "蒋华": [S, D]}  # 青山村 2 of 3; the office: nobody
    for name, chosen in answers.items():
        if name not in ("王书记", "孙红"):
            answer_survey(session, _actor(names[name]), names[name], survey, chosen,
                          local(YEAR, 11, 10), TZ)
    session.commit()
    clock.set(local(YEAR, 11, 12, 10))  # 红光村 answers in chat (1 满意, 2 基本满意)
    assert chat.say("o-wang", "满意度 11").startswith("谢谢！你的回答已匿名记下")
    assert chat.say("o-sun", "满意度 22").startswith("谢谢！你的回答已匿名记下")
    session.expire_all()
    close_survey(session, CLI, survey, local(YEAR, 12, 1))
    facts["answers"] = answers
    session.commit()
    return facts


# ---- counting again, in plain Python over every row (no measure, no grouped query) ----

def _local(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(TZ)


def _in_year(moment: datetime | None) -> bool:
    return moment is not None and _local(moment).year == YEAR


def expected_ratios(session, facts) -> dict[str, dict[int, Ratio]]:  # type: ignore[no-untyped-def]
    """Each measure of the scheme, per branch-level org, counted from the rows."""
    orgs = list(session.scalars(select(Org)))
    parent = {o.id: o.parent_id for o in orgs}
    has_groups = {o.parent_id for o in orgs if o.kind == OrgKind.GROUP}
    members = list(session.scalars(select(Member)))
    branch_of = {m.id: m.branch_id for m in members}
    roster: dict[int, list[Member]] = defaultdict(list)
    for m in members:
        roster[m.branch_id].append(m)
    leaves = [o.id for o in orgs if o.kind == OrgKind.BRANCH]
    all_meetings = list(session.scalars(select(Meeting)))
    held = [m for m in all_meetings if m.status == MeetingStatus.HELD and _in_year(m.starts_at)]
    out: dict[str, dict[int, Ratio]] = defaultdict(dict)
    for org in leaves:
        # 三会一课: each required kind once per period; a joint meeting of a kind the
        # 双联双促 rules count for the partner counts for the partner too.
        periods = set()
        for m in held:
            ours = m.org_id == org or (m.joint_org_id == org and counts_for_partner(m.kind))
            required = m.kind in DEFAULT_CADENCE and (m.kind != MeetingKind.GROUP_MEETING
                                                      or org in has_groups)
            if ours and required:
                scale = DEFAULT_CADENCE[m.kind]
                periods.add((m.kind, QUARTER_OF[scale](_local(m.starts_at))))
        due = sum(PERIODS[scale] for kind, scale in DEFAULT_CADENCE.items()
                  if kind != MeetingKind.GROUP_MEETING or org in has_groups)
        out["meetings_held"][org] = Ratio(len(periods), due)
        own = [m for m in held if m.org_id == org]
        out["attendance"][org] = Ratio(sum(m.present_count for m in own),
                                       sum(m.expected_count for m in own))
        chain, up = [], org
        while up is not None:
            chain.append(up)
            up = parent[up]
        items = {i.id for i in session.scalars(select(StudyItem))
                 if _in_year(i.publish_at) and i.withdrawn_at is None and i.org_id in chain[:4]}
        studied = sum(1 for r in session.scalars(select(StudyRecord))
                      if r.item_id in items and branch_of[r.member_id] == org)
        out["study_rate"][org] = Ratio(studied, len(roster[org]) * len(items))
        status = {o.id: o.status for o in session.scalars(select(Outbox))}
        notices = [o for o in session.scalars(select(Outbox))
                   if o.kind != COMBINED_KIND and o.channel != Channel.TAG
                   and _in_year(o.created_at) and branch_of.get(o.member_id) == org]
        reached = sum(1 for o in notices if o.status in (Status.SENT, Status.RELAYED) or (
            o.status == Status.MERGED and status.get(o.carried_by) in (Status.SENT,
                                                                       Status.RELAYED)))
        out["notice_reach"][org] = Ratio(reached, len(notices))
        relays = [r for r in session.scalars(select(Relay))
                  if branch_of[r.member_id] == org and _in_year(r.created_at)
                  and (r.confirmed_at is not None or r.dropped_at is None)]
        out["relays_confirmed"][org] = Ratio(sum(r.confirmed_at is not None for r in relays),
                                             len(relays))
        out["evaluation_completed"][org] = Ratio(int(org == facts["ids"]["liaoyuan"]), 1)
        joint = [m for m in held if m.joint_org_id is not None and org in (m.org_id,
                                                                            m.joint_org_id)]
        if org in (facts["ids"]["office"], facts["ids"]["hongguang"]):
            out["joint_sessions"][org] = Ratio(min(len(joint), 4), 4)
        answered = [name for name in facts["answers"] if any(
            m.name == name for m in roster[org])]
        if len(answered) >= -(-len(roster[org]) // 2):  # the quorum: half, rounded up
            choices = [c for name in answered for c in facts["answers"][name]]
            out["satisfaction"][org] = Ratio(choices.count(S), len(choices))
    # 整顿: 远山村's three problems due in 2025, one closed by its deadline's day.
    out["rectification_on_time"][facts["ids"]["far"]] = Ratio(1, 3)
    return out


def _expected_line(clause, ratio: Ratio | None) -> tuple[str, float | None, bool]:  # type: ignore[no-untyped-def]
    """(detail, score, counted) as the sheet should show a computed or survey clause."""
    if ratio is None or ratio.due == 0:
        return ("未达法定人数" if clause.source.value == "survey" else "本期无应完成事项，不计入",
                None, False)
    share = ratio.done / ratio.due
    return (f"{ratio.done}/{ratio.due} = {round(share * 100)}%",
            clause.scale.score(share, clause.points), True)


def test_a_county_year_scores_what_happened_and_closing_freezes_it(session, chat, clock):  # type: ignore[no-untyped-def]
    year = build_county(session)
    text = readme_scheme().replace("year = 2026", f"year = {YEAR}", 1)
    load_scheme(session, CLI, text, local(YEAR, 1, 2))
    facts = _live_year(session, chat, clock)
    ids = {**year.ids, "qingshan": facts["qingshan"]}
    facts["ids"] = ids
    scheme = parse_scheme(text, MEASURES)
    assessed = [ids[k] for k in ("east", "west", "liaoyuan", "hongguang", "far", "qingshan",
                                 "office")]
    sheets = compute_sheets(session, YEAR, assessed)
    assert set(sheets) == set(assessed)

    expected = expected_ratios(session, facts)
    below = {ids["east"]: [ids["liaoyuan"], ids["hongguang"]],
             ids["west"]: [ids["far"], ids["qingshan"]]}
    checked = 0
    for org_id, sheet in sheets.items():
        clauses = {c.key: c for c in scheme.clauses_for(sheet.level)}
        assert [line.clause_key for line in sheet.lines] == list(clauses)
        for line in sheet.lines:
            clause = clauses[line.clause_key]
            if clause.source not in MEASURED:
                assert (line.score, line.detail) == (None, "待评分")
                continue
            found = expected[clause.measure or ""]
            parts = [found.get(i) for i in below.get(org_id, [org_id])]
            ratio = (sum((p for p in parts if p is not None), Ratio(0, 0))
                     if any(p is not None for p in parts) else None)
            assert (line.detail, line.score, line.counted) == _expected_line(clause, ratio), (
                sheet.org_name, line.clause_key)
            checked += 1
    assert checked == 2 * 9 + 4 * 10 + 8  # townships, villages, the office
    # A few figures read off the story, so that the counts above count something.
    by = {(o, line.clause_key): line for o, s in sheets.items() for line in s.lines}
    assert by[ids["hongguang"], "life.meetings"].detail == "20/21 = 95%"  # joint 党课 in Q4
    assert by[ids["far"], "build.rectification"].detail == "1/3 = 33%"
    assert by[ids["west"], "build.rectification"].detail == "1/3 = 33%"
    assert by[ids["east"], "team.evaluation"].detail == "1/2 = 50%"
    assert by[ids["far"], "survey.members"].detail == "未达法定人数"
    assert by[ids["west"], "survey.members"].detail == "3/4 = 75%"
    assert by[ids["office"], "role.joint"].detail == "3/4 = 75%"
    # 述职 is not in the README's scheme: its measure, against the reports handed in.
    assert facts["reporters"] == {"李书记", "王书记", "赵远", "冯书记", "吴局长"}
    submitted = review_submitted(session, assessed, Span.year(YEAR))
    assert submitted == {ids["liaoyuan"]: Ratio(1, 1), ids["qingshan"]: Ratio(1, 1),
                         ids["hongguang"]: Ratio(0, 1), ids["far"]: Ratio(0, 1),
                         ids["office"]: Ratio(0, 1)}

    # The county closes the year; then the records change.
    assert close_year(session, CLI, YEAR, local(YEAR + 1, 1, 10)) == 7
    session.commit()
    planned = session.scalars(select(Meeting).where(
        Meeting.org_id == ids["qingshan"], Meeting.status == MeetingStatus.PLANNED)).one()
    meetings.close_meeting(session, CLI, planned, local(YEAR + 1, 1, 11))
    overdue = session.get_one(Problem, facts["overdue"])
    rectify.close_problem(session, CLI, overdue, "已整改（超期）", ids["county"],
                          local(YEAR + 1, 1, 12))
    on_time = session.scalars(select(Problem).where(
        Problem.description == "问题on_time")).one()
    rectify.reopen_problem(session, CLI, on_time, "复查不合格", ids["county"],
                           local(YEAR + 1, 1, 12))
    session.commit()

    frozen = compute_sheets(session, YEAR, assessed)
    assert {o: (s.lines, s.total) for o, s in frozen.items()} == {
        o: (s.lines, s.total) for o, s in sheets.items()}
    assert all(s.frozen for s in frozen.values())
    again = live_sheets(session, scheme, assessed, Span.year(YEAR), MEASURES)
    now_by = {(o, line.clause_key): line for o, s in again.items() for line in s.lines}
    assert by[ids["qingshan"], "life.meetings"].detail == "2/21 = 10%"
    assert now_by[ids["qingshan"], "life.meetings"].detail == "3/21 = 14%"
    assert now_by[ids["far"], "build.rectification"].detail == "0/3 = 0%"
    assert now_by[ids["west"], "build.rectification"].detail == "0/3 = 0%"
    changed = {key for key, line in now_by.items() if line != by[key]}
    assert {(ids["qingshan"], "life.meetings"), (ids["far"], "build.rectification")} <= changed

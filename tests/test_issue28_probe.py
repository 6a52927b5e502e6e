"""Issue 28's pages probed as an attacker: a branch secretary and a township's staff
changing ids in URLs and forms to reach another township's sheet, rectification,
evaluation round, 述职 reporter, joint pair, survey, marks and evidence (404 and
nothing changed), and garbage in the forms (a Chinese refusal or a 4xx, never a 500)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.actors import Actor
from models.assessment.actions import load_scheme
from models.assessment.mark_actions import add_inspector
from models.console.audit import AuditEntry
from models.evaluation.tables import EvaluationRound
from models.joint.tables import JointItem, JointPair
from models.members.tables import Member
from models.rectification.tables import Milestone, Problem, WeakBranch
from models.reviews.tables import ReviewReporter, ReviewRound
from models.survey.tables import Survey
from tests.county_year import build_county
from tests.test_assessment_marks import SCHEME, YEAR
from tests.test_console_meetings import logged_in

WEST_MEMBERS = ["钱远一", "孙远二", "李远三"]


@pytest.fixture
def app(api_settings, clock):  # type: ignore[no-untyped-def]
    """The app with the fake WeChat API (the member pages log in through it)."""
    from bot import create_app
    from bot.services import services_of

    built = create_app(api_settings, clock=clock)
    yield built
    services_of(built).dispose()


@pytest.fixture
def world(app, session, clock):  # type: ignore[no-untyped-def]
    """The county of tests/county_year.py, with something of every issue-28 kind in
    远山村 (the west township): a weak-branch ledger, an evaluation round, a 述职 round,
    a joint pair with an item, a survey, an inspection mark."""
    from tests.factories import make_member

    ids = build_county(session, clock())
    from models.members.org_tables import Org
    far = session.get(Org, ids["far"])
    for i, name in enumerate(WEST_MEMBERS):
        make_member(session, far, name, f"139000000{i:02d}", openid=f"o-w{i}")
    load_scheme(session, Actor.cli("root"), SCHEME, clock())
    add_inspector(session, Actor.cli("root"), clock(),
                  member=session.get(Member, ids["inspector"]))
    session.commit()
    county = logged_in(app, "county-it")
    today = clock().date()
    year = clock().year

    def ok(path: str, **form: object) -> None:
        got = county.post(path, data={"csrf_token": county.token, **form})
        assert got.status_code == 302, (path, got.get_data(as_text=True)[:500])

    ok("/admin/rectification/mark", branch_id=ids["far"], year=str(year), reason="班子软弱")
    session.rollback()
    weak = session.scalars(select(WeakBranch)).one()
    ok(f"/admin/rectification/{weak.id}/problem", category="组织生活不规范",
       description="三会一课不按时召开", measures="每月主题党日", owner="赵远",
       deadline=(today + timedelta(days=90)).isoformat(), milestones="方案:60，验收:7")
    ok(f"/admin/branch/{ids['far']}/evaluation/open",
       closes_on=(today + timedelta(days=10)).isoformat())
    ok("/admin/reviews", year=str(year), deadline=(today + timedelta(days=10)).isoformat(),
       w_self="10", w_county="40", w_leader="20", w_members="30")
    ok("/admin/joint/pairs", office=ids["office"], branch=ids["far"])
    session.rollback()
    pair = session.scalars(select(JointPair)).one()
    ok(f"/admin/joint/{pair.id}/items", text="修村路", owner="赵远",
       deadline=(today + timedelta(days=30)).isoformat())
    west = logged_in(app, "west-it")
    sent = west.post("/admin/survey", data={
        "csrf_token": west.token, "title": "满意度", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=5)).isoformat(), "quorum": "60",
        "questions": "对支部班子是否满意"})
    assert sent.status_code == 302
    session.rollback()
    ids.update(
        year=year, weak=weak.id, problem=session.scalars(select(Problem.id)).one(),
        milestone=session.scalars(select(Milestone.id)).first(),
        round=session.scalars(select(EvaluationRound.id)).one(),
        review=session.scalars(select(ReviewRound.id)).one(),
        pair=pair.id, item=session.scalars(select(JointItem.id)).one(),
        survey=session.scalars(select(Survey.id)).one(),
        reporters={r.org_id: r.id for r in session.scalars(select(ReviewReporter))})
    return ids


def _counts(session):  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count()).select_from(AuditEntry))


def test_another_townships_things_are_404_to_a_branch_and_a_township(app, session, world):
    w = world
    far_reporter = w["reporters"].get(w["far"]) or w["reporters"].get(w["west"])
    gets = [
        f"/admin/assess/{YEAR}/org/{w['far']}", f"/admin/assess/{YEAR}/org/{w['west']}",
        f"/admin/assess/marks/{YEAR}/org/{w['far']}",
        f"/admin/assess/marks/{YEAR}/org/{w['west']}",
        f"/admin/branch/{w['far']}/rectification",
        f"/admin/branch/{w['far']}/evaluation", f"/admin/org/{w['west']}/evaluation",
        f"/admin/joint/{w['pair']}", f"/admin/survey/{w['survey']}",
    ]
    if far_reporter:
        gets.append(f"/admin/review/reporter/{far_reporter}")
    posts = {
        f"/admin/rectification/{w['weak']}/problem": {"deadline": "2030-01-01"},
        f"/admin/rectification/problem/{w['problem']}/close": {"note": "done"},
        f"/admin/rectification/problem/{w['problem']}/reopen": {"reason": "x"},
        f"/admin/rectification/milestone/{w['milestone']}/done": {},
        f"/admin/rectification/{w['weak']}/confirm": {},
        "/admin/rectification/mark": {"branch_id": w["far"], "year": "2026", "reason": "x"},
        f"/admin/branch/{w['far']}/evaluation/open": {"closes_on": "2030-01-01"},
        f"/admin/evaluation/{w['round']}/paper": {"voter": w["far_member"]},
        f"/admin/evaluation/{w['round']}/end-voting": {},
        f"/admin/evaluation/{w['round']}/determinations": {},
        f"/admin/evaluation/{w['round']}/close": {},
        f"/admin/joint/{w['pair']}/items": {"text": "x", "owner": "x"},
        f"/admin/joint/item/{w['item']}/close": {"note": "x"},
        f"/admin/joint/{w['pair']}/end": {},
        f"/admin/survey/{w['survey']}/close": {},
        f"/admin/assess/marks/{YEAR}/org/{w['far']}": {"source": "self_check",
                                                        "clause": "team-self", "score": "1"},
        f"/admin/review/{w['review']}/remind": {},
        f"/admin/review/{w['review']}/close": {},
    }
    if far_reporter:
        for what in ("report", "grade", "leader", "rep", "item", "drop"):
            posts[f"/admin/review/reporter/{far_reporter}/{what}"] = {
                "report": "x", "party": "county", "grade": "好", "name": "某代表",
                "text": "x"}
    before = _counts(session)
    for login in ("liaoyuan", "east-it"):
        browser = logged_in(app, login)
        for path in gets:
            assert browser.get(path).status_code == 404, (login, path)
        for path, form in posts.items():
            got = browser.post(path, data={"csrf_token": browser.token, **form})
            allowed = (400, 403, 404, 302) if "/admin/review/" in path and "/reporter/" \
                not in path else (400, 403, 404)  # the county's round: seen, refused
            assert got.status_code in allowed, (login, path, got.status_code)
    assert _counts(session) == before


def test_a_branch_sees_no_ranking_and_no_survey_results(app, session, world):
    w = world
    branch = logged_in(app, "liaoyuan")
    year_page = branch.get(f"/admin/assess/{YEAR}")
    assert year_page.status_code in (302, 404)
    if year_page.status_code == 302:
        assert f"/org/{w['liaoyuan']}" in year_page.location
    assert branch.get(f"/admin/assess/{YEAR}?sort=total").status_code in (302, 404)
    east = logged_in(app, "east-it")
    html = east.get(f"/admin/assess/{YEAR}?sort=total").get_data(as_text=True)
    assert "远山村党支部" not in html and "乌云镇党委" not in html
    assert "排名" not in html and "名次" not in html


GARBAGE = ["", "abc", "-1", "-99", "1e309", "nan", "inf", "99999999999999999999", "2026-02-30",
           "0000-00-00", "9999-12-31", "0001-01-01", "9999-12-30", "\x00", "１２", "x" * 5000,
           "<script>", "%"]
HUGE = "99999999999999999999"


def test_huge_ids_in_urls_are_404(app, session, world):
    county = logged_in(app, "county-it")
    bad = []
    paths = [
        f"/admin/assess/{HUGE}", f"/admin/assess/{HUGE}/org/1", f"/admin/assess/{YEAR}/org/{HUGE}",
        f"/admin/assess/marks/{HUGE}", f"/admin/assess/marks/{HUGE}/org/{world['far']}",
        f"/admin/assess/marks/{YEAR}/org/{HUGE}", f"/admin/assess/marks/evidence/{HUGE}/a.png",
        f"/admin/branch/{HUGE}/rectification", f"/admin/branch/{HUGE}/evaluation",
        f"/admin/org/{HUGE}/evaluation", f"/admin/joint/{HUGE}", f"/admin/survey/{HUGE}",
        f"/admin/review/{HUGE}", f"/admin/review/reporter/{HUGE}",
        f"/admin/review/reporter/{HUGE}/file/a.png",
        f"/admin/rectification/problem/{HUGE}/photos/a.png",
        f"/admin/rectification?year={HUGE}&township={HUGE}", f"/admin/joint?year={HUGE}",
        f"/admin/assess?year={HUGE}", f"/admin/assess/{YEAR}?sort={HUGE}",
    ]
    for path in paths:
        status = county.get(path).status_code
        if status >= 500:
            bad.append((path, status))
    posts = [
        f"/admin/evaluation/{HUGE}/paper", f"/admin/evaluation/{HUGE}/close",
        f"/admin/rectification/{HUGE}/problem", f"/admin/rectification/problem/{HUGE}/close",
        f"/admin/rectification/milestone/{HUGE}/done", f"/admin/joint/{HUGE}/items",
        f"/admin/joint/item/{HUGE}/close", f"/admin/survey/{HUGE}/close",
        f"/admin/review/{HUGE}/close", f"/admin/review/reporter/{HUGE}/grade",
        f"/admin/review/item/{HUGE}/done", f"/admin/assess/{HUGE}/close",
        f"/admin/assess/marks/{HUGE}/org/{world['far']}",
        f"/admin/branch/{HUGE}/evaluation/open",
    ]
    for path in posts:
        status = county.post(path, data={"csrf_token": county.token}).status_code
        if status >= 500:
            bad.append((path, status))
    assert not bad


def _fields_fuzz(browser, path: str, fields: dict[str, str], bad: list) -> None:  # type: ignore[no-untyped-def]
    for name in fields:
        for value in GARBAGE:
            form = {**fields, name: value, "csrf_token": browser.token}
            status = browser.post(path, data=form).status_code
            if status >= 500:
                bad.append((path, name, value[:20], status))


def test_garbage_in_every_form_field_is_never_a_500(app, session, world, clock):
    w = world
    today = clock().date()
    county = logged_in(app, "county-it")
    bad: list = []
    far_reporter = next(iter(w["reporters"].values()), None)
    _fields_fuzz(county, "/admin/rectification/mark",
                 {"branch_id": str(w["liaoyuan"]), "year": "2026", "reason": "x"}, bad)
    _fields_fuzz(county, f"/admin/rectification/{w['weak']}/problem", {
        "category": "组织生活不规范", "description": "x", "measures": "y", "owner": "赵远",
        "leader": "", "lead_unit": "", "departments": "",
        "deadline": (today + timedelta(days=9)).isoformat(), "milestones": "方案:60"}, bad)
    _fields_fuzz(county, f"/admin/rectification/problem/{w['problem']}/reopen",
                 {"reason": "x"}, bad)
    _fields_fuzz(county, f"/admin/branch/{w['liaoyuan']}/evaluation/open",
                 {"closes_on": (today + timedelta(days=9)).isoformat(), "subject": "1",
                  "voter": "1"}, bad)
    _fields_fuzz(county, f"/admin/evaluation/{w['round']}/paper",
                 {"voter": str(w["far_member"]), "grade-1": "excellent"}, bad)
    _fields_fuzz(county, f"/admin/evaluation/{w['round']}/determinations",
                 {f"determination-{w['far_member']}": "excellent",
                  f"reason-{w['far_member']}": "x"}, bad)
    _fields_fuzz(county, f"/admin/evaluation/{w['round']}/close", {"over_cap_reason": "x"}, bad)
    _fields_fuzz(county, "/admin/reviews", {
        "year": "2027", "deadline": (today + timedelta(days=9)).isoformat(), "w_self": "10",
        "w_county": "40", "w_leader": "20", "w_members": "30"}, bad)
    _fields_fuzz(county, f"/admin/review/{w['review']}/deadline",
                 {"deadline": (today + timedelta(days=9)).isoformat()}, bad)
    _fields_fuzz(county, f"/admin/review/{w['review']}/add", {"name": "赵远"}, bad)
    if far_reporter:
        for what, fields in (("grade", {"party": "county", "grade": "好"}),
                             ("leader", {"leader_id": "1"}),
                             ("rep", {"name": "某代表", "grade": "好"}),
                             ("item", {"kind": "problem", "text": "x",
                                       "day": today.isoformat(),
                                       "due": (today + timedelta(days=9)).isoformat()})):
            _fields_fuzz(county, f"/admin/review/reporter/{far_reporter}/{what}", fields, bad)
    _fields_fuzz(county, "/admin/joint/pairs", {"office": str(w["office"]),
                                                 "branch": str(w["hongguang"])}, bad)
    _fields_fuzz(county, f"/admin/joint/{w['pair']}/items",
                 {"text": "x", "owner": "赵远", "deadline": today.isoformat()}, bad)
    _fields_fuzz(county, f"/admin/joint/item/{w['item']}/close", {"note": "x"}, bad)
    _fields_fuzz(county, "/admin/survey", {
        "title": "t", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=5)).isoformat(), "quorum": "60",
        "questions": "q", "branch": str(w["liaoyuan"])}, bad)
    inspector = logged_in(app, "inspector")
    _fields_fuzz(inspector, f"/admin/assess/marks/{YEAR}/org/{w['far']}",
                 {"source": "inspection", "clause": "team-visit", "score": "1", "note": "x"},
                 bad)
    east = logged_in(app, "east-it")
    _fields_fuzz(east, f"/admin/assess/marks/{YEAR}/org/{w['east']}",
                 {"source": "self_check", "clause": "team-self", "score": "1", "note": "x"},
                 bad)
    assert not bad, bad


CHAT_GARBAGE = ["", "abc", "-1", "0", "99999999999999999999", "1e309", "nan", "2026-02-30",
                "9999-12-31", "0001-01-01", "12月32日", "13月1日", "2月30日", "1 优秀 2",
                "１ 优秀", "9999 优秀", "-1 合格", "1 x", "1好", "99 好", "好 好 好",
                "x" * 3000, "\u200b", "张明 李书记 优秀", "张明 张明 优秀", "没这人 张明 合格",
                "张明 李书记 优秀 刘芳 合格 王强", "123", "1" * 50, "4444", "٣",
                "² 优秀", "张明 ² 优秀", "² 好", "²", "1 ²"]


def test_garbage_after_every_new_chat_command_is_never_a_crash(app, session, world, chat,
                                                               clock):
    from core import texts

    today = clock().date()
    secretary = logged_in(app, "liaoyuan")
    opened = secretary.post(f"/admin/branch/{world['liaoyuan']}/evaluation/open", data={
        "csrf_token": secretary.token, "closes_on": (today + timedelta(days=9)).isoformat()})
    assert opened.status_code == 302
    east = logged_in(app, "east-it")
    assert east.post("/admin/survey", data={
        "csrf_token": east.token, "title": "满意度", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=5)).isoformat(), "quorum": "60",
        "questions": "对支部班子是否满意\n对三会一课是否满意"}).status_code == 302
    crashed = []
    for openid in ("o-li", "o-ly2", "o-far"):
        for command in ("自评", "评议", "开始评议", "纸质选票", "测评", "满意度", "评议进度"):
            for arg in CHAT_GARBAGE:
                reply = chat.say(openid, f"{command} {arg}".strip())
                if reply == texts.SORRY or not reply.strip():
                    crashed.append((openid, command, arg[:20]))
    assert not crashed, crashed


def test_the_stored_replies_do_not_keep_a_voters_choices(app, session, world, chat, clock):
    """Every reply is kept with the sender's openid (inbound_message, for WeChat's
    retries; four days by default, forever with PARTYBOT_RETAIN_INBOUND_DAYS=0, and in
    every backup): a 评议 reply naming the member's choices must not be kept as it is."""
    from core import texts
    from models.db.inbound import InboundMessage

    today = clock().date()
    secretary = logged_in(app, "liaoyuan")
    assert secretary.post(f"/admin/branch/{world['liaoyuan']}/evaluation/open", data={
        "csrf_token": secretary.token,
        "closes_on": (today + timedelta(days=9)).isoformat()}).status_code == 302
    answers = [chat.say("o-ly2", "评议 李书记 优秀 刘芳 不合格"), chat.say("o-ly2", "评议"),
               chat.say("o-ly2", "我的评议")]
    assert all("李书记优秀" in a or "李书记：优秀" in a for a in answers), answers
    session.rollback()
    kept = session.scalars(select(InboundMessage.reply).where(
        InboundMessage.openid == "o-ly2")).all()
    assert len(kept) == 3
    # WeChat's retry of the same message gets the neutral text, and counts nothing twice
    retry = chat.say("o-ly2", "评议 李书记 合格", msg_id="7000000000000000001")
    assert "李书记合格" in retry
    again = chat.say("o-ly2", "评议 李书记 合格", msg_id="7000000000000000001")
    assert again == texts.SECRET_REPLY_NOT_KEPT
    session.rollback()
    kept = session.scalars(select(InboundMessage.reply).where(
        InboundMessage.openid == "o-ly2")).all()
    for reply in kept:
        assert "李书记优秀" not in reply and "李书记：优秀" not in reply, reply
        assert "刘芳不合格" not in reply and "刘芳：不合格" not in reply, reply


def test_garbage_on_the_member_pages_is_never_a_500(app, session, world, clock, fake):
    from tests.test_pages_login import csrf_of, open_as

    today = clock().date()
    secretary = logged_in(app, "liaoyuan")
    assert secretary.post(f"/admin/branch/{world['liaoyuan']}/evaluation/open", data={
        "csrf_token": secretary.token,
        "closes_on": (today + timedelta(days=9)).isoformat()}).status_code == 302
    east = logged_in(app, "east-it")
    assert east.post("/admin/survey", data={
        "csrf_token": east.token, "title": "满意度", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=5)).isoformat(), "quorum": "60",
        "questions": "对支部班子是否满意"}).status_code == 302
    session.rollback()
    survey = session.scalars(select(Survey.id).order_by(Survey.id.desc())).first()
    phone, _ = open_as(app, fake, "o-ly2", "/m/evaluation")
    token = csrf_of(phone.get("/m/evaluation").get_data(as_text=True))
    bad = []
    for value in [*GARBAGE, "²", "٣", "0", str(world["far_member"])]:
        for path, form in (
                ("/m/evaluation/vote", {"subject": value, "grade": "excellent"}),
                ("/m/evaluation/vote", {"subject": "1", "grade": value}),
                ("/m/evaluation/self", {"text": value}),
                (f"/m/survey/{survey}", {"q1": value}),
                (f"/m/survey/{HUGE}", {"q1": value}),
                (f"/m/review/{HUGE}/vote", {"grade": value}),
                (f"/m/review/{HUGE}/report", {"report": value}),
                (f"/m/review/{world['reporters'].get(world['liaoyuan'], 1)}/vote",
                 {"grade": value})):
            status = phone.post(path, data={"csrf_token": token, **form}).status_code
            if status >= 500:
                bad.append((path, form))
    assert not bad, bad


def test_no_log_line_or_audit_entry_puts_a_voter_next_to_a_choice(app, session, world, chat,
                                                                  clock, caplog):
    import logging

    today = clock().date()
    secretary = logged_in(app, "liaoyuan")
    assert secretary.post(f"/admin/branch/{world['liaoyuan']}/evaluation/open", data={
        "csrf_token": secretary.token,
        "closes_on": (today + timedelta(days=9)).isoformat()}).status_code == 302
    east = logged_in(app, "east-it")
    assert east.post("/admin/survey", data={
        "csrf_token": east.token, "title": "满意度", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=5)).isoformat(), "quorum": "60",
        "questions": "对支部班子是否满意"}).status_code == 302
    session.rollback()
    before = session.scalar(select(func.max(AuditEntry.id))) or 0
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    said = [chat.say("o-ly2", "评议 李书记 优秀"), chat.say("o-ly2", "满意度 3"),
            chat.say("o-ly2", "测评 1 差"), chat.say("o-ly3", "测评 差")]
    assert "已记下" in said[0] and "谢谢" in said[1], said
    lines = [r.getMessage() + " " + str(r.__dict__.get("args")) for r in caplog.records]
    for line in lines:
        if "o-ly2" in line or "张明" in line or "o-ly3" in line or "刘芳" in line:
            for word in ("优秀", "不满意", "dissatisfied", "excellent", "差", "poor"):
                assert word not in line, (line, said)
    session.rollback()
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.id > before)):
        text = f"{entry.__dict__}"
        assert "张明" not in text and "o-ly2" not in text and "刘芳" not in text, text


def test_out_of_scope_ids_in_the_forms_of_in_scope_pages_change_nothing(app, session, world,
                                                                        clock):
    from models.evaluation.tables import EvaluationSubject, EvaluationVoter
    from models.survey.tables import SurveyTarget

    w = world
    today = clock().date()
    secretary = logged_in(app, "liaoyuan")
    opened = secretary.post(f"/admin/branch/{w['liaoyuan']}/evaluation/open", data={
        "csrf_token": secretary.token, "closes_on": (today + timedelta(days=9)).isoformat(),
        "subject": [str(w["far_member"]), str(w["secretary"]), str(w["liaoyuan_members"][1])],
        "voter": [str(w["far_member"]), str(w["hg_admin"]), str(w["liaoyuan_members"][2])]})
    shown = secretary.get(opened.location).get_data(as_text=True)
    assert "选的党员不都是本支部的" in shown  # refused as a whole
    session.rollback()
    assert session.scalars(select(EvaluationRound).where(
        EvaluationRound.branch_id == w["liaoyuan"])).first() is None
    assert secretary.post(f"/admin/branch/{w['liaoyuan']}/evaluation/open", data={
        "csrf_token": secretary.token,
        "closes_on": (today + timedelta(days=9)).isoformat()}).status_code == 302
    session.rollback()
    mine = session.scalars(select(EvaluationRound).where(
        EvaluationRound.branch_id == w["liaoyuan"])).one()
    subjects = set(session.scalars(select(EvaluationSubject.member_id).where(
        EvaluationSubject.round_id == mine.id)))
    voters = set(session.scalars(select(EvaluationVoter.member_id).where(
        EvaluationVoter.round_id == mine.id)))
    assert w["far_member"] not in subjects | voters and w["hg_admin"] not in voters
    paper = secretary.post(f"/admin/evaluation/{mine.id}/paper", data={
        "csrf_token": secretary.token, "voter": str(w["far_member"]),
        f"grade-{w['secretary']}": "excellent"})
    assert paper.status_code == 404
    east = logged_in(app, "east-it")
    east.post("/admin/survey", data={
        "csrf_token": east.token, "title": "越界", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=5)).isoformat(), "quorum": "60",
        "questions": "q", "branch": [str(w["far"])]})
    session.rollback()
    survey = session.scalars(select(Survey).where(Survey.title == "越界")).first()
    if survey is not None:
        targets = set(session.scalars(select(SurveyTarget.org_id).where(
            SurveyTarget.survey_id == survey.id)))
        assert w["far"] not in targets
    east.post(f"/admin/rectification/{w['weak']}/problem", data={
        "csrf_token": east.token, "category": "组织生活不规范", "description": "x",
        "measures": "y", "owner": "赵远", "deadline": "2027-01-01"})
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Problem)) == 1


def test_the_rest_of_a_long_list_of_choices_is_not_kept_plainly(app, session, world, chat,
                                                                clock):
    """A branch of 120: the 评议 list with the member's choices is longer than one WeChat
    message; its rest waits for 更多 (reply_rest) and the 更多 reply is kept too."""
    from core import texts
    from models.db.inbound import InboundMessage
    from models.delivery.reply_rest import ReplyRest
    from models.members.org_tables import Org
    from tests.factories import make_member

    branch = session.get(Org, world["liaoyuan"])
    for i in range(300):
        make_member(session, branch, f"党员{i:03d}", f"137{i:08d}")
    session.commit()
    today = clock().date()
    secretary = logged_in(app, "liaoyuan")
    assert secretary.post(f"/admin/branch/{world['liaoyuan']}/evaluation/open", data={
        "csrf_token": secretary.token,
        "closes_on": (today + timedelta(days=9)).isoformat()}).status_code == 302
    assert "已记下" in chat.say("o-ly2", "评议 党员119 优秀 党员299 不合格")
    first = chat.say("o-ly2", "评议")
    assert "党员119" not in first
    session.rollback()
    waiting = session.scalars(select(ReplyRest.text)).all()
    assert waiting and all("党员119：优秀" not in text for text in waiting)
    pages = [first]
    while "回复「更多」" in pages[-1] and len(pages) < 10:
        pages.append(chat.say("o-ly2", "更多"))
        session.rollback()
        assert all("党员119：优秀" not in t for t in session.scalars(select(ReplyRest.text)))
    whole = "\n".join(p.replace(texts.MORE_FOOTER, "").strip() for p in pages)
    assert len(pages) >= 3 and "党员119：优秀" in whole and "党员299：不合格" in whole
    numbers = [line.split(".")[0] for line in whole.split("\n") if "党员" in line]
    assert numbers == [str(n) for n in range(6, 6 + 300)], numbers[:5]  # none lost or twice
    assert chat.say("o-ly2", "更多") == texts.MORE_NOTHING
    session.rollback()
    for reply in session.scalars(select(InboundMessage.reply).where(
            InboundMessage.openid == "o-ly2")):
        assert "党员119：优秀" not in reply and "党员119优秀" not in reply


def test_a_long_line_of_my_choices_pages_through_without_repeating(app, session, world, chat,
                                                                   clock):
    from core import texts
    from models.delivery.reply_rest import ReplyRest
    from models.evaluation.actions import cast_votes
    from models.evaluation.queries import subjects_of
    from models.evaluation.tables import Grade
    from models.members.org_tables import Org
    from tests.factories import make_member

    branch = session.get(Org, world["liaoyuan"])
    for i in range(300):
        make_member(session, branch, f"党员{i:03d}", f"137{i:08d}")
    session.commit()
    secretary = logged_in(app, "liaoyuan")
    assert secretary.post(f"/admin/branch/{world['liaoyuan']}/evaluation/open", data={
        "csrf_token": secretary.token,
        "closes_on": (clock().date() + timedelta(days=9)).isoformat()}).status_code == 302
    session.rollback()
    round_ = session.scalars(select(EvaluationRound).where(
        EvaluationRound.branch_id == world["liaoyuan"])).one()
    me = session.scalars(select(Member).where(Member.openid == "o-ly2")).one()
    choices = {s.member_id: Grade.EXCELLENT if s.name == "党员299" else Grade.QUALIFIED
               for s in subjects_of(session, round_) if s.member_id != me.id}
    cast_votes(session, Actor.member(me.id, me.name), round_, me, choices, clock())
    session.commit()
    pages = [chat.say("o-ly2", "我的评议")]
    while "回复「更多」" in pages[-1] and len(pages) < 12:
        session.rollback()
        assert all("党员299优秀" not in t for t in session.scalars(select(ReplyRest.text)))
        pages.append(chat.say("o-ly2", "更多"))
    assert 2 <= len(pages) < 12
    whole = "".join(p.replace(texts.MORE_FOOTER, "").strip("\n") for p in pages)
    assert whole.count("党员299优秀") == 1 and whole.count("党员150合格") == 1


@pytest.mark.parametrize("text", [
    "a = " + "[" * 3000 + "]" * 3000 + "\n",
    SCHEME.replace("points = 6", "points = inf", 1),
    SCHEME.replace("points = 6", "points = nan", 1),
])
def test_a_scheme_nested_deep_or_with_endless_points_is_refused_on_the_page(app, session,
                                                                            clock, text):
    build_county(session, clock())
    county = logged_in(app, "county-it")
    got = county.post("/admin/assess", data={"csrf_token": county.token, "text": text})
    assert got.status_code == 400, got.status_code
    html = got.get_data(as_text=True)
    assert "「points」应是数字" in html or "括号嵌套太深" in html


def test_a_township_reaches_nothing_of_the_county_above_it(app, session, world):
    w = world
    east = logged_in(app, "east-it")
    for path in (f"/admin/assess/{YEAR}/org/{w['county']}",
                 f"/admin/org/{w['county']}/evaluation", f"/admin/assess/{YEAR}/close",
                 f"/admin/assess/marks/{YEAR}/org/{w['county']}",
                 f"/admin/assess/{YEAR}/org/{w['office']}",
                 f"/admin/branch/{w['office']}/evaluation"):
        assert east.get(path).status_code == 404, path
    html = east.get(f"/admin/review/{w['review']}?sort=total").get_data(as_text=True)
    assert "远山村" not in html and "县财政局" not in html
    assert east.post(f"/admin/assess/{YEAR}/close",
                     data={"csrf_token": east.token}).status_code == 404


SURVEY_CLAUSE = '''
[[item.clause]]
key = "team-survey"
title = "党员满意度"
points = 5
applies_to = ["township", "branch"]
source = "survey"
measure = "satisfaction"
thresholds = [[0.9, 5], [0.6, 3]]
'''


def test_a_branch_does_not_read_its_own_survey_result_on_its_sheet(app, session, world,
                                                                   chat, clock):
    """The survey's results go to the org above only: the branch's own sheet gives the
    clause's points, not its members' answers (满意 x/y); the township reads them."""
    load_scheme(session, Actor.cli("root"), SCHEME + SURVEY_CLAUSE, clock())
    session.commit()
    today = clock().date()
    east = logged_in(app, "east-it")
    assert east.post("/admin/survey", data={
        "csrf_token": east.token, "title": "满意度", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=5)).isoformat(), "quorum": "60",
        "questions": "对支部班子是否满意"}).status_code == 302
    for openid, answer in (("o-li", "1"), ("o-ly2", "1"), ("o-ly3", "3"), ("o-ly4", "1")):
        assert "谢谢" in chat.say(openid, f"满意度 {answer}")
    url = f"/admin/assess/{YEAR}/org/{world['liaoyuan']}"
    above = east.get(url).get_data(as_text=True)
    assert "党员满意度" in above and "3/4 = 75%" in above
    own = logged_in(app, "liaoyuan").get(url)
    assert own.status_code == 200
    html = own.get_data(as_text=True)
    assert "党员满意度" in html and "3/4" not in html and "75%" not in html


def test_garbage_files_are_refused_not_a_500(app, session, world):
    from io import BytesIO

    w = world
    files = [b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b"%PDF-", b"GIF89a" + b"x" * 10,
             b"\xff\xd8\xff" + b"\x00" * 20, b"PK\x03\x04" + b"x" * 30]
    county = logged_in(app, "county-it")
    east = logged_in(app, "east-it")
    reporter = next(iter(w["reporters"].values()), None)
    bad = []
    for data in files:
        for browser, path, field, form in (
                (east, f"/admin/assess/marks/{YEAR}/org/{w['east']}", "evidence",
                 {"source": "self_check", "clause": "team-self", "score": "1"}),
                (county, f"/admin/rectification/problem/{w['problem']}/close", "photos",
                 {"note": "x"}),
                (county, f"/admin/review/reporter/{reporter}/file", "file", {})):
            got = browser.post(path, data={"csrf_token": browser.token, **form,
                                           field: (BytesIO(data), "x.png")},
                               content_type="multipart/form-data")
            if got.status_code >= 500:
                bad.append((path, data[:8]))
    assert not bad, bad

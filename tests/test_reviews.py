"""述职评议 (issue 28, section 2) over the models and the chat: the round's default
reporters, the weights, grading rights, one anonymous 测评 vote per member (also under
concurrent submission on PostgreSQL), the frozen close."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bot.services import services_of
from models.actors import Actor
from models.console.audit import AuditEntry
from models.db.write_gate import write_session
from models.delivery.outbox import Outbox
from models.errors import DomainError
from models.reviews import actions
from models.reviews.queries import round_rows
from models.reviews.tables import Party, ReviewReporter, ReviewRound, ReviewTally, ReviewVoter
from tests.conftest import PG_URL, Chat
from tests.reviews_support import WEIGHTS, build_county, deadline, zhou_actor


@pytest.fixture
def ids(session, clock):  # type: ignore[no-untyped-def]
    return build_county(session, clock)


def open_round(app, session, clock, ids, weights=None):  # type: ignore[no-untyped-def]
    services = services_of(app)
    review = actions.open_round(session, zhou_actor(ids), services.outbox, ids["county"],
                                2026, deadline(clock), weights or WEIGHTS, clock(),
                                services.settings.tz)
    session.commit()
    return review


def reporter_of(session, review, member_id):  # type: ignore[no-untyped-def]
    return session.scalars(select(ReviewReporter).where(
        ReviewReporter.round_id == review.id, ReviewReporter.member_id == member_id)).one()


def test_open_picks_secretaries_and_checks_weights(app, session, clock, ids):
    services = services_of(app)
    bad = dict(WEIGHTS, **{Party.SELF: 20})
    with pytest.raises(DomainError, match="加起来要等于100（现在是110）"):
        actions.open_round(session, zhou_actor(ids), services.outbox, ids["county"], 2026,
                           deadline(clock), bad, clock(), services.settings.tz)
    with pytest.raises(DomainError, match="县委组织部"):
        actions.open_round(session, Actor.member(ids["li"], "李书记"), services.outbox,
                           ids["county"], 2026, deadline(clock), WEIGHTS, clock(),
                           services.settings.tz)
    session.rollback()
    review = open_round(app, session, clock, ids)
    names = {r.member.name: r.org.name for r in session.scalars(select(ReviewReporter))}
    # the 书记 of each branch and the township admin who is 书记; not the 副书记
    assert names == {"李书记": "辽原村党支部", "赵远": "远山村党支部", "孙乡书记": "东乡党委",
                     "吴支委": "静水村党支部"}  # (no 书记 on its roster: its admin)
    told = session.scalars(select(Outbox).where(Outbox.kind == "review")).all()
    assert len(told) == 4 and "述职评议开始了" in told[0].payload["text"]
    with pytest.raises(DomainError, match="已经开始了"):
        open_round(app, session, clock, ids)
    session.rollback()
    added = actions.add_reporter(session, zhou_actor(ids), review, ids["zhou"], clock())
    assert added.org_id == ids["office"]
    with pytest.raises(DomainError, match="已经在述职名单里"):
        actions.add_reporter(session, zhou_actor(ids), review, ids["zhou"], clock())


def test_grades_weights_and_total(app, session, clock, ids):
    services = services_of(app)
    review = open_round(app, session, clock, ids)
    li = reporter_of(session, review, ids["li"])
    with pytest.raises(DomainError, match="只有李书记本人"):
        actions.grade(session, zhou_actor(ids), li, Party.SELF, "好", clock())
    actions.grade(session, Actor.member(ids["li"], "李书记"), li, Party.SELF, "好", clock())
    actions.grade(session, zhou_actor(ids), li, Party.COUNTY, "较好", clock())
    # the township's 书记 leads its branch secretaries at first; 西乡 has no admin
    assert li.leader_id == ids["sun"] and reporter_of(session, review, ids["zhao"]).leader_id \
        is None and reporter_of(session, review, ids["sun"]).leader_id == ids["zhou"]
    with pytest.raises(DomainError, match="帮评领导"):
        actions.grade(session, zhou_actor(ids), li, Party.LEADER, "好", clock())
    with pytest.raises(DomainError, match="县级或乡镇党委的管理员"):
        actions.assign_leader(session, zhou_actor(ids), services.outbox, li,
                              ids["voters"]["张明"], clock(), services.settings.tz)
    actions.assign_leader(session, zhou_actor(ids), services.outbox, li, ids["sun"], clock(),
                          services.settings.tz)
    actions.grade(session, Actor.member(ids["sun"], "孙乡书记"), li, Party.LEADER, "一般",
                  clock())
    with pytest.raises(DomainError, match="好、较好、一般、差"):
        actions.grade(session, zhou_actor(ids), li, Party.COUNTY, "优秀", clock())
    for name, grade in (("张明", "好"), ("刘芳", "差")):
        actions.cast_vote(session, ids["voters"][name], li, grade)
    session.commit()
    # 10×100 + 40×85 + 20×70 + 30×(100+50)/2 = 1000 + 3400 + 1400 + 2250 = 8050 → 80.5
    row = next(r for r in round_rows(session, review, None, clock().date()) if r.id == li.id)
    assert row.total == 80.5 and row.members_score == 75 and row.votes == 2
    # a party that has not graded does not count as zero: 赵远 has only 点评 (好)
    zhao = reporter_of(session, review, ids["zhao"])
    actions.grade(session, zhou_actor(ids), zhao, Party.COUNTY, "好", clock())
    actions.close_round(session, zhou_actor(ids), review, clock())
    session.commit()
    assert li.total == 80.5 and zhao.total == 100.0
    for change in (
        lambda: actions.grade(session, zhou_actor(ids), li, Party.COUNTY, "差", clock()),
        lambda: actions.cast_vote(session, ids["voters"]["王强"], li, "好"),
        lambda: actions.submit_report(session, Actor.member(ids["li"], "李书记"), li, "x",
                                      clock(), services.settings.tz),
        lambda: actions.close_round(session, zhou_actor(ids), review, clock()),
        lambda: actions.add_item(session, zhou_actor(ids), li, actions.ItemKind.PROBLEM, "x",
                                 clock().date(), None, clock()),
    ):
        with pytest.raises(DomainError, match="已经结束"):
            change()
        session.rollback()
    assert session.get(ReviewReporter, li.id).total == 80.5


def test_vote_in_chat_once_and_anonymous(app, session, clock, ids, chat: Chat, caplog):
    caplog.set_level("DEBUG")
    review = open_round(app, session, clock, ids)
    li = reporter_of(session, review, ids["li"])
    listing = chat.say("o-zm", "测评")
    # 张明 of 辽原村 grades its secretary and the township's (not 赵远 of 西乡)
    assert "1. 李书记（辽原村党支部）" in listing and "2. 孙乡书记（东乡党委）" in listing
    assert "赵远" not in listing
    assert "请写编号" in chat.say("o-zm", "测评 好")
    assert "已收到您对李书记的测评" in chat.say("o-zm", "测评 1 好")
    assert "测评过了" in chat.say("o-zm", "测评 1 差")
    assert "1. 李书记（辽原村党支部） ✔已投" in chat.say("o-zm", "测评")
    # only 孙乡书记 is left for 张明: 测评 <grade> goes to him
    assert "已收到您对孙乡书记的测评" in chat.say("o-zm", "测评 较好")
    assert "已收到您对李书记的测评" in chat.say("o-lf", "测评1一般")
    assert "没有第3个" in chat.say("o-wq", "测评 3 好")
    assert "好、较好、一般、差" in chat.say("o-wq", "测评 1 优秀")
    assert "不能给自己测评" not in chat.say("o-li", "测评")  # 李书记 sees only 孙乡书记
    assert "没有需要您测评" in chat.say("o-qd", "测评") or "赵远" in chat.say("o-qd", "测评")
    session.rollback()
    tallies = {t.grade: t.count for t in session.scalars(
        select(ReviewTally).where(ReviewTally.reporter_id == li.id))}
    assert tallies == {"好": 1, "较好": 0, "一般": 1, "差": 0}
    assert len(session.scalars(select(ReviewVoter)).all()) == 3
    # no log line and no audit entry names a voter, their openid or their member key
    assert not session.scalars(select(AuditEntry).where(
        AuditEntry.action.like("review.vote%"))).all()
    # (the webhook's debug line says an openid wrote and was answered, never what)
    for record in caplog.records:
        line = record.getMessage()
        for name, openid in (("张明", "o-zm"), ("刘芳", "o-lf")):
            assert name not in line
            assert openid not in line or not any(
                word in line for word in ("测评", "好", "一般", "差", "review"))


def test_a_member_votes_once_even_at_the_same_moment(app, session, clock, ids):
    review = open_round(app, session, clock, ids)
    li_id = reporter_of(session, review, ids["li"]).id
    voter = ids["voters"]["王强"]
    services = services_of(app)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def vote(grade: str) -> None:
        barrier.wait()
        # (on SQLite, writers queue at the write gate; on PostgreSQL both run at once)
        with write_session(services.engine) as own:
            reporter = own.get(ReviewReporter, li_id)
            try:
                actions.cast_vote(own, voter, reporter, grade)
                own.commit()
                outcomes.append("ok")
            except DomainError as refused:
                own.rollback()
                outcomes.append(refused.key)

    threads = [threading.Thread(target=vote, args=(g,)) for g in ("好", "差")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    session.rollback()
    assert sorted(outcomes) == ["REVIEW_VOTED_ALREADY", "ok"]
    counts = session.scalars(select(ReviewTally.count).where(
        ReviewTally.reporter_id == li_id)).all()
    assert sum(counts) == 1
    assert PG_URL is None or session.get_bind().dialect.name == "postgresql"


def test_reminders_once_a_day_and_items_followed_up(app, session, clock, ids):
    services = services_of(app)
    review = open_round(app, session, clock, ids)
    tz = services.settings.tz
    li = reporter_of(session, review, ids["li"])
    actions.submit_report(session, Actor.member(ids["li"], "李书记"), li, "一年来……", clock(),
                          tz)
    assert actions.remind_missing(session, zhou_actor(ids), services.outbox, review, clock(),
                                  tz) == 3
    assert actions.remind_missing(session, zhou_actor(ids), services.outbox, review, clock(),
                                  tz) == 0
    clock.advance(days=1)
    assert actions.remind_missing(session, zhou_actor(ids), services.outbox, review, clock(),
                                  tz) == 3
    session.commit()
    reminded = session.scalars(select(Outbox).where(Outbox.dedupe_key.like("review-remind:%")))
    assert len(reminded.all()) == 6
    clock.advance(days=10)  # past the deadline: no reminder, no report, until it moves
    with pytest.raises(DomainError, match="往后改"):
        actions.remind_missing(session, zhou_actor(ids), services.outbox, review, clock(), tz)
    zhao = reporter_of(session, review, ids["zhao"])
    with pytest.raises(DomainError, match="过了截止时间"):
        actions.submit_report(session, Actor.member(ids["zhao"], "赵远"), zhao, "迟交", clock(),
                              tz)
    actions.set_deadline(session, zhou_actor(ids), review, deadline(clock, 3), clock())
    actions.submit_report(session, Actor.member(ids["zhao"], "赵远"), zhao, "迟交", clock(), tz)
    assert actions.remind_missing(session, zhou_actor(ids), services.outbox, review, clock(),
                                  tz) == 2
    today = clock().astimezone(tz).date()
    from datetime import timedelta

    item = actions.add_item(session, Actor.member(ids["li"], "李书记"), li,
                            actions.ItemKind.SUGGESTION, "修村道", today - timedelta(days=30),
                            today - timedelta(days=1), clock())
    actions.add_item(session, Actor.member(ids["sun"], "孙乡书记"), li, actions.ItemKind.PROBLEM,
                     "解决灌溉用水", today, None, clock())
    row = next(r for r in round_rows(session, review, None, today) if r.id == li.id)
    assert (row.items.suggestions, row.items.problems, row.items.overdue) == (1, 1, 1)
    with pytest.raises(DomainError, match="不能自己确认"):
        actions.close_item(session, Actor.member(ids["li"], "李书记"), item, "修好了", clock())
    with pytest.raises(DomainError, match="上级党委"):
        actions.close_item(session, Actor.member(ids["zhao"], "赵远"), item, "修好了", clock())
    actions.close_item(session, Actor.member(ids["sun"], "孙乡书记"), item, "修好了", clock())
    assert item.confirmed_by == "孙乡书记"
    row = next(r for r in round_rows(session, review, None, today) if r.id == li.id)
    assert (row.items.suggestions_done, row.items.overdue) == (1, 0)
    assert session.get(ReviewRound, review.id).status == "open"


def test_the_measures_count_reports_and_items(app, session, clock, ids):
    from datetime import timedelta

    from models.assessment.ratios import Ratio, Span
    from models.reviews.measures import review_items_done, review_submitted

    tz = services_of(app).settings.tz
    review = open_round(app, session, clock, ids)
    li = reporter_of(session, review, ids["li"])
    actions.submit_report(session, Actor.member(ids["li"], "李书记"), li, "报告", clock(), tz)
    today = clock().astimezone(tz).date()
    for text in ("修村道", "建活动室"):
        actions.add_item(session, Actor.member(ids["li"], "李书记"), li,
                         actions.ItemKind.SUGGESTION, text, today, today + timedelta(days=9),
                         clock())
    item = session.scalars(select(actions.ReviewItem)).first()
    actions.close_item(session, zhou_actor(ids), item, "办好了", clock())
    session.commit()
    span = Span.year(2026)
    orgs = [ids["liaoyuan"], ids["far"], ids["east"], ids["west"]]
    assert review_submitted(session, orgs, span) == {
        ids["liaoyuan"]: Ratio(1, 1), ids["far"]: Ratio(0, 1), ids["east"]: Ratio(0, 1)}
    assert review_submitted(session, orgs, Span.year(2025)) == {}
    assert review_items_done(session, orgs, Span(today, today)) == {ids["liaoyuan"]: Ratio(1, 2)}


def test_a_forgotten_member_leaves_no_name_in_the_round(app, session, clock, ids):
    from models.members.forget import erase_personal_data
    from models.members.tables import Member

    review = open_round(app, session, clock, ids)
    li = reporter_of(session, review, ids["li"])
    actions.grade(session, zhou_actor(ids), li, Party.COUNTY, "好", clock())
    item = actions.add_item(session, zhou_actor(ids), li, actions.ItemKind.PROBLEM,
                            "周部长督办的灌溉用水", clock().date(), None, clock())
    actions.close_item(session, zhou_actor(ids), item, "周部长确认", clock())
    session.commit()
    erase_personal_data(session, session.get(Member, ids["zhou"]), clock())
    session.commit()
    for row in (session.get(ReviewRound, review.id), session.get(ReviewReporter, li.id),
                session.get(actions.ReviewItem, item.id)):
        session.refresh(row)
        assert "周部长" not in str([getattr(row, a.key) for a in row.__mapper__.column_attrs])


def test_the_command_line_shows_and_closes(app, session, clock, ids, settings, monkeypatch):
    from click.testing import CliRunner

    from bot.cli.main import main

    review = open_round(app, session, clock, ids)
    li = reporter_of(session, review, ids["li"])
    actions.grade(session, zhou_actor(ids), li, Party.COUNTY, "较好", clock())
    session.commit()
    monkeypatch.setenv("PARTYBOT_DATABASE_URL", settings.database_url)
    shown = CliRunner().invoke(main, ["review", "show", "清河县委", "--year", "2026"])
    assert shown.exit_code == 0, shown.output
    assert "述职人4名" in shown.output and "总分85.0" in shown.output
    assert "李书记（辽原村党支部）：还没有提交述职报告；自评— 点评较好" in shown.output
    closed = CliRunner().invoke(main, ["review", "close", "清河县委", "--year", "2026"])
    assert closed.exit_code == 0 and "已结束" in closed.output, closed.output
    again = CliRunner().invoke(main, ["review", "close", "清河县委", "--year", "2026"])
    assert again.exit_code != 0 and "已经结束" in again.output
    session.rollback()
    assert session.get(ReviewRound, review.id, populate_existing=True).status == "closed"
    missing = CliRunner().invoke(main, ["review", "show", "清河县委", "--year", "2020"])
    assert missing.exit_code != 0 and "没有找到" in missing.output

"""民主评议: the rules under the surfaces — one vote per voter per member when the same
vote arrives many times at once (and online against paper at once), the ballots no
longer joinable to their voters once the round's secret is gone, paper then online
refused, and the `evaluation_completed` measure against a count made here."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import func, select

from bot.simulator import WeChatSide, text_xml
from models.actors import Actor, Surface
from models.assessment.ratios import Ratio, Span
from models.delivery.outbox import ChannelPolicy
from models.evaluation.actions import EvaluationError, cast_votes, close_round, open_round
from models.evaluation.measure import evaluation_completed
from models.evaluation.queries import ballot_key, my_choices
from models.evaluation.tables import (
    EvaluationBallot,
    EvaluationRound,
    EvaluationVoted,
    Grade,
    Method,
)
from models.members.org_tables import Org
from models.members.tables import Member
from tests.conftest import TOKEN
from tests.evaluation_support import evaluation_branch
from tests.factories import make_branch, make_member
from tests.live import serving

TZ = ZoneInfo("Asia/Shanghai")
OUTBOX = ChannelPolicy({})


@pytest.fixture
def branch(session, county, clock):  # type: ignore[no-untyped-def]
    return evaluation_branch(session, county, clock)


def _concurrently(app, clock, messages: list[tuple[str, str]]) -> list[str]:  # type: ignore[no-untyped-def]
    """Post (openid, text) messages to the webhook all at once; their replies."""
    side = WeChatSide(TOKEN)
    signed = [side.sign_request(text_xml(openid, text, create_time=int(clock().timestamp())),
                                timestamp=int(clock().timestamp())) for openid, text in messages]
    start = threading.Barrier(len(signed))
    with serving(app) as base:
        def post(request):  # type: ignore[no-untyped-def]
            start.wait()
            response = requests.post(f"{base}/wechat?{request.query}", data=request.body,
                                     timeout=30)
            assert response.status_code == 200
            return side.open_reply(response.content).content

        with ThreadPoolExecutor(max_workers=len(signed)) as pool:
            return list(pool.map(post, signed))


def test_one_vote_per_voter_per_member_under_concurrent_submission(app, session, chat, branch,
                                                                   clock):
    chat.say("o-admin", "开始评议")
    replies = _concurrently(app, clock, [
        ("o-zm", "评议 李书记 优秀" if i % 2 else "评议 李书记 合格") for i in range(8)])
    assert all("已记下" in reply for reply in replies), replies
    session.rollback()
    voted = session.scalars(select(EvaluationVoted).where(
        EvaluationVoted.voter_id == branch["张明"])).all()
    assert len(voted) == 1
    ballots = session.scalars(select(EvaluationBallot).where(
        EvaluationBallot.subject_id == branch["李书记"])).all()
    assert len(ballots) == 1 and ballots[0].choice in ("excellent", "qualified")

    # online and paper for the same voter at once: one way wins
    replies = _concurrently(app, clock, [("o-lf", "评议 李书记 优秀"),
                                         ("o-admin", "纸质选票 刘芳 李书记 合格")] * 3)
    session.rollback()
    methods = set(session.scalars(select(EvaluationVoted.method).where(
        EvaluationVoted.voter_id == branch["刘芳"])))
    assert len(methods) == 1, replies
    assert session.scalar(select(func.count()).select_from(EvaluationVoted).where(
        EvaluationVoted.voter_id == branch["刘芳"])) == 1
    refusal = "已经交了纸质选票" if methods == {"paper"} else "已经在网上投过票"
    assert any(refusal in reply for reply in replies), replies


def test_ballots_cannot_be_joined_to_voters_after_the_close(session, branch, clock):
    now = clock()
    secretary = Actor.member(branch["李书记"], "李书记")
    round_ = open_round(session, secretary, session.get(Member, branch["李书记"]).branch_id,
                        now.astimezone(TZ).date() + timedelta(days=5), outbox=OUTBOX, tz=TZ,
                        now=now)
    zhang = session.get(Member, branch["张明"])
    cast_votes(session, Actor.member(zhang.id, zhang.name, Surface.PAGE), round_, zhang,
               {branch["李书记"]: Grade.EXCELLENT}, now)
    assert my_choices(session, round_, zhang.id) == {branch["李书记"]: Grade.EXCELLENT}
    secret = round_.secret
    assert secret and session.scalars(select(EvaluationBallot.ballot_key)).one() == \
        ballot_key(secret, zhang.id)
    # someone else cannot vote in 张明's name online, nor on paper for themselves
    liu = session.get(Member, branch["刘芳"])
    with pytest.raises(EvaluationError, match="只能本人投票"):
        cast_votes(session, Actor.member(liu.id, liu.name), round_, zhang,
                   {branch["李书记"]: Grade.BASIC}, now)
    # paper first, then online: refused
    cast_votes(session, secretary, round_, liu, {branch["张明"]: Grade.QUALIFIED}, now,
               method=Method.PAPER)
    with pytest.raises(EvaluationError, match="已经交了纸质选票"):
        cast_votes(session, Actor.member(liu.id, liu.name), round_, liu,
                   {branch["李书记"]: Grade.QUALIFIED}, now)
    close_round(session, secretary, round_, outbox=OUTBOX, tz=TZ, now=now + timedelta(hours=1))
    session.commit()
    assert round_.secret is None and my_choices(session, round_, zhang.id) == {}
    columns = {c.name for c in EvaluationBallot.__table__.columns}
    assert columns == {"round_id", "ballot_key", "subject_id", "choice"}  # no voter, no time
    assert "choice" not in {c.name for c in EvaluationVoted.__table__.columns}


def _round(session, branch_id: int, closed_at: datetime | None) -> None:  # type: ignore[no-untyped-def]
    """A round of the branch opened a week before `closed_at` (or now, left open)."""
    actor = Actor.cli("test")
    when = (closed_at or datetime.now(UTC)) - timedelta(days=7)
    round_ = open_round(session, actor, branch_id, when.astimezone(TZ).date() + timedelta(days=3),
                        outbox=OUTBOX, tz=TZ, now=when)
    if closed_at is not None:
        close_round(session, actor, round_, outbox=OUTBOX, tz=TZ, now=closed_at)


def test_the_measure_counts_branches_with_a_closed_round(session, county, branch):
    east = session.get(Org, county["liaoyuan"]).parent_id
    west = session.get(Org, county["far"]).parent_id
    hongguang = make_branch(session, "红光村党支部", session.get(Org, east))
    make_member(session, hongguang, "韩梅", "13800000021")
    make_member(session, hongguang, "陈刚", "13800000022")
    empty = make_branch(session, "新村党支部", session.get(Org, east))  # nobody on the roster
    beiling = make_branch(session, "北岭村党支部", session.get(Org, west))
    make_member(session, beiling, "周强", "13800000023")
    make_member(session, beiling, "吴敏", "13800000024")
    make_member(session, session.get(Org, county["far"]), "钱进", "13800000025")
    # 辽原村 closed in 2026; 红光村 closed in 2025; 远山村 open; 北岭村 closed on 2026-01-01
    # 00:30 local (2025-12-31 16:30 UTC): in 2026 by the local day
    _round(session, county["liaoyuan"], datetime(2026, 6, 20, 2, 0, tzinfo=UTC))
    _round(session, hongguang.id, datetime(2025, 11, 20, 2, 0, tzinfo=UTC))
    _round(session, beiling.id, datetime(2025, 12, 31, 16, 30, tzinfo=UTC))
    _round(session, county["far"], None)
    session.commit()
    span = Span.year(2026)
    ids = [county["liaoyuan"], hongguang.id, empty.id, county["far"], beiling.id, east, west]
    found = evaluation_completed(session, ids, span)

    # the count made here: branches with live members, and those that closed in 2026
    closed_2026 = {org_id for org_id, day in session.execute(
        select(EvaluationRound.branch_id, EvaluationRound.closed_on))
        if day is not None and date(2026, 1, 1) <= day <= date(2026, 12, 31)}
    staffed = {m.branch_id for m in session.scalars(select(Member))}
    expected = {}
    for org_id in ids:
        below = [o.id for o in session.scalars(select(Org)) if o.id == org_id
                 or o.parent_id == org_id]
        branches = [b for b in below if session.get(Org, b).kind == "branch" and b in staffed]
        expected[org_id] = Ratio(sum(b in closed_2026 for b in branches), len(branches))
    assert found == expected
    assert found[east] == Ratio(1, 2) and found[west] == Ratio(1, 2)
    assert found[empty.id] == Ratio(0, 0) and found[hongguang.id] == Ratio(0, 1)
    assert evaluation_completed(session, [east], Span.year(2025))[east] == Ratio(1, 2)

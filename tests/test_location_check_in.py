"""Check-in by location as one action (models.meetings.actions.check_in_by_location),
for the pages and the API as for chat: the meeting happening now, or the one a page's
签到 button names; the distance rule and the sentences are the catalog's."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from models.actors import Actor, Surface
from models.errors import MeetingError
from models.meetings.actions import Outcome, check_in_by_location
from models.meetings.attendance import attendance_of
from tests.factories import make_branch, make_meeting, make_member, make_township

VILLAGE = (47.9200, 129.5800)
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(session, clock):  # type: ignore[no-untyped-def]
    branch = make_branch(session, "辽原村党支部", make_township(session))
    other = make_branch(session, "远山村党支部", make_township(session, "西乡党委"))
    member = make_member(session, branch, "张明", "13800000002", openid="o-zm")
    stranger = make_member(session, other, "赵远", "13800000004", openid="o-zy")
    here = make_meeting(session, branch, clock() + timedelta(minutes=30), place="村委会",
                        latitude=VILLAGE[0], longitude=VILLAGE[1])
    session.commit()
    return member, stranger, here, branch


def _check_in(session, clock, member, lat, lng, meeting=None):  # type: ignore[no-untyped-def]
    return check_in_by_location(session, Actor.member(member.id, member.name, Surface.PAGE),
                                member, lat, lng, radius_m=300, tz=TZ, now=clock(),
                                meeting=meeting)


def test_the_meeting_happening_now_as_chat_does(session, clock, people):  # type: ignore[no-untyped-def]
    member, _, here, _ = people
    far = _check_in(session, clock, member, VILLAGE[0] + 0.01, VILLAGE[1])
    assert (far.outcome, far.meeting, far.sentence) == (None, None,
                                                        "你附近 300 米内没有正在签到的会议。")
    near = _check_in(session, clock, member, VILLAGE[0] + 0.002, VILLAGE[1])
    assert near.outcome is Outcome.RECORDED and near.meeting is here
    assert near.sentence.startswith("签到成功！支部党员大会")
    assert attendance_of(session, here, member).method == "location"
    again = _check_in(session, clock, member, *VILLAGE)
    assert (again.outcome, again.sentence) == (Outcome.ALREADY, "已签到，不用重复签到。")


def test_a_named_meeting_says_how_far_and_checks_in_close_by(session, clock, people):  # type: ignore[no-untyped-def]
    member, _, here, _ = people
    far = _check_in(session, clock, member, VILLAGE[0] + 0.01, VILLAGE[1], here)
    assert far.outcome is None and far.meeting is here and round(far.metres or 0) == 1112
    assert far.sentence == ("你离会场（村委会）约 1112 米，要在 300 米内才能按位置签到。"
                            "到了会场再点签到，或用签到码签到。")
    assert attendance_of(session, here, member) is None
    bad = _check_in(session, clock, member, float("nan"), VILLAGE[1], here)
    assert bad.sentence == "没有取到有效的位置，请再试一次，或用签到码签到。"
    near = _check_in(session, clock, member, VILLAGE[0] + 0.002, VILLAGE[1], here)
    assert near.outcome is Outcome.RECORDED and 200 < (near.metres or 0) < 300


def test_a_named_meeting_refuses_as_check_in_does(session, clock, people):  # type: ignore[no-untyped-def]
    member, stranger, here, branch = people
    with pytest.raises(MeetingError) as refused:
        _check_in(session, clock, stranger, *VILLAGE, meeting=here)
    assert refused.value.key == "NOT_INVITED"
    later = make_meeting(session, branch, clock() + timedelta(days=1), place="村委会",
                         latitude=VILLAGE[0], longitude=VILLAGE[1])
    with pytest.raises(MeetingError) as early:
        _check_in(session, clock, member, *VILLAGE, meeting=later)
    assert early.value.key == "CHECKIN_NOT_YET"
    clock.advance(days=1)
    unplaced = make_meeting(session, branch, clock() + timedelta(minutes=10), place="活动室")
    no_coordinates = _check_in(session, clock, member, *VILLAGE, meeting=unplaced)
    assert no_coordinates.outcome is None and "用签到码签到" in no_coordinates.sentence

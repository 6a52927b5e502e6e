"""Meeting times as secretaries say them (issue 25, items 1 and 12), over the webhook:
a bare hour is never the small hours, a start at night is confirmed before anyone is
told, and a 新建会议 missing one thing asks for that one thing and keeps the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from models.delivery.outbox import Outbox
from models.meetings.tables import Meeting
from tests.factories import make_branch, make_member, make_township

SHANGHAI = timezone(timedelta(hours=8))
FRIDAY = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
GENERIC_LIST = "可以这样写"  # the start of MEETING_BAD_TIME's list of forms


@pytest.fixture
def branch(session, clock):
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True,
                committee_posts="书记")
    make_member(session, branch, "刘芳", "13800000003", openid="o-lf",
                committee_posts="组织委员")
    make_member(session, branch, "张明", "13800000002", openid="o-zm")
    session.commit()
    clock.set(FRIDAY)
    return branch


def meetings(session) -> list[Meeting]:
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(Meeting).order_by(Meeting.id)))


def local(meeting: Meeting) -> str:
    return meeting.starts_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def notices(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Outbox)) or 0


# Item 1: "两点" became 2 a.m. and the committee was told.
def test_two_oclock_next_wednesday_is_the_afternoon(chat, session, branch):
    reply = chat.say("o-admin", "新建会议 支委会 下周三 两点 村委会")
    [meeting] = meetings(session)
    assert local(meeting) == "2026-12-02 14:00"
    assert "会议已创建" in reply and "12月2日（周三）14:00" in reply
    assert "「两点」按下午2点（14:00）安排" in reply and f"改会议 {meeting.code}" in reply


@pytest.mark.parametrize(("typed", "resolved"), [
    ("明天 3点", "2026-11-28 15:00"),
    ("明天三点半", "2026-11-28 15:30"),
    ("12月5日 1点", "2026-12-05 13:00"),
    ("后天 六点", "2026-11-29 18:00"),
    ("明天 4点一刻", "2026-11-28 16:15"),
    ("明天 5点钟", "2026-11-28 17:00"),
])
def test_a_bare_hour_from_one_to_six_is_the_afternoon(chat, session, branch, typed, resolved):
    reply = chat.say("o-admin", f"新建会议 党员大会 {typed} 村委会")
    [meeting] = meetings(session)
    assert local(meeting) == resolved and "按下午" in reply


@pytest.mark.parametrize(("typed", "answer", "resolved"), [
    ("12月6日9点", "上午", "2026-12-06 09:00"),
    ("明天 8点", "晚上", "2026-11-28 20:00"),
    ("下周一 七点半", "早上", "2026-11-30 07:30"),
    ("12月1日 9点30分", "上午9点30分", "2026-12-01 09:30"),
    ("后天十点", "上午。", "2026-11-29 10:00"),
])
def test_a_bare_hour_from_seven_to_eleven_asks_morning_or_evening(chat, session, branch,
                                                                  typed, answer, resolved):
    question = chat.say("o-admin", f"新建会议 党员大会 {typed} 村委会 学习党章")
    assert "是上午" in question and "还是晚上" in question and GENERIC_LIST not in question
    assert meetings(session) == [] and notices(session) == 0
    reply = chat.say("o-admin", answer)
    [meeting] = meetings(session)
    assert "会议已创建" in reply and local(meeting) == resolved
    assert (meeting.place, meeting.topic) == ("村委会", "学习党章")  # the rest was kept


@pytest.mark.parametrize(("typed", "shown"), [
    ("下周三 凌晨2点", "12月2日（周三）02:00"),
    ("12月3日 23:00", "12月3日（周四）23:00"),
    ("明天 2:30", "11月28日（周六）02:30"),
    ("今晚11点", "11月27日（周五）23:00"),
    ("明天夜里10点", "11月28日（周六）22:00"),
    ("12月4日 0点", "12月4日（周五）00:00"),
])
def test_a_start_at_night_is_confirmed_before_anyone_is_told(chat, session, branch, typed,
                                                            shown):
    question = chat.say("o-admin", f"新建会议 支委会 {typed} 村委会")
    assert "夜里" in question and shown in question and "回复「是」" in question
    assert meetings(session) == [] and notices(session) == 0
    reply = chat.say("o-admin", "是")
    assert len(meetings(session)) == 1
    assert "会议已创建" in reply and shown in reply
    assert notices(session) > 0


def test_a_night_start_corrected_by_answering_with_the_right_time(chat, session, branch):
    chat.say("o-admin", "新建会议 支委会 下周三 凌晨2点 村委会 研究发展党员")
    reply = chat.say("o-admin", "下午2点")
    [meeting] = meetings(session)
    assert "会议已创建" in reply and local(meeting) == "2026-12-02 14:00"
    assert (meeting.place, meeting.topic) == ("村委会", "研究发展党员")
    chat.say("o-admin", "是")  # nothing waits any more
    assert len(meetings(session)) == 1


def test_a_night_question_lapses_and_other_messages_pass(chat, session, branch, clock):
    chat.say("o-admin", "新建会议 支委会 下周三 凌晨2点 村委会")
    assert "你近期的会议" not in chat.say("o-admin", "会议")  # a command still runs
    clock.advance(hours=1)
    chat.say("o-admin", "是")
    assert meetings(session) == [] and notices(session) == 0


def test_the_rule_holds_in_the_action_for_every_surface(session, branch, clock):
    from models.actors import Actor
    from models.errors import MeetingError
    from models.meetings.actions import NewMeeting, create_meeting
    from models.meetings.rules import is_at_night
    from models.meetings.tables import MeetingKind

    class NoOutbox:
        pass

    tz = SHANGHAI
    assert is_at_night(datetime(2026, 12, 2, 22, 0, tzinfo=tz), tz)
    assert is_at_night(datetime(2026, 12, 2, 5, 59, tzinfo=tz), tz)
    assert not is_at_night(datetime(2026, 12, 2, 6, 0, tzinfo=tz), tz)
    assert not is_at_night(datetime(2026, 12, 2, 21, 59, tzinfo=tz), tz)
    with pytest.raises(MeetingError) as refused:
        create_meeting(session, Actor.cli(), NewMeeting(
            org_id=branch.id, kind=MeetingKind.BRANCH_ASSEMBLY,
            starts_at=datetime(2026, 12, 2, 2, 0, tzinfo=tz), place="村委会"),
            outbox=NoOutbox(), tz=tz, now=clock())  # type: ignore[arg-type]
    assert refused.value.key == "MEETING_AT_NIGHT"


def test_moving_a_meeting_to_the_night_is_refused_by_the_action_too(session, branch, clock,
                                                                    services):
    """The change path holds the same rule (chat 改会议 and the console ask first; any
    other caller of the action is refused until it says the secretary confirmed)."""
    from models.actors import Actor
    from models.errors import MeetingError
    from models.meetings.actions import MeetingChange, NewMeeting, change_meeting, create_meeting
    from models.meetings.tables import MeetingKind

    tz = SHANGHAI
    day = (clock() + timedelta(days=3)).astimezone(tz).replace(hour=9, minute=0, second=0,
                                                               microsecond=0)
    meeting = create_meeting(session, Actor.cli(), NewMeeting(
        org_id=branch.id, kind=MeetingKind.BRANCH_ASSEMBLY, starts_at=day, place="村委会"),
        outbox=services.outbox, tz=tz, now=clock()).meeting
    night = day.replace(hour=23)
    with pytest.raises(MeetingError) as refused:
        change_meeting(session, Actor.cli(), meeting,
                       MeetingChange(night, None, "村委会", meeting.topic),
                       outbox=services.outbox, tz=tz, now=clock())
    assert refused.value.key == "MEETING_AT_NIGHT" and meeting.starts_at == day
    moved = change_meeting(session, Actor.cli(), meeting,
                           MeetingChange(night, None, "村委会", meeting.topic,
                                         night_confirmed=True),
                           outbox=services.outbox, tz=tz, now=clock())
    assert moved.moved and meeting.starts_at == night


# Item 12: dates and phrasing.
@pytest.mark.parametrize(("typed", "resolved"), [
    ("12.15 下午2点", "2026-12-15 14:00"),
    ("下午3点", "2026-11-27 15:00"),  # today
    ("下午三点半", "2026-11-27 15:30"),
    ("晚上7点", "2026-11-27 19:00"),
    ("12/15 14:00", "2026-12-15 14:00"),
    ("2026.12.15 上午9:30", "2026-12-15 09:30"),
    ("10号下午两点", "2026-12-10 14:00"),
    ("十二月六日（周日）上午九点", "2026-12-06 09:00"),
    ("12月10日 星期四 下午3点", "2026-12-10 15:00"),
    ("今晚8点", "2026-11-27 20:00"),
    ("明早8点", "2026-11-28 08:00"),
    ("这周日 下午2点", "2026-11-29 14:00"),
    ("星期六中午12点", "2026-11-28 12:00"),
    ("中午1点", "2026-11-27 13:00"),
    ("明天14时30分", "2026-11-28 14:30"),
    ("２０２６年１２月１５日　下午２点", "2026-12-15 14:00"),  # full-width
])
def test_dates_and_times_as_secretaries_write_them(chat, session, branch, typed, resolved):
    reply = chat.say("o-admin", f"新建会议 党员大会 {typed} 村委会 学习党章")
    [meeting] = meetings(session)
    assert "会议已创建" in reply and local(meeting) == resolved
    assert (meeting.place, meeting.topic) == ("村委会", "学习党章")


@pytest.mark.parametrize("typed", [
    "新建会议：支委会，12月11日上午9点，村委会",
    "新建会议，支委会，12月11日，上午9点，村委会",
    "新建会议 支委会、12月11日上午9点、村委会",
    "新建会议：支委会；12月11日上午9点；村委会",
    "安排会议 支委会 12月11日上午9点 村委会",
    "安排会议：支委会，12月11日上午9点，村委会",
    "创建会议 支委会 12月11日 上午9:00 村委会",
])
def test_commas_between_the_parts_and_other_words_for_new_meeting(chat, session, branch,
                                                                   typed):
    reply = chat.say("o-admin", typed)
    [meeting] = meetings(session)
    assert "会议已创建" in reply and local(meeting) == "2026-12-11 09:00"
    assert meeting.place == "村委会" and meeting.kind == "committee_meeting"


def test_a_topic_after_a_comma_keeps_its_own_commas(chat, session, branch):
    chat.say("o-admin", "新建会议：党员大会，明天下午3点，村委会二楼，学习党章，谈体会。")
    [meeting] = meetings(session)
    assert (meeting.place, meeting.topic) == ("村委会二楼", "学习党章，谈体会。")


@pytest.mark.parametrize(("typed", "answer", "resolved"), [
    ("12月10号", "下午2点", "2026-12-10 14:00"),
    ("12月10号", "14:00", "2026-12-10 14:00"),
    ("12月10号", "两点", "2026-12-10 14:00"),
    ("下周五", "上午9点", "2026-12-04 09:00"),
    ("明天", "下午三点半", "2026-11-28 15:30"),
    ("12.20", "晚上7点", "2026-12-20 19:00"),
    ("12月10号", "12月11日下午3点", "2026-12-11 15:00"),  # another day said in the answer
])
def test_a_date_without_a_time_asks_for_the_time_and_keeps_the_rest(
        chat, session, branch, typed, answer, resolved):
    question = chat.say("o-admin", f"新建会议 党员大会 {typed} 村委会 学习党章")
    assert "几点开" in question and typed in question and "村委会" in question
    assert GENERIC_LIST not in question
    assert meetings(session) == [] and notices(session) == 0
    reply = chat.say("o-admin", answer)
    [meeting] = meetings(session)
    assert "会议已创建" in reply and local(meeting) == resolved
    assert (meeting.place, meeting.topic) == ("村委会", "学习党章")


@pytest.mark.parametrize(("typed", "answer", "resolved"), [
    ("12月20日上午", "9点", "2026-12-20 09:00"),
    ("12月20日上午", "九点半", "2026-12-20 09:30"),
    ("明天下午", "3点", "2026-11-28 15:00"),
    ("周日晚上", "7点", "2026-11-29 19:00"),
    ("明天 下午", "下午4点", "2026-11-28 16:00"),
    ("明早", "8点", "2026-11-28 08:00"),
])
def test_a_part_of_the_day_without_an_hour_asks_the_hour(chat, session, branch, typed,
                                                         answer, resolved):
    question = chat.say("o-admin", f"新建会议 党员大会 {typed} 村委会")
    assert "几点开" in question and GENERIC_LIST not in question
    assert meetings(session) == []
    reply = chat.say("o-admin", answer)
    [meeting] = meetings(session)
    assert "会议已创建" in reply and local(meeting) == resolved


@pytest.mark.parametrize("typed", ["昨天下午3点", "前天上午9点", "今天上午9点", "11月27日 8:00",
                                   "昨晚8点"])
def test_a_time_that_has_passed_says_so(chat, session, branch, typed):
    reply = chat.say("o-admin", f"新建会议 党员大会 {typed} 村委会")
    assert "已经过去" in reply and GENERIC_LIST not in reply
    assert meetings(session) == []


def test_a_past_answer_to_the_question_says_so_and_keeps_asking(chat, session, branch):
    chat.say("o-admin", "新建会议 党员大会 今天 村委会")
    assert "已经过去" in chat.say("o-admin", "上午8点")
    assert "会议已创建" in chat.say("o-admin", "下午4点")
    assert local(meetings(session)[0]) == "2026-11-27 16:00"


def test_a_missing_place_is_asked_for(chat, session, branch):
    assert "写上会议地点" in chat.say("o-admin", "新建会议 党员大会 12月10号")
    assert "写上会议地点" in chat.say("o-admin", "新建会议：党员大会，12月10号下午3点，")


def test_members_cannot_answer_an_admins_question(chat, session, branch):
    chat.say("o-admin", "新建会议 党员大会 12月10号 村委会")
    chat.say("o-zm", "下午3点")
    assert meetings(session) == []
    assert "会议已创建" in chat.say("o-admin", "下午3点")


# 会议 says when there are more meetings than it shows.
def test_my_meetings_says_how_many_more_and_pages(chat, session, branch):
    for day in range(1, 9):
        assert "会议已创建" in chat.say("o-admin", f"新建会议 党课 12月{day}日下午3点 村委会")
    first = chat.say("o-zm", "会议")
    assert first.count("· 党课") == 5 and "还有3个会议" in first and "会议 2" in first
    second = chat.say("o-zm", "会议 2")
    assert second.count("· 党课") == 3 and "12月8日" in second and "还有" not in second
    assert "没有更多" in chat.say("o-zm", "会议 3")


# The console: a confirmation step on the form, with what was typed kept.
def test_the_console_asks_before_scheduling_a_meeting_at_night(app, county, clock, session):
    from tests.test_console_meetings import create, local_form, logged_in

    clock.set(FRIDAY)
    browser = logged_in(app, "liaoyuan")
    night = local_form(clock, app, day="2026-12-02", start="02:00", place="村委会二楼",
                       topic="研究发展党员", night_ok="")
    asked = create(browser, county["liaoyuan"], night)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "是夜里" in page and "12月2日（周三）02:00" in page
    assert 'value="村委会二楼"' in page and 'value="研究发展党员"' in page
    assert 'value="02:00"' in page and 'name="night_ok"' in page
    assert meetings(session) == [] and notices(session) == 0
    confirmed = create(browser, county["liaoyuan"], {**night, "night_ok": "1"})
    assert confirmed.status_code == 302
    [meeting] = meetings(session)
    assert local(meeting) == "2026-12-02 02:00" and notices(session) > 0
    # a daytime start needs no confirmation
    day = local_form(clock, app, day="2026-12-03", start="14:00", night_ok="")
    assert create(browser, county["liaoyuan"], day).status_code == 302


def test_the_demos_past_meetings_are_at_daytime_hours(session):
    """The 台账 of a fresh demo showed meetings held at 01:00–03:00."""
    from zoneinfo import ZoneInfo

    from bot.demo import seed_demo
    from models.meetings.rules import is_at_night
    from models.meetings.tables import MeetingStatus

    tz = ZoneInfo("Asia/Shanghai")
    seed_demo(session, datetime(2026, 12, 4, 18, 0, tzinfo=UTC), None, tz)  # 02:00 there
    held = list(session.scalars(select(Meeting).where(Meeting.status == MeetingStatus.HELD)))
    assert len(held) > 10
    assert [local(m) for m in held if is_at_night(m.starts_at, tz)] == []
    assert {m.starts_at.astimezone(tz).hour for m in held} >= {9, 14}


@pytest.mark.parametrize("typed", [
    "新建会议 党员大会 时间：12月11日下午3点 地点：村委会 主题：学习党章",
    "新建会议：党员大会，会议时间 12月11日下午3点，会议地点 村委会，内容：学习党章",
    "新建会议，党员大会，12月11日下午3点，村委会，学习党章。",
])
def test_labels_copied_from_a_notice_are_skipped(chat, session, branch, typed):
    assert "会议已创建" in chat.say("o-admin", typed)
    [meeting] = meetings(session)
    assert local(meeting) == "2026-12-11 15:00" and meeting.place == "村委会"
    assert meeting.topic.startswith("学习党章")


def test_a_spoken_new_meeting_ends_the_place_without_its_full_stop(chat, session, branch):
    from bot.simulator import message_xml

    spoken = "新建会议，支委会，12月11日下午3点，村委会。"
    reply = chat.send_xml(message_xml("o-admin", "voice", {
        "MediaId": "voice-1", "Format": "amr", "Recognition": spoken})).content
    assert "会议已创建" in reply
    [meeting] = meetings(session)
    assert meeting.place == "村委会" and local(meeting) == "2026-12-11 15:00"


@pytest.mark.parametrize(("typed", "resolved", "topic"), [
    ("下个月5号 下午3点 村委会", "2026-12-05 15:00", ""),
    ("本月30日 上午9点 村委会", "2026-11-30 09:00", ""),
    ("下礼拜三两点 村委会", "2026-12-02 14:00", ""),
    ("12月10号 村委会 下午3点", "2026-12-10 15:00", ""),  # the time after the place
    ("12月10号 村委会 下午3点 学习党章", "2026-12-10 15:00", "学习党章"),
    ("明天上午 村委会 9点半", "2026-11-28 09:30", ""),
    ("12月10号，村委会，下午3点，学习党章，谈体会", "2026-12-10 15:00", "学习党章，谈体会"),
])
def test_more_ways_of_saying_when(chat, session, branch, typed, resolved, topic):
    reply = chat.say("o-admin", f"新建会议 党员大会 {typed}")
    [meeting] = meetings(session)
    assert "会议已创建" in reply and local(meeting) == resolved
    assert (meeting.place, meeting.topic) == ("村委会", topic)


@pytest.mark.parametrize("said", ["算了", "取消", "不开了。"])
def test_a_question_can_be_dropped(chat, session, branch, said):
    chat.say("o-admin", "新建会议 支委会 下周三 凌晨2点 村委会")
    assert "不安排了" in chat.say("o-admin", said)
    chat.say("o-admin", "是")  # nothing waits any more
    assert meetings(session) == [] and notices(session) == 0

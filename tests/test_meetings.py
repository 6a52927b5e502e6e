"""三会一课 in chat: creating, checking in (code, QR, location), leave, closing, 补录."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.simulator import event_xml, message_xml
from models.delivery.outbox import Outbox
from models.meetings.tables import Attendance, Meeting, MeetingInvite, MeetingStatus
from models.members.org_tables import Org
from models.members.tables import Member as Member_
from tests.factories import make_branch, make_meeting, make_member, make_township

SHANGHAI_OFFSET = timedelta(hours=8)
VILLAGE = (47.9200, 129.5800)


@pytest.fixture
def branch(session, clock):
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    other = make_branch(session, "红光村党支部", township)
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    make_member(session, branch, "张明", "13800000002", openid="o-zm")
    make_member(session, branch, "刘芳", "13800000003", openid="o-lf")
    make_member(session, branch, "孙奶奶", None, needs_help="无手机")
    make_member(session, other, "周书记", "13800000011", openid="o-other-admin", is_admin=True)
    make_member(session, other, "郑伟", "13800000013", openid="o-other")
    session.commit()
    return branch


def local_text(moment: datetime) -> tuple[str, str]:
    local = (moment + SHANGHAI_OFFSET).replace(tzinfo=None)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def create(chat, clock, hours_ahead: float = 26, place: str = "村委会",
           kind: str = "党员大会") -> str:
    date_text, time_text = local_text(clock() + timedelta(hours=hours_ahead))
    reply = chat.say("o-admin", f"新建会议 {kind} {date_text} {time_text} {place} 学习四中全会精神")
    if "回复「是」" in reply:  # the clock follows the real time: at night, say yes (issue 25)
        reply = chat.say("o-admin", "是")
    return reply


def only_meeting(session) -> Meeting:
    session.rollback()
    session.expire_all()
    return session.scalars(select(Meeting)).one()


def record(session, meeting_id: int, name: str) -> Attendance | None:
    from models.members.tables import Member

    session.rollback()
    session.expire_all()
    return session.scalar(select(Attendance).join(Member, Attendance.member_id == Member.id)
                          .where(Attendance.meeting_id == meeting_id, Member.name == name))


def test_admin_creates_meeting_and_invitees_are_notified(chat, session, clock, branch):
    reply = create(chat, clock)
    meeting = only_meeting(session)
    assert "会议已创建" in reply and f"签到码：{meeting.code}" in reply
    assert f"签到 {meeting.code}" in reply and "已通知3名党员" in reply
    assert "1人联系不上：孙奶奶（没有绑定微信，也没有帮扶人" in reply  # no WeChat, no helper
    assert meeting.kind == "branch_assembly" and meeting.topic == "学习四中全会精神"
    keys = set(session.scalars(select(Outbox.dedupe_key)))
    assert len([k for k in keys if k.startswith(f"meeting:{meeting.id}:") and
                k.endswith(":created")]) == 4  # every invitee, the offline member too


@pytest.mark.parametrize(("text", "expected"), [
    ("新建会议", "新建会议格式"),
    ("新建会议 党员大会 2020-01-01 09:00 村委会", "已经过去"),
    ("新建会议 茶话会 2030-01-01 09:00 村委会", "不认识会议类型"),
    ("新建会议 党员大会 明天 上午 村委会", "上午几点开"),  # asks the hour (issue 25)
    ("新建会议 党员大会 村委会 明天上午9点", "没看懂会议时间「村委会」"),
    ("新建会议 党员大会 2030-02-30 09:00 村委会", "后天下午3点半"),  # shows the forms
    ("新建会议 党员大会 明天上午9点", "请在时间后面写上会议地点"),
])
def test_bad_new_meeting_creates_nothing(chat, session, branch, text, expected):
    assert expected in chat.say("o-admin", text)
    assert session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_clash_same_kind_same_time_is_refused(chat, session, clock, branch):
    create(chat, clock)
    assert "已经安排了一场" in create(chat, clock)
    assert "会议已创建" in create(chat, clock, kind="党课")  # another kind is fine
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Meeting)) == 2


def test_only_admins_create(chat, branch, clock):
    assert "只有支部管理员" in chat.say("o-zm", "新建会议 党员大会 2030-01-01 09:00 村委会")


def test_check_in_by_code_window_idempotence_and_refusals(chat, session, clock, branch):
    create(chat, clock, hours_ahead=3)
    meeting = only_meeting(session)
    assert "还没到签到时间" in chat.say("o-zm", f"签到 {meeting.code}")
    clock.advance(hours=2, minutes=1)  # 59 minutes before the start
    assert "签到成功" in chat.say("o-zm", f"签到 {meeting.code}")
    assert chat.say("o-zm", f"签到 {meeting.code}") == "已签到，不用重复签到。"
    assert "没有找到签到码" in chat.say("o-zm", "签到 0000")
    # not invited: the same reply as a code that does not exist (issue 10, item 13)
    assert "你不在参会名单里" in chat.say("o-other", f"签到 {meeting.code}")
    assert "请先绑定" in chat.say("o-stranger", f"签到 {meeting.code}")
    entry = record(session, meeting.id, "张明")
    assert (entry.status, entry.method, entry.recorded_at) == ("present", "code", clock())
    assert entry.recorded_by == entry.member_id
    assert record(session, meeting.id, "郑伟") is None
    clock.advance(hours=3)  # after the end
    assert "会议已经结束" in chat.say("o-lf", f"签到 {meeting.code}")


def test_leave_needs_reason_and_is_replaced_by_check_in(chat, session, clock, branch):
    create(chat, clock)
    code = only_meeting(session).code
    assert "请假格式" in chat.say("o-lf", f"请假 {code}")
    assert "请假成功" in chat.say("o-lf", f"请假 {code} 外出务工")
    assert "已请假" in chat.say("o-lf", f"请假 {code} 外出务工")
    clock.advance(hours=25, minutes=30)
    assert "已撤销你之前的请假" in chat.say("o-lf", f"签到 {code}")
    assert "不用请假" in chat.say("o-lf", f"请假 {code} 又有事")
    assert record(session, only_meeting(session).id, "刘芳").status == "present"


def test_qr_scan_checks_in(chat, session, clock, branch):
    create(chat, clock, hours_ahead=0.5)
    meeting = only_meeting(session)
    reply = chat.send_xml(event_xml("o-zm", "SCAN", f"meeting:{meeting.id}")).content
    assert "签到成功" in reply
    assert record(session, meeting.id, "张明").method == "qr"


def test_scan_to_follow_checks_in_bound_member_and_prompts_stranger(chat, session, clock,
                                                                    branch):
    create(chat, clock, hours_ahead=0.5)
    meeting = only_meeting(session)
    follow = event_xml("o-lf", "subscribe", f"qrscene_meeting:{meeting.id}")
    assert "签到成功" in chat.send_xml(follow).content
    stranger = event_xml("o-new", "subscribe", f"qrscene_meeting:{meeting.id}")
    assert "先绑定" in chat.send_xml(stranger).content


def location(openid: str, lat: float, lng: float) -> str:
    return message_xml(openid, "location", {"Location_X": str(lat), "Location_Y": str(lng),
                                            "Scale": "15", "Label": "这里"})


def test_location_check_in_within_radius(chat, session, clock, branch):
    create(chat, clock, hours_ahead=0.5, place=f"村委会@{VILLAGE[0]},{VILLAGE[1]}")
    meeting = only_meeting(session)
    assert meeting.place == "村委会" and meeting.latitude == VILLAGE[0]
    far = chat.send_xml(location("o-zm", VILLAGE[0] + 0.01, VILLAGE[1])).content  # ~1.1 km
    assert "300 米内没有" in far
    near = chat.send_xml(location("o-zm", VILLAGE[0] + 0.002, VILLAGE[1])).content  # ~220 m
    assert "签到成功" in near
    assert record(session, meeting.id, "张明").method == "location"


def test_location_without_coordinates_points_to_code(chat, session, clock, branch):
    create(chat, clock, hours_ahead=0.5)
    assert "用签到码签到" in chat.send_xml(location("o-zm", *VILLAGE)).content


def test_close_marks_absentees_and_frees_the_code(chat, session, clock, branch):
    create(chat, clock, hours_ahead=0.5)
    meeting = only_meeting(session)
    chat.say("o-zm", f"签到 {meeting.code}")
    chat.say("o-lf", f"请假 {meeting.code} 生病")
    # not begun yet: cancel it, not close it (it would mark people absent)
    assert f"取消会议 {meeting.code}" in chat.say("o-admin", f"结束会议 {meeting.code}")
    clock.advance(minutes=40)
    reply = chat.say("o-admin", f"结束会议 {meeting.code}")
    # the host (the admin who called it) held it: present, not absent
    assert "应到4人，实到2人，请假1人，缺席1人" in reply
    meeting = only_meeting(session)
    assert meeting.status == MeetingStatus.HELD
    assert (meeting.expected_count, meeting.present_count, meeting.leave_count,
            meeting.absent_count) == (4, 2, 1, 1)
    assert record(session, meeting.id, "孙奶奶").status == "absent"
    assert "没有找到签到码" in chat.say("o-zm", f"签到 {meeting.code}")


def test_backfill_is_flagged_with_who_entered_it(chat, session, clock, branch):
    create(chat, clock, hours_ahead=0.5)
    meeting = only_meeting(session)
    assert "补录只用于已经结束的会议" in chat.say("o-admin", f"补录 {meeting.id} 孙奶奶 出席")
    clock.advance(hours=1)
    chat.say("o-admin", f"结束会议 {meeting.code}")
    reply = chat.say("o-admin", f"补录 {meeting.id} 孙奶奶 出席")
    assert "已补录：孙奶奶 出席" in reply and "实到2人" in reply
    entry = record(session, meeting.id, "孙奶奶")
    admin_id = session.scalar(select(Attendance.recorded_by).where(
        Attendance.id == entry.id))
    assert entry.backfilled and entry.status == "present" and admin_id is not None
    assert "补录请假时请写明原因" in chat.say("o-admin", f"补录 {meeting.id} 张明 请假")
    assert "没有叫「王五」" in chat.say("o-admin", f"补录 {meeting.id} 王五 出席")
    assert "本支部没有" in chat.say("o-other-admin", f"补录 {meeting.id} 张明 出席")
    # the 签到码 works as well as the 会议编号
    assert "已补录：张明 缺席" in chat.say("o-admin", f"补录 {meeting.code} 张明 缺席")


def test_cancel_notifies_and_only_own_branch(chat, session, clock, branch):
    create(chat, clock)
    meeting = only_meeting(session)
    # another branch's code gets the reply any wrong code gets (issue 10, item 13)
    assert "本支部没有" in chat.say("o-other-admin", f"取消会议 {meeting.code}")
    assert "已取消" in chat.say("o-admin", f"取消会议 {meeting.code}")
    session.rollback()
    cancelled = [k for k in session.scalars(select(Outbox.dedupe_key)) if k.endswith(":cancelled")]
    assert len(cancelled) == 4
    assert only_meeting(session).status == MeetingStatus.CANCELLED


def test_my_meetings_lists_upcoming_with_state(chat, session, clock, branch):
    assert "近期没有" in chat.say("o-zm", "会议")
    create(chat, clock, hours_ahead=0.5)
    code = only_meeting(session).code
    assert "未签到" in chat.say("o-zm", "会议")
    chat.say("o-zm", f"签到 {code}")
    assert "已签到" in chat.say("o-zm", "会议")


def test_joint_session_invites_another_org(chat, session, clock, branch):
    meeting = make_meeting(session, branch, clock() + timedelta(minutes=30))
    other = session.scalar(select(Org).where(Org.name == "红光村党支部"))
    session.add(MeetingInvite(meeting_id=meeting.id, org_id=other.id))
    session.commit()
    assert "签到成功" in chat.say("o-other", f"签到 {meeting.code}")


def test_unbound_location_is_not_answered_as_check_in(chat, branch):
    assert "请先绑定" in chat.send_xml(location("o-nobody", *VILLAGE)).content


# Dates as secretaries write them (issue 12, item 3). The clock: Friday 2026-11-27
# 10:00 in Shanghai, then the last days of December (a year boundary).
FRIDAY = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "resolved"), [
    ("2026-12-06 09:00", "2026-12-06 09:00"),
    ("2026年12月6日 9:00", "2026-12-06 09:00"),
    ("12月6日上午9点", "2026-12-06 09:00"),  # a bare 9点 asks: morning or evening?
    ("12-06 09:00", "2026-12-06 09:00"),
    ("明天上午9点", "2026-11-28 09:00"),
    ("后天下午3点半", "2026-11-29 15:30"),
    ("周五晚上7点", "2026-11-27 19:00"),  # today is Friday, 10:00
    ("周五上午9点", "2026-12-04 09:00"),  # today's 9:00 has passed: next Friday
    ("下周一 14:00", "2026-11-30 14:00"),
    ("十二月六日上午九点", "2026-12-06 09:00"),
    ("12月1日 早上9点30分", "2026-12-01 09:30"),
    ("11月3日 9:00", "2027-11-03 09:00"),  # passed this year: next year
    ("1月3日 9:00", "2027-01-03 09:00"),
])
def test_meeting_dates_as_people_write_them(chat, session, clock, branch, typed, resolved):
    clock.set(FRIDAY)
    reply = chat.say("o-admin", f"新建会议 党员大会 {typed} 村委会 学习党章")
    meeting = only_meeting(session)
    local = meeting.starts_at.astimezone(timezone(SHANGHAI_OFFSET))
    assert local.strftime("%Y-%m-%d %H:%M") == resolved
    weekday = "一二三四五六日"[local.weekday()]
    assert f"{local.month}月{local.day}日（周{weekday}）" in reply  # the admin can check it
    assert (meeting.place, meeting.topic) == ("村委会", "学习党章")
    if local.year != 2026:
        assert f"{local.year}年" in reply


def test_dates_across_a_month_and_a_year_end(chat, session, clock, branch):
    clock.set(datetime(2026, 12, 30, 12, 0, tzinfo=UTC))  # Wed 20:00 in Shanghai
    chat.say("o-admin", "新建会议 党课 后天上午9点 村委会")
    local = only_meeting(session).starts_at.astimezone(timezone(SHANGHAI_OFFSET))
    assert local.strftime("%Y-%m-%d %H:%M") == "2027-01-01 09:00"
    clock.set(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    chat.say("o-admin", "新建会议 党员大会 明天晚上7点 村委会")
    session.rollback()
    starts = sorted(m.starts_at.astimezone(timezone(SHANGHAI_OFFSET)).strftime("%m-%d %H:%M")
                    for m in session.scalars(select(Meeting)))
    assert "11-30 19:00" in starts


def test_place_and_topic_kept_as_typed_after_any_date_form(chat, session, clock, branch):
    clock.set(FRIDAY)
    chat.say("o-admin", "新建会议 党小组会 明天下午3点 村委会二楼会议室 学习党章，谈体会。")
    meeting = only_meeting(session)
    assert (meeting.place, meeting.topic) == ("村委会二楼会议室", "学习党章，谈体会。")


# Meetings for the right people (issue 12, item 7).
@pytest.fixture
def committee_and_groups(session, branch):
    from models.members.org_tables import OrgKind
    from models.members.orgs import add_org

    first = add_org(session, "第一党小组", OrgKind.GROUP, branch)
    second = add_org(session, "第二党小组", OrgKind.GROUP, branch)
    members = {m.name: m for m in session.scalars(select(Member_).where(
        Member_.branch_id == branch.id))}
    members["李书记"].committee_posts = "书记"
    members["刘芳"].committee_posts = "组织委员、宣传委员"
    members["张明"].group_id = first.id
    members["孙奶奶"].group_id = second.id
    session.commit()
    return first, second


def invited_names(session, meeting) -> set[str]:
    from models.meetings.queries import invitee_ids

    session.rollback()
    ids = invitee_ids(session, session.get(Meeting, meeting.id))
    return set(session.scalars(select(Member_.name).where(Member_.id.in_(ids))))


def test_committee_meeting_invites_the_committee_only(chat, session, clock, branch,
                                                      committee_and_groups):
    reply = chat.say("o-admin", "新建会议 支委会 明天上午9点 村委会 研究发展党员")
    assert "参会：支部委员会（2人）" in reply and "已通知2名党员" in reply
    meeting = only_meeting(session)
    assert invited_names(session, meeting) == {"李书记", "刘芳"}
    assert "近期没有" in chat.say("o-zm", "会议")  # 张明 is not on the committee
    assert "支委会" in chat.say("o-lf", "会议") or "支部委员会" in chat.say("o-lf", "会议")
    clock.set(meeting.starts_at)
    assert "签到成功" not in chat.say("o-zm", f"签到 {meeting.code}")
    assert "签到成功" in chat.say("o-lf", f"签到 {meeting.code}")
    assert "实到2人" in chat.say("o-admin", f"结束会议 {meeting.code}")  # the host too


def test_committee_meeting_needs_a_committee(chat, session, clock, branch):
    assert "角色" in chat.say("o-admin", "新建会议 支委会 明天上午9点 村委会")
    assert session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_group_meeting_names_its_group(chat, session, clock, branch, committee_and_groups):
    assert "第一党小组、第二党小组" in chat.say("o-admin", "新建会议 党小组会 明天上午9点 村委会")
    reply = chat.say("o-admin", "新建会议 党小组会 明天上午9点 村委会 学习党章 第一党小组")
    assert "参会：第一党小组。" in reply
    meeting = only_meeting(session)
    assert (meeting.place, meeting.topic) == ("村委会", "学习党章")
    assert invited_names(session, meeting) == {"张明", "李书记"}  # the group and the host
    chat.say("o-admin", f"取消会议 {meeting.code}")
    chat.say("o-admin", "新建会议 党小组会 后天上午9点 第二党小组 孙家院子 谈体会")
    session.rollback()
    second = session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
    assert (second.place, second.topic) == ("孙家院子", "谈体会")
    assert invited_names(session, second) == {"孙奶奶", "李书记"}


def test_branch_assembly_still_invites_everyone(chat, session, clock, branch,
                                                committee_and_groups):
    chat.say("o-admin", "新建会议 党员大会 明天上午9点 村委会")
    assert invited_names(session, only_meeting(session)) == {"李书记", "张明", "刘芳", "孙奶奶"}

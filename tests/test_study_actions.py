"""One action per change (issue 24), for study content and members' questions: each
change, driven from every surface that offers it, writes exactly one audit entry with
the acting person and the surface it came from."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.services import services_of
from core import words
from models.console.audit import AuditEntry
from models.members.tables import Member
from models.questions.tables import Question
from models.study.tables import StudyFeedback, StudyItem, StudyRecord
from schedules.drafts import expire_stale_drafts
from schedules.study import push_due_items
from tests.conftest import Chat
from tests.test_console_meetings import logged_in
from tests.test_console_study import post


def entries(session) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def new_entry(session, before: list[AuditEntry]) -> AuditEntry:  # type: ignore[no-untyped-def]
    """The one entry written since `before` (fails on none or several)."""
    [entry] = entries(session)[len(before):]
    return entry


def member_id(session, name: str) -> int:  # type: ignore[no-untyped-def]
    return session.scalars(select(Member.id).where(Member.name == name)).one()


def by_chat(entry: AuditEntry, session, name: str) -> bool:  # type: ignore[no-untyped-def]
    return (entry.surface, entry.actor_key, entry.actor_name) \
        == ("chat", f"member:{member_id(session, name)}", name)


def by_console(entry: AuditEntry) -> bool:
    return entry.surface == "console" and entry.actor_key.startswith("user:") \
        and entry.actor_name == "liaoyuan"


def newest_item(session) -> StudyItem:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalars(select(StudyItem).order_by(StudyItem.id.desc())).first()


def test_publish_from_a_chat_message_a_draft_and_a_confirmation(session, county, chat: Chat):
    before = entries(session)
    assert "已发布" in chat.say("o-admin", "发布 学习党章\n第一段：党章总纲。")
    entry = new_entry(session, before)
    assert entry.action == "study.publish" and by_chat(entry, session, "李书记")
    assert entry.org_id == county["liaoyuan"] and entry.after["org"] == "辽原村党支部"
    before = entries(session)
    # a repeat within a day: held for 确认发布, nothing audited
    assert "确认发布" in chat.say("o-admin", "发布 学习党章\n第一段：党章总纲。")
    assert entries(session) == before
    assert "已发布" in chat.say("o-admin", "确认发布")
    entry = new_entry(session, before)
    assert entry.action == "study.publish" and by_chat(entry, session, "李书记")
    before = entries(session)
    chat.say("o-admin", "发布 第二课")
    chat.say("o-admin", "党员的义务。")
    assert entries(session) == before  # a draft in progress is the author's own
    assert "已发布" in chat.say("o-admin", "发送")
    entry = new_entry(session, before)
    assert entry.action == "study.publish" and entry.target.endswith("第二课")


def test_publish_from_the_console(app, session, county):
    secretary = logged_in(app, "liaoyuan")
    before = entries(session)
    assert post(secretary, county["liaoyuan"]).status_code == 302
    entry = new_entry(session, before)
    assert entry.action == "study.publish" and by_console(entry)
    assert newest_item(session).author_id == county["secretary"]


def test_push_and_withdraw_from_chat_and_console(app, session, county, chat: Chat):
    chat.say("o-admin", "发布 学习党章\n第一段。")
    item = newest_item(session)
    before = entries(session)
    assert "一分钟内推送" in chat.say("o-admin", f"推送 {item.id}")
    entry = new_entry(session, before)
    assert entry.action == "study.push" and by_chat(entry, session, "李书记")
    before = entries(session)
    assert "已撤回" in chat.say("o-admin", f"撤回 {item.id}")
    entry = new_entry(session, before)
    assert entry.action == "study.withdraw" and by_chat(entry, session, "李书记")
    before = entries(session)
    assert "已经撤回过了" in chat.say("o-admin", f"撤回 {item.id}")
    assert entries(session) == before  # refused: nothing written

    secretary = logged_in(app, "liaoyuan")
    post(secretary, county["liaoyuan"], title="第二课")
    item = newest_item(session)
    before = entries(session)
    secretary.post(f"/admin/study/{item.id}/push", data={"csrf_token": secretary.token})
    entry = new_entry(session, before)
    assert entry.action == "study.push" and by_console(entry)
    before = entries(session)
    secretary.post(f"/admin/study/{item.id}/withdraw", data={"csrf_token": secretary.token})
    entry = new_entry(session, before)
    assert entry.action == "study.withdraw" and by_console(entry)


def test_edit_from_the_console(app, session, county, chat: Chat, clock):
    secretary = logged_in(app, "liaoyuan")
    post(secretary, county["liaoyuan"])
    item = newest_item(session)
    url = f"/admin/study/{item.id}/edit"
    form = secretary.get(url)
    assert form.status_code == 200 and "保存修改" in form.get_data(as_text=True)
    fields = {"title": "学习党章（修订）", "body": "第一段：党章总纲。", "link": "",
              "day": "", "time": "", "csrf_token": secretary.token}
    before = entries(session)
    changed = secretary.post(url, data=fields)
    assert "已修改第" in secretary.get(changed.location).get_data(as_text=True)
    entry = new_entry(session, before)
    assert entry.action == "study.edit" and by_console(entry)
    assert entry.before["title"] == "学习党章" and entry.after["title"] == "学习党章（修订）"
    assert "学习党章（修订）" in chat.say("o-zm", "学习")
    before = entries(session)
    same = secretary.post(url, data=fields)  # nothing changed: refused, nothing written
    assert same.status_code == 400 and "没有改动" in same.get_data(as_text=True)
    too_long = secretary.post(url, data={**fields, "title": "长" * 65})
    assert too_long.status_code == 400 and "长" * 65 in too_long.get_data(as_text=True)
    assert entries(session) == before
    later = (clock() + timedelta(days=2)).astimezone(services_of(app).settings.tz)
    before = entries(session)
    rescheduled = secretary.post(url, data={**fields, "day": later.strftime("%Y-%m-%d"),
                                            "time": "09:00"})
    assert rescheduled.status_code == 302  # before the push: a new time
    entry = new_entry(session, before)
    assert entry.action == "study.edit" and set(entry.after) == {"publish_at", "push_at"}
    assert "学习党章（修订）" not in chat.say("o-zm", "学习")  # not out until then
    clock.advance(days=3)
    secretary = logged_in(app, "liaoyuan")  # the console's session ended meanwhile
    fields["csrf_token"] = secretary.token
    secretary.post(f"/admin/study/{item.id}/push", data={"csrf_token": secretary.token})
    push_due_items(services_of(app))
    before = entries(session)
    moved = secretary.post(url, data={**fields, "day": later.strftime("%Y-%m-%d"),
                                      "time": "09:00"})
    # once pushed, the time is not the form's to change: nothing else changed
    assert moved.status_code == 400 and "没有改动" in moved.get_data(as_text=True)
    assert entries(session) == before


def test_a_members_own_studied_and_feedback_are_their_own_trace(session, county, chat: Chat):
    """已学 and 心得 are the member's own records (the study record names who and when):
    the audit log keeps changes made for or over others, not a county's daily routine."""
    chat.say("o-admin", "发布 学习党章\n第一段。")
    before = entries(session)
    assert "已记录" in chat.say("o-zm", "已学")
    assert "已经学过" in chat.say("o-zm", "已学")  # already recorded: nothing new
    chat.say("o-zm", "学了党章总纲，要时刻对照检查自己。")
    session.rollback()  # see what the chat committed
    record = session.scalars(select(StudyRecord)).one()
    assert record.member_id == member_id(session, "张明") and record.via == "self"
    assert session.scalars(select(StudyFeedback)).one().text == "学了党章总纲，要时刻对照检查自己。"
    assert entries(session) == before


def test_a_question_asked_in_chat_answered_or_closed_in_the_console(app, session, county,
                                                                   chat: Chat):
    before = entries(session)
    assert "已转给支部管理员" in chat.say("o-zm", "党费交到哪里？")
    assert entries(session) == before  # the member's own question is its own trace
    chat.say("o-zm", "下个月党课讲什么？")
    session.rollback()
    first, second = session.scalars(select(Question).order_by(Question.id)).all()
    secretary = logged_in(app, "liaoyuan")
    before = entries(session)
    secretary.post(f"/admin/question/{first.id}",
                   data={"answer": "交给组织委员。", "action": "answer",
                         "csrf_token": secretary.token})
    entry = new_entry(session, before)
    assert entry.action == "question.answer" and by_console(entry)
    before = entries(session)
    secretary.post(f"/admin/question/{second.id}",
                   data={"action": "close", "csrf_token": secretary.token})
    entry = new_entry(session, before)
    assert entry.action == "question.close" and by_console(entry)
    before = entries(session)
    again = secretary.post(f"/admin/question/{second.id}",
                           data={"action": "close", "csrf_token": secretary.token})
    assert "已经回复过了" in secretary.get(again.location).get_data(as_text=True)
    assert entries(session) == before


def test_a_draft_expired_by_the_job(session, county, chat: Chat, services, clock):
    chat.say("o-admin", "发布 学习党章")
    chat.say("o-admin", "第一段心里话。")
    clock.advance(minutes=31)
    before = entries(session)
    assert expire_stale_drafts(services) == 1
    entry = new_entry(session, before)
    assert entry.action == "study.draft_expire" and entry.surface == "job"
    assert entry.actor_key == "job:drafts.expire" and entry.actor_name == words.ACTOR_JOB
    assert entry.target == "学习党章" and entry.org_id == county["liaoyuan"]


def test_a_scheduled_push_is_the_jobs_action(session, county, chat: Chat, services, clock):
    """The scheduler's push goes through models.study.actions like every other change:
    one entry per item when its last chunk is queued, naming the job and how many
    members were told."""
    chat.say("o-admin", "发布 学习党章\n第一段：党章总纲。")
    clock.advance(days=1)
    before = entries(session)
    told = push_due_items(services)
    assert told > 0
    entry = new_entry(session, before)
    assert entry.action == "study.pushed" and entry.surface == "job"
    assert entry.actor_key == "job:study.push" and entry.after == {"told": told}
    assert entry.target.endswith(" 学习党章") and entry.org_id == county["liaoyuan"]
    assert push_due_items(services) == 0 and entries(session)[len(before) + 1:] == []


def test_every_new_action_has_a_name_in_the_audit_log():
    for action in ("study.publish", "study.edit", "study.push", "study.pushed", "study.withdraw",
                   "study.studied", "study.feedback", "study.draft_expire", "question.ask",
                   "question.answer", "question.close"):
        assert action in words.AUDIT_ACTION_NAMES

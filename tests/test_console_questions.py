"""Members' questions in the console: a question nothing in chat answers waits in the
branch's queue; the secretary answers it on the page, the answer goes out through the
outbox, and 统计 no longer lists it."""

from __future__ import annotations

from sqlalchemy import select

from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.questions.tables import Question
from tests.conftest import Chat
from tests.test_console_meetings import logged_in


def ask(chat: Chat, session, text: str) -> Question:  # type: ignore[no-untyped-def]
    assert "已转给支部管理员" in chat.say("o-zm", text)
    session.rollback()
    return session.scalars(select(Question).order_by(Question.id.desc())).first()


def test_an_answer_from_the_page_reaches_the_member(app, session, county, chat: Chat):
    question = ask(chat, session, "党费交到哪里？")
    secretary = logged_in(app, "liaoyuan")
    branch_page = secretary.get(f"/admin/branch/{county['liaoyuan']}").get_data(as_text=True)
    assert "党员提问（1）" in branch_page
    page = secretary.get(f"/admin/branch/{county['liaoyuan']}/questions").get_data(as_text=True)
    assert "待回复（1）" in page and "党费交到哪里？" in page and "张明" in page
    sent = secretary.post(f"/admin/question/{question.id}",
                          data={"answer": "交给支部组织委员刘芳，每季度第一个月。",
                                "action": "answer", "csrf_token": secretary.token})
    assert sent.status_code == 302
    page = secretary.get(sent.location).get_data(as_text=True)
    assert "已回复张明：一分钟内送到他的微信" in page and "待回复（0）" in page
    assert "交给支部组织委员刘芳" in page  # under 最近回复过的
    session.rollback()
    row = session.scalars(select(Outbox).where(Outbox.kind == "question_answer")).one()
    assert row.dedupe_key == f"answer:{question.id}" and row.status == "pending"
    assert "问的「党费交到哪里？」，liaoyuan回复：\n交给支部组织委员刘芳" in row.payload["text"]
    assert "党员的提问待回复" not in chat.say("o-admin", "统计")
    again = secretary.post(f"/admin/question/{question.id}",
                           data={"answer": "再说一遍", "action": "answer",
                                 "csrf_token": secretary.token})
    assert "这个问题已经回复过了" in secretary.get(again.location).get_data(as_text=True)
    assert session.scalars(select(Outbox).where(Outbox.kind == "question_answer")).all() \
        .__len__() == 1
    entry = session.scalars(select(AuditEntry).where(AuditEntry.surface == "console")).one()
    assert entry.action == "question.answer" and entry.after == {
        "answer": "交给支部组织委员刘芳，每季度第一个月。"}


def test_marked_answered_in_person_and_empty_answers(app, session, county, chat: Chat):
    question = ask(chat, session, "下个月党课讲什么？")
    secretary = logged_in(app, "liaoyuan")
    empty = secretary.post(f"/admin/question/{question.id}",
                           data={"answer": "  ", "action": "answer",
                                 "csrf_token": secretary.token})
    assert "请写下回复的内容" in secretary.get(empty.location).get_data(as_text=True)
    closed = secretary.post(f"/admin/question/{question.id}",
                            data={"action": "close", "csrf_token": secretary.token})
    page = secretary.get(closed.location).get_data(as_text=True)
    assert "已标记为当面答复" in page and "当面答复" in page
    session.rollback()
    assert session.get(Question, question.id).answered_at is not None
    assert session.scalars(select(Outbox).where(Outbox.kind == "question_answer")).all() == []


def test_questions_are_404_outside_the_scope(app, session, county, chat: Chat):
    question = ask(chat, session, "党费交到哪里？")
    west = logged_in(app, "west-it")
    assert west.get(f"/admin/branch/{county['liaoyuan']}/questions").status_code == 404
    assert west.post(f"/admin/question/{question.id}",
                     data={"answer": "x", "action": "answer",
                           "csrf_token": west.token}).status_code == 404
    assert west.post("/admin/question/99999", data={"answer": "x",
                                                    "csrf_token": west.token}).status_code == 404
    east = logged_in(app, "east-it")  # township staff may answer for their branches
    assert east.post(f"/admin/question/{question.id}",
                     data={"answer": "问组织委员。", "action": "answer",
                           "csrf_token": east.token}).status_code == 302
    assert east.post(f"/admin/question/{question.id}",
                     data={"answer": "x"}).status_code == 400  # no CSRF token

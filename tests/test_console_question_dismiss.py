"""Dismissing a "question" that is none (issue 25, item 10): the secretary takes it off
the queue in one click; it counts nowhere — not waiting in 统计 or the console, not
among the answered — and the change is audited."""

from __future__ import annotations

from sqlalchemy import select

from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.questions.queries import answered_questions, open_questions, waiting_count
from models.questions.tables import Question
from tests.conftest import Chat
from tests.test_console_meetings import logged_in
from tests.test_console_questions import ask


def test_a_dismissed_question_counts_nowhere(app, session, county, chat: Chat):
    kept = ask(chat, session, "党费交到哪里？")
    slip = ask(chat, session, "那个东西弄好没有")
    secretary = logged_in(app, "liaoyuan")
    page = secretary.get(f"/admin/branch/{county['liaoyuan']}/questions").get_data(as_text=True)
    assert "待回复（2）" in page and "不是问题，忽略" in page
    done = secretary.post(f"/admin/question/{slip.id}",
                          data={"action": "dismiss", "csrf_token": secretary.token})
    assert done.status_code == 302
    page = secretary.get(done.location).get_data(as_text=True)
    assert "已忽略" in page and "待回复（1）" in page
    assert "那个东西弄好没有" not in page  # neither waiting nor among the answered
    branch_page = secretary.get(f"/admin/branch/{county['liaoyuan']}").get_data(as_text=True)
    assert "党员提问（1）" in branch_page
    stats = chat.say("o-admin", "统计")
    assert "党员的提问待回复1条" in stats and "那个东西弄好没有" not in stats
    session.rollback()
    assert waiting_count(session, county["liaoyuan"]) == 1
    assert [q.id for q in open_questions(session, county["liaoyuan"])[1]] == [kept.id]
    assert answered_questions(session, county["liaoyuan"]) == []
    row = session.get(Question, slip.id)
    assert row.dismissed_at is not None and row.answered_at is None and row.answer is None
    assert session.scalars(select(Outbox).where(Outbox.kind == "question_answer")).all() == []
    entry = session.scalars(select(AuditEntry)).one()
    assert entry.action == "question.dismiss" and "那个东西弄好没有" in entry.target
    audit = secretary.get("/admin/audit").get_data(as_text=True)
    assert "忽略提问" in audit
    # a second click, or an answer from a page opened before, changes nothing
    again = secretary.post(f"/admin/question/{slip.id}",
                           data={"action": "dismiss", "csrf_token": secretary.token})
    assert "已经忽略" in secretary.get(again.location).get_data(as_text=True)
    late = secretary.post(f"/admin/question/{slip.id}",
                          data={"action": "answer", "answer": "好了",
                                "csrf_token": secretary.token})
    assert "已经忽略" in secretary.get(late.location).get_data(as_text=True)
    session.rollback()
    assert session.get(Question, slip.id).answered_at is None
    assert len(session.scalars(select(AuditEntry)).all()) == 1
    # an answered question cannot be dismissed afterwards either
    secretary.post(f"/admin/question/{kept.id}",
                   data={"action": "close", "csrf_token": secretary.token})
    refused = secretary.post(f"/admin/question/{kept.id}",
                             data={"action": "dismiss", "csrf_token": secretary.token})
    assert "已经回复过了" in secretary.get(refused.location).get_data(as_text=True)
    session.rollback()
    assert session.get(Question, kept.id).dismissed_at is None


def test_dismissing_is_scoped(app, session, county, chat: Chat):
    question = ask(chat, session, "党费交到哪里？")
    west = logged_in(app, "west-it")
    assert west.post(f"/admin/question/{question.id}",
                     data={"action": "dismiss", "csrf_token": west.token}).status_code == 404
    session.rollback()
    assert session.get(Question, question.id).dismissed_at is None

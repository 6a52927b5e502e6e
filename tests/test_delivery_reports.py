"""Template delivery reports (TEMPLATESENDJOBFINISH) settle outbox rows."""

from __future__ import annotations

import pytest

from bot.simulator import event_xml
from models.delivery.outbox import Outbox, Status
from tests.factories import make_branch, make_member


@pytest.fixture
def sent_template(session, clock):
    branch = make_branch(session)
    member = make_member(session, branch, "张明", "13800000001", openid="o-zm")
    row = Outbox(dedupe_key="k1", kind="meeting_reminder", member_id=member.id, openid="o-zm",
                 channel="template", payload={"text": "x"}, status=Status.SENT,
                 send_after=clock(), attempts=1, wechat_msgid="1000000042",
                 unknown_retried=False, created_at=clock(), sent_at=clock())
    session.add(row)
    session.commit()
    return row


def report(chat, openid: str, msgid: str, status: str) -> str:
    xml = event_xml(openid, "TEMPLATESENDJOBFINISH", create_time=int(chat.clock().timestamp()))
    xml = xml.replace(
        "</xml>", f"<MsgID>{msgid}</MsgID><Status><![CDATA[{status}]]></Status></xml>")
    return chat.send_xml(xml).xml


def test_report_success_marks_delivered(chat, session, sent_template):
    assert report(chat, "o-zm", "1000000042", "success") == "success"
    session.rollback()
    session.expire_all()
    row = session.get(Outbox, sent_template.id)
    assert (row.status, row.report) == (Status.SENT, "delivered")


@pytest.mark.parametrize("status", ["failed:user block", "failed: system failed"])
def test_report_failure_marks_failed(chat, session, sent_template, status):
    report(chat, "o-zm", "1000000042", status)
    session.rollback()
    session.expire_all()
    row = session.get(Outbox, sent_template.id)
    assert row.status == Status.FAILED and row.report == status


def test_report_reconciles_an_unknown_row_by_recipient(chat, session, sent_template):
    sent_template.status, sent_template.wechat_msgid = Status.UNKNOWN, None
    session.commit()
    report(chat, "o-zm", "1000000099", "success")
    session.rollback()
    session.expire_all()
    row = session.get(Outbox, sent_template.id)
    assert (row.status, row.wechat_msgid, row.report) == (Status.SENT, "1000000099", "delivered")


def test_two_reports_in_one_second_are_both_recorded(chat, session, sent_template, clock):
    other = Outbox(dedupe_key="k2", kind="meeting_reminder", member_id=sent_template.member_id,
                   openid="o-zm", channel="template", payload={"text": "y"}, status=Status.SENT,
                   send_after=clock(), attempts=1, wechat_msgid="1000000043",
                   unknown_retried=False, created_at=clock())
    session.add(other)
    session.commit()
    report(chat, "o-zm", "1000000042", "success")
    report(chat, "o-zm", "1000000043", "failed:user block")
    session.rollback()
    session.expire_all()
    assert session.get(Outbox, other.id).status == Status.FAILED
    assert session.get(Outbox, sent_template.id).report == "delivered"

"""Personal data on request (issue 27, PIPL): `partybot member export` writes every area
partybot holds about a member; `partybot member forget` and the county's console button
leave no trace of the person in any table, log or export, while every count stays; the
retention job deletes old rows only, and twice is harmless."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

import models
from bot.cli.main import main
from core import texts
from models.actors import Actor, Surface
from models.api.tables import ApiToken, MiniProgramUser
from models.console.accounts import add_console_user
from models.console.audit import AuditEntry
from models.db.inbound import InboundMessage
from models.db.stored_files import FEEDBACK, StoredFile, store_files
from models.delivery.outbox import Channel, Outbox, Status
from models.delivery.subscriptions import SubscriptionCredit
from models.meetings.actions import ask_leave, check_in, close_meeting
from models.meetings.tables import Attendance, Method
from models.members.actions import bind_wechat
from models.members.forget import pseudonym
from models.members.org_tables import Org, OrgKind
from models.members.preferences import PagePreference
from models.members.tables import Member
from models.pairing.relays import Relay
from models.pairing.tables import HelpPair
from models.questions.tables import Question
from models.study.tables import StudyFeedback, StudyItem, StudyRecord
from tests.conftest import CONSOLE_PASSWORD
from tests.factories import make_meeting, make_member
from tests.procs import command_env
from tests.test_console_meetings import logged_in
from tests.test_member_actions import CLI_ACTOR

NAME, PHONE = "测试忘记人", "13912345678"
OPENID, UNIONID, MINI = "o-forget-me", "u-forget-me", "mp-forget-me"
FEEDBACK_TEXT = "这次学习心得体会很深刻甲乙丙"
QUESTION_TEXT = "请问党费怎么交才对甲乙丙"
LEAVE_REASON = "家里有事外出甲乙丙"
SECRETS = (NAME, PHONE, OPENID, UNIONID, MINI, FEEDBACK_TEXT, QUESTION_TEXT, LEAVE_REASON)


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Runs `partybot ...` on the test's database."""
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)

    def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, list(args), input=stdin)

    return run


@pytest.fixture
def person(session, clock, county, settings, monkeypatch):  # type: ignore[no-untyped-def]
    """A county above the townships (with its IT account), and a member with something
    in every area: bindings, attendance and leave, study with a 心得 text and photo, a
    pair with relays, a question, page settings, a subscription, messages, audit. The
    CLI (requested before this fixture) uses the app's instance folder too."""
    instance = Path(settings.instance_path)
    monkeypatch.setenv("PARTYBOT_INSTANCE_PATH", str(instance))
    top = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
    session.add(top)
    session.flush()
    branch = session.get(Org, county["liaoyuan"])
    session.get(Org, branch.parent_id).parent_id = top.id
    add_console_user(session, "county-it", CONSOLE_PASSWORD, top, None, clock())
    now = clock()
    me = make_member(session, branch, NAME, PHONE)
    bind_wechat(session, OPENID, NAME, PHONE[-4:], now)
    me.unionid = UNIONID
    helper = session.scalars(select(Member).where(Member.name == "张明")).one()
    session.add(MiniProgramUser(openid=MINI, unionid=UNIONID, member_id=me.id, first_seen=now,
                                bound_at=now))
    session.flush()
    session.add(ApiToken(token_hash="h" * 64, openid=MINI, member_id=me.id, issued_at=now,
                         expires_at=now + timedelta(days=1), window_start=now))
    admin = Actor.member(county["secretary"], "李书记")
    held = make_meeting(session, branch, now - timedelta(days=3), topic="学习党章")
    other = make_meeting(session, branch, now - timedelta(days=2), topic="主题党日")
    ask_leave(session, Actor.member(me.id, NAME), held, me, LEAVE_REASON, Method.CODE,
              now - timedelta(days=4))
    check_in(session, admin, other, me, Method.ADMIN, now - timedelta(days=2))
    check_in(session, admin, held, helper, Method.ADMIN, now - timedelta(days=3))
    close_meeting(session, admin, held, now)
    close_meeting(session, admin, other, now)
    item = StudyItem(org_id=branch.id, title="学习材料一", body="正文", content_hash="x",
                     publish_at=now - timedelta(days=1), push_at=now - timedelta(days=1))
    session.add(item)
    session.flush()
    record = StudyRecord(item_id=item.id, member_id=me.id, studied_at=now, via="helper",
                         helper_id=helper.id)
    session.add(record)
    session.flush()
    [photo] = store_files(session, instance, branch.id, FEEDBACK, record.id,
                          [(b"jpeg-bytes", ".jpg")], f"member:{me.id}", now)
    session.add_all([
        StudyFeedback(record_id=record.id, kind="text", text=FEEDBACK_TEXT, sent_at=now),
        StudyFeedback(record_id=record.id, kind="image", url=f"/m/feedback/{record.id}/{photo}",
                      sent_at=now),
        StudyFeedback(record_id=record.id, kind="voice", media_id="voice-media-1", sent_at=now),
        HelpPair(helper_id=helper.id, member_id=me.id, created_at=now),
        Relay(dedupe_key="relay-1", helper_id=helper.id, member_id=me.id, kind="study",
              text=f"请把学习材料一转给{NAME}（{PHONE}）", created_at=now, confirmed_at=now),
        Question(branch_id=branch.id, member_id=me.id, text=QUESTION_TEXT, asked_at=now,
                 answered_at=now, answered_by=county["secretary"], answer=f"{NAME}同志：到支部交"),
        PagePreference(member_id=me.id, font_size="large", changed_at=now),
        SubscriptionCredit(app="account", openid=OPENID, template_id="tpl-1", member_id=me.id,
                           credits=1, status="accept", changed_at=now,
                           changed_by=f"member:{me.id}", surface="page"),
        InboundMessage(key="msg-1", openid=OPENID, msg_type="text", received_at=now,
                       reply="好的"),
        Outbox(dedupe_key="to-helper-1", kind="relay", member_id=helper.id, openid="o-zm",
               channel=Channel.CUSTOM, payload={"text": f"{NAME}还没学习"},
               status=Status.SENT, send_after=now),
        Outbox(dedupe_key="to-me-1", kind="study", member_id=me.id, openid=OPENID,
               channel=Channel.CUSTOM, payload={"text": "学习提醒"},
               status=Status.SENT, send_after=now),
    ])
    session.commit()
    return {"id": me.id, "photo": instance / "uploads" / "feedback" /
            str(record.id) / photo, "branch": branch.id, "top": top.id}


def _everything(session) -> str:  # type: ignore[no-untyped-def]
    """Every column of every table, as text (JSON decoded: Chinese as written)."""
    session.rollback()
    out = []
    for table in models.Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            out.append(json.dumps([str(v) if not isinstance(v, dict | list) else v
                                   for v in row], ensure_ascii=False, default=str))
    return "\n".join(out)


def _cells(path: Path) -> dict[str, list[list[object]]]:
    book = load_workbook(path, read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def _counts(session, branch_id: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    session.rollback()
    by_status = dict(session.execute(select(Attendance.status, func.count())
                                     .group_by(Attendance.status)).all())
    return {"attendance": {str(k): v for k, v in by_status.items()},
            "study": session.scalar(select(func.count()).select_from(StudyRecord)),
            "relays": session.scalar(select(func.count()).select_from(Relay)),
            "questions": session.scalar(select(func.count()).select_from(Question)),
            "members": session.scalar(select(func.count()).select_from(Member)
                                      .where(Member.branch_id == branch_id))}


def _ledger_numbers(cli, clock, tmp_path: Path, name: str) -> list[object]:  # type: ignore[no-untyped-def]
    out = tmp_path / name
    day = clock().date()
    done = cli("export", "ledger", "--org", "辽原村党支部", "--from",
               str(day - timedelta(days=30)), "--to", str(day + timedelta(days=1)), "--out",
               str(out))
    assert done.exit_code == 0, done.output
    cells = _cells(out)
    return [(title, v) for title, rows in cells.items() for row in rows for v in row
            if isinstance(v, int | float)]


def test_export_has_every_area_and_is_audited(cli, session, person, tmp_path):
    out = tmp_path / "me.xlsx"
    done = cli("member", "export", NAME, "--branch", "辽原村党支部", "-o", str(out))
    assert done.exit_code == 0, done.output
    sheets = _cells(out)
    expected = [texts.PD_SHEET_PROFILE, texts.PD_SHEET_BINDINGS, texts.PD_SHEET_ATTENDANCE,
                texts.PD_SHEET_LEAVE, texts.PD_SHEET_STUDY, texts.PD_SHEET_FEEDBACK,
                texts.PD_SHEET_RELAYS, texts.PD_SHEET_PAIRS, texts.PD_SHEET_QUESTIONS,
                texts.PD_SHEET_PREFERENCES, texts.PD_SHEET_SUBSCRIPTIONS,
                texts.PD_SHEET_INBOUND, texts.PD_SHEET_AUDIT]
    assert list(sheets) == expected
    text = {title: json.dumps(rows, ensure_ascii=False, default=str)
            for title, rows in sheets.items()}
    assert NAME in text[texts.PD_SHEET_PROFILE] and PHONE in text[texts.PD_SHEET_PROFILE]
    assert OPENID in text[texts.PD_SHEET_BINDINGS] and MINI in text[texts.PD_SHEET_BINDINGS]
    assert "学习党章" in text[texts.PD_SHEET_ATTENDANCE]
    assert LEAVE_REASON in text[texts.PD_SHEET_ATTENDANCE]
    assert len(sheets[texts.PD_SHEET_ATTENDANCE]) == 3  # the header and two meetings
    assert "学习材料一" in text[texts.PD_SHEET_STUDY]
    assert FEEDBACK_TEXT in text[texts.PD_SHEET_FEEDBACK]
    assert "/m/feedback/" in text[texts.PD_SHEET_FEEDBACK]  # the photo, listed
    assert "voice-media-1" in text[texts.PD_SHEET_FEEDBACK]
    assert "张明" in text[texts.PD_SHEET_RELAYS] and "张明" in text[texts.PD_SHEET_PAIRS]
    assert QUESTION_TEXT in text[texts.PD_SHEET_QUESTIONS]
    assert "large" in text[texts.PD_SHEET_PREFERENCES]
    assert "tpl-1" in text[texts.PD_SHEET_SUBSCRIPTIONS]
    assert "好的" in text[texts.PD_SHEET_INBOUND]
    assert "绑定微信" in text[texts.PD_SHEET_AUDIT]
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.export"))
    assert (entry.actor_key, entry.actor_name, entry.surface) == CLI_ACTOR
    assert entry.target == NAME and entry.after == {"member_id": person["id"]}


def test_an_ambiguous_name_is_refused_clearly(cli, session, person):
    make_member(session, session.get(Org, person["branch"]), NAME, "13700000000")
    session.commit()
    done = cli("member", "export", NAME, "--branch", "辽原村党支部")
    assert done.exit_code != 0 and "2位" in done.output
    done = cli("member", "forget", NAME, "--branch", "辽原村党支部", "--yes")
    assert done.exit_code != 0 and "2位" in done.output
    assert session.scalar(select(func.count()).select_from(Member)
                          .where(Member.name == NAME)) == 2


def test_forget_leaves_no_trace_and_every_count(cli, session, person, clock, tmp_path,
                                                caplog):
    before = _counts(session, person["branch"])
    ledger_before = _ledger_numbers(cli, clock, tmp_path, "before.xlsx")
    assert all(secret in _everything(session) for secret in SECRETS)
    assert person["photo"].exists()
    assert "确定" in cli("member", "forget", NAME, "--branch", "辽原村党支部",
                         stdin="n\n").output  # asked, and "no" changes nothing
    assert NAME in _everything(session)
    with caplog.at_level(logging.DEBUG):
        done = cli("member", "forget", NAME, "--branch", "辽原村党支部", "--yes")
    assert done.exit_code == 0, done.output
    alias = pseudonym(person["id"])
    assert alias in done.output
    assert not any(secret in caplog.text for secret in (NAME, PHONE, OPENID))

    dump = _everything(session)
    assert [s for s in SECRETS if s in dump] == []
    assert not person["photo"].exists()
    assert _counts(session, person["branch"]) == before
    assert _ledger_numbers(cli, clock, tmp_path, "after.xlsx") == ledger_before
    ledger = json.dumps(_cells(tmp_path / "after.xlsx"), ensure_ascii=False, default=str)
    assert NAME not in ledger and PHONE not in ledger
    out = tmp_path / "after-export.xlsx"
    assert cli("member", "export", alias, "--branch", "辽原村党支部", "-o",
               str(out)).exit_code == 0
    exported = json.dumps(_cells(out), ensure_ascii=False, default=str)
    assert [s for s in SECRETS if s in exported] == []

    member = session.get(Member, person["id"])
    assert (member.name, member.phone, member.openid, member.unionid) == (alias, None, None, None)
    assert pseudonym(person["id"]) == alias  # the same every time
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.forget"))
    assert (entry.actor_key, entry.actor_name, entry.surface) == CLI_ACTOR
    assert entry.target == alias
    # forgetting again writes nothing; nobody can bind to the row any more
    assert texts.CLI_FORGET_ALREADY.format(name=alias) in cli(
        "member", "forget", alias, "--branch", "辽原村党支部", "--yes").output
    assert session.scalar(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "member.forget")) == 1
    # meetings from now on no longer expect them (a closing marks nobody absent for them)
    session.rollback()  # a fresh snapshot: the commands wrote since this one began
    later = make_meeting(session, session.get(Org, person["branch"]), clock() + timedelta(days=1))
    assert close_meeting(session, Actor.cli(), later, clock() + timedelta(days=2)) == 3  # the rest
    assert session.scalar(select(Attendance.id).where(
        Attendance.meeting_id == later.id, Attendance.member_id == person["id"])) is None
    session.rollback()
    # what 绑定 and a mini-program login match on is gone: a new binding is a new person
    assert session.scalar(select(func.count()).select_from(Member).where(
        (Member.name == NAME) | Member.phone.endswith(PHONE[-4:])
        | (Member.unionid == UNIONID))) == 0


def test_the_county_forgets_from_the_console_others_are_refused(app, session, person,
                                                                caplog):
    url = f"/admin/branch/{person['branch']}/member/{person['id']}/forget"
    for login in ("east-it", "liaoyuan"):  # a township, a branch secretary
        browser = logged_in(app, login)
        assert "注销个人数据" not in browser.get(
            f"/admin/branch/{person['branch']}").get_data(as_text=True)
        assert browser.post(url, data={"csrf_token": browser.token}).status_code == 404
    session.rollback()
    assert session.get(Member, person["id"]).name == NAME
    county = logged_in(app, "county-it")
    assert "注销个人数据" in county.get(f"/admin/branch/{person['branch']}").get_data(as_text=True)
    with caplog.at_level(logging.DEBUG):
        assert county.post(url, data={"csrf_token": county.token}).status_code == 302
    assert not any(secret in caplog.text for secret in (NAME, PHONE, OPENID))
    assert county.post(url, data={"csrf_token": county.token}).status_code == 302  # again
    session.rollback()
    assert session.get(Member, person["id"]).name == pseudonym(person["id"])
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.forget"))
    assert entry.surface == Surface.CONSOLE and entry.actor_name == "county-it"
    assert entry.actor_key.startswith("user:")
    assert [s for s in SECRETS if s in _everything(session)] == []
    assert not person["photo"].exists()


def test_retention_deletes_old_rows_only_and_twice_is_safe(services, session, clock,
                                                          monkeypatch):
    from models.console.logins import LoginTicket
    from models.members.org_tables import Org as OrgTable
    from schedules.retention import apply_retention
    from schedules.upkeep import prune_audit_log, prune_inbound_keys

    now = clock()
    old, recent = now - timedelta(days=400), now - timedelta(days=1)
    branch = OrgTable(name="远村党支部", kind=OrgKind.BRANCH)
    session.add(branch)
    session.flush()
    me = make_member(session, branch, "王五", "13800000009")
    item = StudyItem(org_id=branch.id, title="t", body="b", content_hash="y", publish_at=old,
                     push_at=old)
    session.add(item)
    session.flush()
    record = StudyRecord(item_id=item.id, member_id=me.id, studied_at=old)
    session.add(record)
    session.flush()
    root = Path(services.settings.instance_path)
    names = [store_files(session, root, branch.id, FEEDBACK, record.id, [(b"x", ".jpg")], None,
                         when)[0] for when in (old, recent)]
    for name in names:
        session.add(StudyFeedback(record_id=record.id, kind="image",
                                  url=f"/m/feedback/{record.id}/{name}", sent_at=old))
    monkeypatch.setattr("models.db.retention.BATCH", 2)  # several batches, each committed
    for key, when, status in (("o1", old, Status.SENT), ("o2", recent, Status.SENT),
                              ("o3", old, Status.PENDING), ("o4", old, Status.FAILED),
                              ("o5", old, Status.DROPPED), ("o6", old, Status.RELAYED),
                              ("o7", old, Status.UNDELIVERABLE)):
        session.add(Outbox(dedupe_key=key, kind="study", openid="o-x",
                           channel=Channel.CUSTOM, payload={}, status=status,
                           send_after=when, created_at=when))
    for key, when in (("i1", old), ("i2", now)):
        session.add(InboundMessage(key=key, openid="o-x", msg_type="text", received_at=when))
    for key, when in (("t1", old), ("t2", now)):
        session.add(LoginTicket(key=key, created_at=when, expires_at=when))
    for when in (old - timedelta(days=2000), recent):
        session.add(AuditEntry(at=when, actor_key="cli:x", actor_name="x", surface="cli",
                               org_id=branch.id, action="a", target="t"))
    session.commit()
    services.settings = services.settings.with_overrides(retain_photo_days=30)
    for _ in range(2):  # twice: the second finds nothing more
        apply_retention(services)
        prune_inbound_keys(services)
        prune_audit_log(services)
    session.rollback()
    assert set(session.scalars(select(Outbox.dedupe_key))) == {"o2", "o3"}
    assert set(session.scalars(select(InboundMessage.key))) == {"i2"}
    assert set(session.scalars(select(LoginTicket.key))) == {"t2"}
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1
    assert list(session.scalars(select(StoredFile.name))) == [names[1]]
    assert [url.rsplit("/", 1)[-1] for url in session.scalars(select(StudyFeedback.url))] \
        == [names[1]]
    folder = root / "uploads" / "feedback" / str(record.id)
    assert sorted(p.name for p in folder.iterdir()) == [names[1]]
    assert session.scalar(select(func.count()).select_from(StudyRecord)) == 1  # the 已学 stays


def test_retention_zero_keeps_forever(services, session, clock):
    from schedules.retention import apply_retention

    old = clock() - timedelta(days=4000)
    session.add(Outbox(dedupe_key="k", kind="study", openid="o-x",
                       channel=Channel.CUSTOM, payload={}, status=Status.SENT,
                       send_after=old, created_at=old))
    session.commit()
    services.settings = services.settings.with_overrides(retain_delivery_log_days=0)
    assert apply_retention(services)["delivery log rows"] == 0
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Outbox)) == 1

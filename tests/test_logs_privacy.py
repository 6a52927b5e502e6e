"""THE privacy test of the logs (issue 27): a whole realistic run — a member binds with
the last digits of their phone, members write distinctive messages in safe mode, the
secretary schedules a meeting by chat and answers a question in the console, the access
token is fetched, template and customer-service messages go to the fake WeChat API over
real HTTP — with every log line captured at DEBUG in both formats. None of the message
contents, phone numbers, the access token, the app secret, the AES key, a signature, a
nonce or the console password may appear in them."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, text_xml
from core.service_allowance import MESSAGE
from models.delivery.access_token import AccessToken
from models.delivery.outbox import Outbox, Status
from models.members.org_tables import Org
from schedules.delivery import JOBS as DELIVERY_JOBS
from schedules.scheduler import _run_job
from schedules.tokens import JOBS as TOKEN_JOBS
from tests.conftest import AES_KEY, CONSOLE_PASSWORD, TOKEN
from tests.factories import make_member
from tests.log_capture import captured_logs
from tests.test_console_meetings import logged_in
from tests.test_meetings import local_text

APP_ID = "wxprivacy0000001"
APP_SECRET = "app-secret-7c2e9f41d8b3"
PHONE = "13912345678"
QUESTION = "紫藤花开的时候党费交到哪里呢"
ANSWER = "请交给组织委员，紫藤花架下的办公室"
TOPIC = "紫藤精神专题学习"
SMALL_TALK = "昨天在紫藤架下读完了第三章"


def test_a_whole_run_logs_none_of_the_secrets_or_contents(api_settings, clock, county,
                                                           session, fake):
    settings = replace(api_settings, app_id=APP_ID, app_secret=APP_SECRET,
                       encoding_aes_key=AES_KEY, wechat_token_configured=True,
                       configured_template_ids={"meeting_notice": "TPL-MEETING"})
    make_member(session, session.get(Org, county["liaoyuan"]), "王秀英", PHONE)
    session.commit()
    app = create_app(settings, clock=clock)
    side = WeChatSide(TOKEN, AES_KEY, APP_ID)
    queries: list[str] = []
    bodies: list[bytes] = []
    said: list[str] = []

    def say(openid: str, content: str) -> str:
        signed = side.sign_request(text_xml(openid, content,
                                            create_time=int(clock().timestamp())),
                                   timestamp=int(clock().timestamp()))
        queries.append(signed.query)
        bodies.append(signed.body)
        said.append(content)
        response = app.test_client().post(f"/wechat?{signed.query}", data=signed.body,
                                          content_type="text/xml")
        assert response.status_code == 200
        fake.state.user_acted(openid, MESSAGE)  # WeChat saw the member write
        return side.open_reply(response.get_data()).content

    try:
        with captured_logs() as logs:
            runtime = services_of(app)
            refresh = next(spec for spec in TOKEN_JOBS if spec.id == "wechat.refresh_token")
            assert _run_job(refresh, runtime) is True  # the token fetched, with the secret
            assert "王秀英" in say("o-wxy", f"绑定 王秀英 {PHONE[-4:]}")
            assert "已转给支部管理员" in say("o-zm", QUESTION)
            say("o-wxy", SMALL_TALK)
            day, at = local_text(clock() + timedelta(hours=26))
            if "回复「是」" in say("o-admin", f"新建会议 党员大会 {day} {at} 村委会 {TOPIC}"):
                say("o-admin", "是")
            secretary = logged_in(app, "liaoyuan")  # the console password, posted
            from models.questions.tables import Question

            session.rollback()
            question = session.scalars(select(Question)).one()
            sent = secretary.post(f"/admin/question/{question.id}", data={
                "answer": ANSWER, "action": "answer", "csrf_token": secretary.token})
            assert sent.status_code == 302
            # a forged copy of the last message (refused) and a dropped connection
            forged = queries[-1].replace("msg_signature=", "msg_signature=0")
            assert app.test_client().post(f"/wechat?{forged}", data=bodies[-1],
                                          content_type="text/xml").status_code == 403
            fake.fail(endpoint="message/template/send", drop=True, openid="o-lf")
            drain = next(spec for spec in DELIVERY_JOBS if spec.id == "delivery.drain")
            _run_job(drain, runtime)
    finally:
        services_of(app).dispose()

    session.rollback()
    sent_rows = session.scalars(select(Outbox).where(Outbox.status == Status.SENT)).all()
    assert {row.channel for row in sent_rows} >= {"template", "custom"}, sent_rows
    assert any(ANSWER in m.text for m in fake.messages("o-zm"))
    token = session.scalars(select(AccessToken.token)).one()
    output = logs.everything()
    # the run was logged: each message, each send, the token fetch, some HTTP calls
    assert output.count("answered request_id=") >= len(said)
    assert "errcode 0" in output and "fetched a new access token" in output
    assert "access_token=***" in output  # (urllib3's request lines, redacted)
    assert "refused POST /wechat" in output and "retry, errcode -: ConnectionError" in output

    secrets = {"the app secret": APP_SECRET, "the AES key": AES_KEY, "the token": TOKEN,
               "the access token": token, "the console password": CONSOLE_PASSWORD,
               "the phone number": PHONE, "the question": QUESTION, "the answer": ANSWER,
               "the meeting's topic": TOPIC, "small talk": SMALL_TALK}
    secrets.update({f"a county phone ({p})": p for p in
                    ("13800000001", "13800000002", "13800000003", "13800000004")})
    for content in (c for c in said if len(c) > 3):  # ("是" is in any Chinese text)
        secrets[f"the message {content!r}"] = content
    for query in queries:
        for name in ("signature", "msg_signature", "nonce"):
            value = re.search(rf"(?:^|&){name}=([^&]+)", query)
            assert value is not None
            secrets[f"a {name}"] = value.group(1)
    leaked = {what for what, value in secrets.items() if value in output}
    assert not leaked, leaked



def test_a_database_error_logged_with_its_traceback_names_no_values(app, session, county):
    """The inbox, the console and the jobs log unexpected errors with their traceback; a
    database error's text would otherwise list the statement's values (a phone, a
    message)."""
    import logging

    from sqlalchemy.exc import IntegrityError

    from models.members.tables import Member

    with captured_logs() as logs:
        try:
            session.add(Member(name="重名", branch_id=county["liaoyuan"], phone=PHONE,
                               openid="o-zm", subscribed=True))  # o-zm is 张明's
            session.flush()
        except IntegrityError:
            logging.getLogger("partybot.test").exception("handler failed")
        session.rollback()
    assert "IntegrityError" in logs.everything()
    assert PHONE not in logs.everything() and "重名" not in logs.everything()

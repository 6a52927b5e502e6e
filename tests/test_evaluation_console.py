"""民主评议党员 in the console and on the member page: the secretary opens the round on
the console, members rate on /m/evaluation (big buttons) and over chat, paper ballots
entered on the console (refused for the voter's own helper, and for one who voted
online), the voting ended, determinations (a reason where they differ), the cap, the
close; the township sees its branches' results, the other township gets 404; the 台账
sheet; and no page, export, audit entry or log line puts a voter next to a choice."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import create_app
from bot.ledger.branch import export_ledger
from bot.services import services_of
from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.evaluation.tables import EvaluationRound, EvaluationSubject
from models.members.org_tables import Org
from tests.conftest import Chat
from tests.evaluation_support import evaluation_branch, flat_lines, linked_lines
from tests.test_console_meetings import logged_in
from tests.test_pages_login import csrf_of, open_as


@pytest.fixture
def app(api_settings, clock):  # type: ignore[no-untyped-def]
    """The app with the fake WeChat API (the member pages log in through it)."""
    built = create_app(api_settings, clock=clock)
    yield built
    services_of(built).dispose()


@pytest.fixture
def branch(session, county, clock):  # type: ignore[no-untyped-def]
    return evaluation_branch(session, county, clock)


def page(browser, path: str) -> str:  # type: ignore[no-untyped-def]
    answer = browser.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)


def post(browser, path: str, **form: object) -> str:  # type: ignore[no-untyped-def]
    """POST a console form; the page it lands on."""
    answer = browser.post(path, data={"csrf_token": browser.token, **form})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return page(browser, answer.location)


def test_a_round_on_the_console_and_the_member_page(app, session, county, branch, chat: Chat,
                                                     clock, fake, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    liaoyuan = county["liaoyuan"]
    secretary = logged_in(app, "liaoyuan")
    start = page(secretary, f"/admin/branch/{liaoyuan}/evaluation")
    assert "开始民主评议" in start and "孙奶奶" in start
    day = (clock().astimezone(services_of(app).settings.tz).date() + timedelta(days=10))
    opened = post(secretary, f"/admin/branch/{liaoyuan}/evaluation/open",
                  closes_on=day.isoformat())
    assert "民主评议已开始" in opened and "录入纸质选票" in opened
    session.rollback()
    assert len(session.scalars(select(Outbox).where(Outbox.kind == "evaluation_open")).all()) == 6
    round_ = session.scalars(select(EvaluationRound)).one()

    # 张明 on his phone: self-assessment and big buttons
    phone, _ = open_as(app, fake, "o-zm", "/m/evaluation")
    assert 'href="/m/evaluation"' in page(phone, "/m/")  # the home page points there
    mine = page(phone, "/m/evaluation")
    assert "给党员评等次（还有5人没评）" in mine and "李书记" in mine
    assert 'value="excellent"' in mine
    token = csrf_of(mine)
    phone.post("/m/evaluation/self", data={"csrf_token": token, "text": "按时交党费，带头学习。"})
    for name, grade in (("李书记", "excellent"), ("刘芳", "excellent"), ("王帮扶", "qualified"),
                        ("赵大爷", "basic"), ("孙奶奶", "qualified"), ("李书记", "qualified")):
        answer = phone.post("/m/evaluation/vote", data={
            "csrf_token": token, "subject": branch[name], "grade": grade})
        assert answer.status_code == 302
    mine = page(phone, "/m/evaluation")
    assert "已评完" in mine and mine.split('rate-list')[1].count('aria-pressed="true"') == 5
    assert "已写" in mine
    refused = phone.post("/m/evaluation/vote", data={
        "csrf_token": token, "subject": branch["张明"], "grade": "excellent"})
    assert "不能给自己评等次" in page(phone, refused.location)

    chat.say("o-lf", "评议 李书记 优秀 张明 优秀 王帮扶 合格 赵大爷 合格 孙奶奶 合格")
    chat.say("o-wang", "评议 李书记 优秀 张明 合格 刘芳 合格")

    # paper ballots on the console: 李书记 helps 赵大爷, so he cannot enter 赵大爷's
    grades = {f"grade-{branch['李书记']}": "excellent", f"grade-{branch['张明']}": "qualified"}
    helper = post(secretary, f"/admin/evaluation/{round_.id}/paper", voter=branch["赵大爷"],
                  **grades)
    assert "你是赵大爷的帮扶人，不能替赵大爷投票" in helper
    entered = post(secretary, f"/admin/evaluation/{round_.id}/paper", voter=branch["孙奶奶"],
                   **grades)
    assert "已录入孙奶奶的纸质选票（2人）" in entered
    online = post(secretary, f"/admin/evaluation/{round_.id}/paper", voter=branch["张明"],
                  **grades)
    assert "张明已经在网上投过票了" in online
    outputs += [helper, entered, online]
    progress = page(secretary, f"/admin/branch/{liaoyuan}/evaluation")
    assert "票数和支部委员会认定" not in progress  # no tallies while votes come in
    assert "纸质" in progress and "5/5" in progress
    outputs.append(progress)

    # the voting ends; determinations; the cap
    assert "投票已截止" in post(secretary, f"/admin/evaluation/{round_.id}/end-voting")
    tallies = page(secretary, f"/admin/branch/{liaoyuan}/evaluation")
    assert "票数和支部委员会认定" in tallies
    outputs.append(tallies)
    no_reason = post(secretary, f"/admin/evaluation/{round_.id}/determinations",
                     **{f"determination-{branch['王帮扶']}": "excellent"})
    assert "王帮扶：大家的评议是合格，支部认定为优秀，请写上理由。" in no_reason
    saved = post(secretary, f"/admin/evaluation/{round_.id}/determinations",
                 **{f"determination-{branch['张明']}": "qualified",
                    f"reason-{branch['张明']}": "年中有一次组织生活无故缺席",
                    f"determination-{branch['刘芳']}": "excellent",
                    f"reason-{branch['刘芳']}": "带头组织秋收互助"})
    assert "已保存认定" in saved
    over = post(secretary, f"/admin/evaluation/{round_.id}/close")
    assert "认定优秀的有2人，占6人的33%，超过了规定的30%" in over
    closed = post(secretary, f"/admin/evaluation/{round_.id}/close",
                  over_cap_reason="两人均获县级表彰")
    assert "民主评议已结束" in closed and "年中有一次组织生活无故缺席" in closed
    outputs.append(closed)
    session.rollback()
    subjects = {s.member_id: s for s in session.scalars(select(EvaluationSubject))}
    assert subjects[branch["张明"]].determination == "qualified"
    assert subjects[branch["李书记"]].excellent == 3

    # 张明's own result on his page
    result = page(phone, "/m/evaluation")
    assert "合格" in result and "年中有一次组织生活无故缺席" in result and "只有你本人" in result
    outputs.append(result)

    # the township sees its branches; the other township does not
    east = session.get(Org, liaoyuan).parent_id
    township = logged_in(app, "east-it")
    seen = page(township, f"/admin/org/{east}/evaluation")
    assert "辽原村党支部" in seen and "远山村" not in seen
    outputs += [seen, page(township, f"/admin/branch/{liaoyuan}/evaluation")]
    west = logged_in(app, "west-it")
    assert west.get(f"/admin/org/{east}/evaluation").status_code == 404
    assert west.get(f"/admin/branch/{liaoyuan}/evaluation").status_code == 404
    assert secretary.get(f"/admin/org/{east}/evaluation").status_code == 404
    outputs.append(page(secretary, "/admin/audit"))

    # the 台账 sheet: tallies and determinations
    path = tmp_path / "ledger.xlsx"
    start_day = day - timedelta(days=30)
    export_ledger(session, session.get(Org, liaoyuan), start_day, day + timedelta(days=30),
                  services_of(app).settings.tz, path)
    sheet = load_workbook(path)["民主评议"]
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    zhang = next(row for row in rows if row[3] == "张明")
    assert list(zhang[4:10]) == [1, 2, 0, 0, "合格", "年中有一次组织生活无故缺席"]
    outputs += ["\n".join("\t".join(str(c) for c in row if c is not None) for row in rows)]
    buffer = io.BytesIO(path.read_bytes())
    assert b"excellent" not in buffer.getvalue()

    votes = [("张明", "o-zm", "李书记", "合格"), ("张明", "o-zm", "赵大爷", "基本合格"),
             ("刘芳", "o-lf", "张明", "优秀"), ("王帮扶", "o-wang", "刘芳", "合格"),
             ("孙奶奶", None, "李书记", "优秀"), ("孙奶奶", None, "张明", "合格")]
    audit = [line for e in session.scalars(select(AuditEntry))
             for line in [e.target, e.actor_name, *flat_lines(e.before), *flat_lines(e.after)]]
    logs = [record.getMessage() for record in caplog.records]
    assert linked_lines(outputs + audit + logs, votes) == []

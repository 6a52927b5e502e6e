"""The overview tells a branch that arranged its meetings from one that arranged none,
leaves branches with no members out of the history, and township staff ask about one
branch (统计 <支部名>) or the branches behind (哪些支部落后了) in chat (issue 25.6)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from models.console.accounts import add_console_user
from models.meetings.attendance import check_in
from models.meetings.rules import close_meeting
from models.meetings.tables import Method
from models.members.org_tables import OrgAdmin
from tests.conftest import CONSOLE_PASSWORD
from tests.factories import make_branch, make_meeting, make_member, make_township

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 4 December, 27 days left in Q4


def at(month: int, day: int, hour: int = 7) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def held(session, branch, starts_at, kind, people):
    meeting = make_meeting(session, branch, starts_at, kind=kind,
                           created=starts_at - timedelta(days=1))
    for person in people:
        check_in(session, meeting, person, Method.ADMIN, person, starts_at)
    close_meeting(session, meeting, starts_at + timedelta(hours=2))
    return meeting


@pytest.fixture
def township(session, clock):
    clock.set(NOW)
    east = make_township(session, "东乡党委")
    ready = make_branch(session, "辽原村党支部", east)
    idle = make_branch(session, "红光村党支部", east)
    make_branch(session, "新建村党支部", east)  # just set up: nobody on its roster yet
    office = make_branch(session, "东乡机关党支部", east)  # no admin of its own
    ready_people = [make_member(session, ready, "李书记", "13800000001", openid="o-admin",
                                is_admin=True),
                    make_member(session, ready, "张明", "13800000002", openid="o-zm")]
    idle_people = [make_member(session, idle, "王红", "13800000003", openid="o-wh",
                               is_admin=True)]
    officer = make_member(session, office, "何委员", "13800000021", openid="o-officer")
    session.add(OrgAdmin(org_id=east.id, member_id=officer.id))
    # last quarter both villages held everything the cadence asks (5 meetings each)
    for branch, people in ((ready, ready_people), (idle, idle_people)):
        held(session, branch, at(7, 10), "branch_assembly", people)
        held(session, branch, at(8, 10), "party_lecture", people)
        for month in (7, 8, 9):
            held(session, branch, at(month, 20), "committee_meeting", people)
    # the office branch holds its quarter too, so only the villages are compared below
    for kind, day in (("branch_assembly", 3), ("party_lecture", 4), ("life_meeting", 5)):
        held(session, office, at(10, day), kind, [officer])
        held(session, office, at(7, day), kind, [officer])
    for month in (7, 8, 9, 10, 11, 12):
        held(session, office, at(month, 2), "committee_meeting", [officer])
    # this quarter 辽原 has arranged every meeting still due; 红光 nothing
    make_meeting(session, ready, at(12, 10), "branch_assembly", created=NOW)
    make_meeting(session, ready, at(12, 15), "committee_meeting", created=NOW)
    make_meeting(session, ready, at(12, 20), "party_lecture", created=NOW)
    make_meeting(session, ready, at(12, 25), "life_meeting", created=NOW)
    add_console_user(session, "east-it", CONSOLE_PASSWORD, east, None, clock())
    session.commit()
    return {"ready": ready.id, "idle": idle.id}


def overview(app) -> str:
    browser = app.test_client()
    page = browser.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    browser.post("/admin/login", data={"login": "east-it", "password": CONSOLE_PASSWORD,
                                       "csrf_token": token})
    return browser.get("/admin/").get_data(as_text=True)


def rows_of(page: str) -> dict[str, list[str]]:
    return {re.search(r'">([^<]+党支部)</a>', row).group(1):
            [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)[1:]}


def test_arranged_meetings_show_their_date_apart_from_none_arranged(app, township):
    page = overview(app)
    header = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th>(.*?)</th>", page)]
    rows = rows_of(page)
    column = {name: header.index(name) for name in ("支部党员大会", "支部委员会会议", "党课")}
    ready, idle = rows["辽原村党支部"], rows["红光村党支部"]
    assert ready[column["支部党员大会"]] == "◷ 已安排 12月10日"
    assert ready[column["支部委员会会议"]] == "◷ 已安排 12月15日"
    assert ready[column["党课"]] == "◷ 已安排 12月20日"
    assert all(idle[column[kind]] == "⚠ 未安排 剩27天" for kind in column)
    order = list(rows)
    assert order.index("红光村党支部") < order.index("辽原村党支部")  # nothing arranged: first
    assert order[-1] == "新建村党支部" and "还没有党员" in rows["新建村党支部"][0]
    assert "◷ 已安排（开会日期）" in page and "⚠ 未安排" in page  # the legend says both


def test_branches_without_members_are_left_out_of_the_history(app, township):
    page = overview(app)
    title = re.search(r"<title id=\"trend-title\">(.*?)</title>", page, re.S).group(1)
    # 15 required of three branches with members, all held: an empty branch would make it 75%
    assert "2026年第3季度 完成率100%" in title, title
    assert "不含还没有党员的 1 个支部" in page


def test_a_branch_page_says_when_a_meeting_is_arranged(app, township):
    browser = app.test_client()
    page = browser.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    browser.post("/admin/login", data={"login": "east-it", "password": CONSOLE_PASSWORD,
                                       "csrf_token": token})
    ready = browser.get(f"/admin/branch/{township['ready']}").get_data(as_text=True)
    idle = browser.get(f"/admin/branch/{township['idle']}").get_data(as_text=True)
    lines = {re.sub(r"<[^>]+>", "", li).split("：")[0]: re.sub(r"<[^>]+>", "", li)
             for li in re.findall(r"<li.*?</li>", ready)}
    assert lines["党课"] == "党课：◷ 本期还没开，已安排在 12月20日（剩 27 天）"
    assert "党课：⚠ 本期还没开，也还没安排，剩 27 天" in idle


def test_branch_stats_in_chat_say_what_is_arranged(chat, township):
    ready = chat.say("o-admin", "统计")
    assert "党课：2026年第4季度还没开（剩27天，已安排在12月20日" in ready, ready
    idle = chat.say("o-wh", "统计")
    assert "党课：2026年第4季度还没开（剩27天，还没安排）" in idle, idle


@pytest.mark.parametrize("asked", [
    "统计 红光村党支部", "统计 红光村", "统计红光", "统计：红光村", "统计 红光村 党支部",
])
def test_township_staff_see_one_branch_by_name(chat, township, asked):
    reply = chat.say("o-officer", asked)
    assert reply.startswith("红光村党支部 三会一课落实情况"), reply
    assert "还没安排" in reply


def test_a_branch_not_below_the_township_is_not_shown(chat, session, township):
    west = make_township(session, "西乡党委")
    make_branch(session, "远山村党支部", west)
    session.commit()
    reply = chat.say("o-officer", "统计 远山村")
    assert "东乡党委下面没有叫「远山村」的支部" in reply
    assert "远山村党支部 三会一课" not in reply
    # a branch secretary still gets their own branch
    assert chat.say("o-admin", "统计").startswith("辽原村党支部 三会一课落实情况")


@pytest.mark.parametrize("asked", [
    "哪些支部落后了", "哪个支部没开会", "落后的支部", "哪些支部落后了？", "落后支部有哪些",
    "哪个村还没开会", "还有哪些支部没完成三会一课", "哪个支部最落后", "谁家还没开会？",
    "有没有支部没开会",
])
def test_township_staff_ask_which_branches_are_behind(chat, township, asked):
    reply = chat.say("o-officer", asked)
    assert "转给" not in reply and "支部管理员" not in reply, reply
    lines = reply.splitlines()
    assert lines[0].startswith("东乡党委三会一课落后的支部"), reply
    assert "红光村党支部" in lines[1] and "党课未安排" in lines[1], reply
    assert not any("辽原村党支部：" in line for line in lines), reply  # all arranged
    assert any(line.startswith("已安排、还没开") and "辽原村党支部" in line
               for line in lines), reply
    assert any("新建村党支部" in line and "还没有党员" in line for line in lines), reply


def test_a_kind_named_narrows_the_answer(chat, township):
    reply = chat.say("o-officer", "哪个支部还没开党课")
    assert "党课" in reply.splitlines()[0] and "红光村党支部" in reply
    assert "支部委员会会议" not in reply, reply


def test_members_asking_the_same_are_not_told_about_branches(chat, township):
    reply = chat.say("o-zm", "哪些支部落后了")
    assert "红光村党支部" not in reply


@pytest.mark.parametrize(("text", "kinds"), [
    ("哪些支部落后了", set()), ("哪个支部没开会", set()), ("落后的支部", set()),
    ("哪几个村三会一课没落实？", set()), ("谁家还没开会", set()), ("支部落后情况", set()),
    ("有没有支部掉队", set()), ("哪个支部拖后腿了", set()), ("哪些村还没开党课", {"party_lecture"}),
    ("哪个支部没开支委会", {"committee_meeting"}),
    ("哪些支部党员大会未召开", {"branch_assembly"}),
    ("哪个村 组织生活会 还没开", {"life_meeting"}),
])
def test_the_reader_hears_questions_about_branches_behind(text, kinds):
    from core.branch_questions import lagging_question

    assert lagging_question(text) == frozenset(kinds)


@pytest.mark.parametrize("text", [
    "今天开会吗", "我落后了吗", "村委会没开门", "红光村党支部", "统计", "会议什么时候开",
    "我们学习落后了，要加油" * 3, "",
])
def test_the_reader_leaves_other_words_alone(text):
    from core.branch_questions import lagging_question

    assert lagging_question(text) is None


def test_township_staff_may_ask_by_voice(chat, township):
    from bot.simulator import message_xml

    xml = message_xml("o-officer", "voice", {"MediaId": "voice-1", "Format": "amr",
                                             "Recognition": "哪些支部落后了？"})
    reply = chat.send_xml(xml).content
    assert "东乡党委三会一课落后的支部" in reply and "红光村党支部" in reply, reply


@pytest.mark.parametrize(("said", "name"), [
    ("一下辽原村", "辽原村"), ("了吗", ""), ("一下吧", ""), ("红光村党支部。", "红光村党支部"),
    ("看看 红光", "红光"), ("辽原村的", "辽原村"),
])
def test_what_follows_stats_is_read_as_a_branch_name(said, name):
    from core.branch_questions import branch_asked

    assert branch_asked(said) == name


@pytest.mark.parametrize("said", ["统计了吗", "统计一下", "统计 全部", "统计一下吧"])
def test_township_staff_without_a_name_get_their_township(chat, township, said):
    assert chat.say("o-officer", said).startswith("东乡党委（截至")

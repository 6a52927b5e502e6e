"""The console's foundations: password accounts (CLI, login, lockout), sessions (CSRF,
idle timeout, logout), and scope (an account sees its org and below; elsewhere 404)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from models.console.accounts import (
    account_of_member,
    add_console_user,
    hash_password,
    password_matches,
)
from models.errors import DomainError
from models.members.org_tables import Org, OrgAdmin, OrgKind
from tests.factories import make_branch, make_member, make_township
from tests.procs import command_env

PASSWORD = "correct horse 42"


@pytest.fixture
def county(session, clock):
    county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
    session.add(county)
    session.flush()
    east = make_township(session, "东乡党委")
    west = make_township(session, "西乡党委")
    east.parent_id = west.parent_id = county.id
    liaoyuan = make_branch(session, "辽原村党支部", east)
    hongguang = make_branch(session, "红光村党支部", east)
    far = make_branch(session, "远山村党支部", west)
    secretary = make_member(session, liaoyuan, "李书记", "13800000001", openid="o-admin",
                            is_admin=True)
    make_member(session, liaoyuan, "张明", "13800000002", openid="o-zm")
    make_member(session, hongguang, "王红", "13800000003")
    make_member(session, far, "赵远", "13800000004")
    officer = make_member(session, liaoyuan, "何委员", "13800000021", openid="o-officer")
    session.add(OrgAdmin(org_id=east.id, member_id=officer.id))
    add_console_user(session, "east-it", PASSWORD, east, None, clock())
    add_console_user(session, "county-it", PASSWORD, county, None, clock())
    add_console_user(session, "liaoyuan", PASSWORD, liaoyuan, secretary, clock())
    session.commit()
    return {"county": county, "east": east, "west": west, "liaoyuan": liaoyuan,
            "hongguang": hongguang, "far": far}


def csrf(client, path: str = "/admin/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def log_in(client, login: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/admin/login", data={"login": login, "password": password,
                                             "csrf_token": csrf(client)})


def test_passwords_are_hashed_with_scrypt():
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert password_matches(stored, PASSWORD) and not password_matches(stored, "wrong")
    assert not password_matches("garbage", PASSWORD)


def test_console_user_add_reads_the_password_from_stdin(database_url, tmp_path, monkeypatch,
                                                        county):
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["console-user", "add", "auditor", "--org", "嘉荫县委"],
                                input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    assert "auditor" in result.output and "/admin/login" in result.output
    assert "a long enough secret" not in result.output
    short = CliRunner().invoke(main, ["console-user", "add", "x2", "--org", "嘉荫县委"],
                               input="short\n")
    assert short.exit_code != 0 and "至少" in short.output
    taken = CliRunner().invoke(main, ["console-user", "add", "auditor", "--org", "嘉荫县委"],
                               input="another long secret\n")
    assert taken.exit_code != 0 and "已经有人用了" in taken.output


def test_a_password_login_opens_the_overview_of_the_township(client, county):
    response = log_in(client, "east-it")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    page = client.get("/admin/").get_data(as_text=True)
    assert "三会一课落实情况（东乡党委）" in page
    assert "辽原村党支部" in page and "红光村党支部" in page
    assert "远山村党支部" not in page  # another township


def test_wrong_passwords_lock_the_login_for_15_minutes(client, county, clock):
    for _ in range(9):
        response = log_in(client, "east-it", "wrong password")
        assert response.status_code == 401 and "账号或密码不对" in response.get_data(as_text=True)
    response = log_in(client, "east-it", "wrong password")
    assert "已锁定" in response.get_data(as_text=True)
    locked = log_in(client, "east-it")  # even the right password, while locked
    assert locked.status_code == 401 and "已锁定" in locked.get_data(as_text=True)
    clock.advance(minutes=16)
    assert log_in(client, "east-it").status_code == 302
    # an unknown login gets the same answer as a wrong password
    assert "账号或密码不对" in log_in(client, "nobody").get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused(client, county):
    response = client.post("/admin/login", data={"login": "east-it", "password": PASSWORD})
    assert response.status_code == 400
    log_in(client, "east-it")
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/").status_code == 200  # still logged in


def test_logout_and_idle_timeout(client, county, clock):
    log_in(client, "east-it")
    token = csrf(client, "/admin/")
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302  # to the login page
    log_in(client, "east-it")
    clock.advance(hours=1, minutes=59)
    assert client.get("/admin/").status_code == 200
    clock.advance(hours=2, minutes=1)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_the_login_page_sends_back_only_to_console_paths(client, county):
    response = client.post("/admin/login", data={
        "login": "east-it", "password": PASSWORD, "csrf_token": csrf(client),
        "next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/admin/")


@pytest.mark.parametrize(("login", "sees", "hidden"), [
    ("county-it", ["liaoyuan", "hongguang", "far"], []),
    ("east-it", ["liaoyuan", "hongguang"], ["far"]),
    ("liaoyuan", ["liaoyuan"], ["hongguang", "far"]),
])
def test_scope_each_account_sees_its_org_and_below(client, county, login, sees, hidden):
    log_in(client, login)
    for name in sees:
        assert client.get(f"/admin/branch/{county[name].id}").status_code == 200
    for name in hidden:  # 404: no hint that it exists
        assert client.get(f"/admin/branch/{county[name].id}").status_code == 404
    assert client.get("/admin/branch/99999").status_code == 404
    expected = {"county-it": 200, "east-it": 404, "liaoyuan": 302}[login]  # 302: own branch
    assert client.get(f"/admin/?org={county['west'].id}").status_code == expected


def test_a_branch_secretary_lands_on_the_branch(client, county):
    log_in(client, "liaoyuan")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/branch/{county['liaoyuan'].id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "李书记" in page and "张明" in page and "党员（3）" in page
    found = client.get(response.headers["Location"] + "?q=张").get_data(as_text=True)
    assert "张明" in found and "李书记" not in found


def test_which_members_have_a_console_account(session, county):
    admin = account_of_member(session, 1)
    assert admin is not None and admin.org_id == county["liaoyuan"].id and not admin.is_staff
    officer = account_of_member(session, 5)
    assert officer is not None and officer.org_id == county["east"].id and officer.is_staff
    assert account_of_member(session, 2) is None  # a member without an admin role


def test_pages_need_a_login(client, county):
    response = client.get(f"/admin/branch/{county['liaoyuan'].id}")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_bad_console_users_are_refused(session, county, clock):
    with pytest.raises(DomainError):
        add_console_user(session, "has space", PASSWORD, county["east"], None, clock())


def test_overview_columns_line_up_when_branches_need_different_meetings(client, session,
                                                                         county):
    # 党小组会 is required only where a branch has groups: 辽原 has one, 红光 has none
    session.add(Org(name="第一党小组", kind=OrgKind.GROUP, parent_id=county["liaoyuan"].id))
    session.commit()
    log_in(client, "east-it")
    page = client.get("/admin/").get_data(as_text=True)
    header = re.findall(r"<th>([^<]*)</th>", page)
    rows = {re.search(r'">([^<]+党支部)</a>', row).group(1): re.findall(r"<td[^>]*>(.*?)</td>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]}
    assert all(len(cells) == len(header) for cells in rows.values())
    group_column = header.index("党小组会")
    assert "—" in rows["红光村党支部"][group_column]
    assert "剩" in rows["辽原村党支部"][group_column]


def test_township_staff_get_their_township_in_three_lines_in_chat(chat, county):
    reply = chat.say("o-officer", "统计")
    lines = reply.splitlines()
    assert len(lines) == 3, reply
    assert lines[0].startswith("东乡党委") and "2个支部" in lines[0]
    assert "出勤率" in lines[1]
    assert "/admin" in lines[2]
    # a branch admin's 统计 is still their branch
    assert "辽原村党支部 三会一课落实情况" in chat.say("o-admin", "统计")
    assert "只有" in chat.say("o-zm", "统计")

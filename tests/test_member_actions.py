"""One action per change to members, orgs and console accounts (issue 24): whichever
surface asks — chat, console, CLI — the change is made by the same function and leaves
exactly one audit entry naming who did it and through what."""

from __future__ import annotations

import getpass

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from models.console.accounts import ConsoleUser
from models.console.audit import AuditEntry
from models.members.org_tables import Org, OrgAdmin
from models.members.tables import Member
from tests.factories import make_member
from tests.procs import command_env
from tests.test_console_meetings import logged_in
from tests.test_console_roster import HEADER, upload

CLI_ACTOR = (f"cli:{getpass.getuser()}"[:40], "命令行", "cli")


def _entries(session, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.rollback()  # a fresh read sees what the app committed
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                .order_by(AuditEntry.id)))


def _who(entry: AuditEntry) -> tuple[str, str, str]:
    return entry.actor_key, entry.actor_name, entry.surface


def _member(session, name: str) -> Member:  # type: ignore[no-untyped-def]
    return session.scalars(select(Member).where(Member.name == name)).one()


def _user_actor(session, login: str) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    user = session.scalars(select(ConsoleUser).where(ConsoleUser.login == login)).one()
    return f"user:{user.id}", login, "console"


def _east(session, county) -> int:  # type: ignore[no-untyped-def]
    """The township 辽原村 belongs to (东乡党委)."""
    return session.get(Org, county["liaoyuan"]).parent_id


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Runs `partybot ...` on the test's database."""
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)

    def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, list(args), input=stdin)

    return run


# --- 解绑: chat, console, CLI ------------------------------------------------------------

def test_unbind_from_chat_is_audited_as_the_admin(chat, session, county):
    assert "已解除张明原来的微信" in chat.say("o-admin", "解绑 张明")
    chat.say("o-admin", "解绑 张明")  # not bound any more: nothing changes
    [entry] = _entries(session, "member.unbind")
    assert _who(entry) == (f"member:{county['secretary']}", "李书记", "chat")
    assert (entry.org_id, entry.target) == (county["liaoyuan"], "张明")
    assert _member(session, "张明").openid is None


def test_unbind_from_the_console_is_audited_as_the_account(app, session, county):
    browser = logged_in(app, "east-it")
    zm = _member(session, "张明")
    url = f"/admin/branch/{county['liaoyuan']}/member/{zm.id}/unbind"
    assert browser.post(url, data={"csrf_token": browser.token}).status_code == 302
    browser.post(url, data={"csrf_token": browser.token})  # again: nothing to release
    [entry] = _entries(session, "member.unbind")
    assert _who(entry) == _user_actor(session, "east-it")
    assert (entry.org_id, entry.target) == (county["liaoyuan"], "张明")


def test_unbind_from_the_cli_is_audited_as_the_operator(cli, session, county):
    done = cli("member", "unbind", "刘芳", "--branch", "辽原村党支部")
    assert done.exit_code == 0, done.output
    assert "没有绑定微信" in cli("member", "unbind", "刘芳", "--branch", "辽原村党支部").output
    [entry] = _entries(session, "member.unbind")
    assert _who(entry) == CLI_ACTOR
    assert (entry.org_id, entry.target) == (county["liaoyuan"], "刘芳")


# --- 绑定 and unfollowing: chat ---------------------------------------------------------

def test_binding_is_audited_as_the_member_who_bound(chat, session, county):
    wang = make_member(session, session.get(Org, county["liaoyuan"]), "王五", "13800000009")
    session.commit()
    assert "没有找到" in chat.say("o-ww", "绑定 王五 1111")  # a wrong guess is no change
    assert "王五" in chat.say("o-ww", "绑定 王五 0009")
    chat.say("o-ww", "绑定 王五 0009")  # already bound: nothing changes
    [entry] = _entries(session, "member.bind")
    assert _who(entry) == (f"member:{wang.id}", "王五", "chat")
    assert (entry.org_id, entry.target) == (county["liaoyuan"], "王五")
    assert "o-ww" not in str(entry.before) + str(entry.after)  # no openid in the log


def test_unfollowing_unlinks_and_is_audited_as_the_member(chat, session, county):
    zm = _member(session, "张明")
    chat.event("o-zm", "unsubscribe")
    chat.event("o-stranger", "unsubscribe")  # nobody was bound: nothing to record
    [entry] = _entries(session, "member.unsubscribe")
    assert _who(entry) == (f"member:{zm.id}", "张明", "chat")
    assert (entry.org_id, entry.target) == (county["liaoyuan"], "张明")
    assert _member(session, "张明").openid is None


# --- the org tree: console and CLI ------------------------------------------------------

def test_adding_an_org_in_the_console_is_audited_once(app, session, county):
    browser = logged_in(app, "east-it")
    form = {"name": "新村党支部", "parent": str(_east(session, county)),
            "kind": "", "csrf_token": browser.token}
    assert browser.post("/admin/orgs", data=form).status_code == 302
    taken = browser.post("/admin/orgs", data=form)  # the same name again: refused
    assert taken.status_code == 400 and "新村党支部" in taken.get_data(as_text=True)
    [entry] = _entries(session, "org.create")
    assert _who(entry) == _user_actor(session, "east-it")
    made = session.scalars(select(Org).where(Org.name == "新村党支部")).one()
    assert (entry.org_id, entry.target) == (made.id, "新村党支部")
    assert entry.after == {"name": "新村党支部", "kind": "党支部", "parent": "东乡党委"}


def test_adding_an_org_from_the_cli_is_audited_once(cli, session, county):
    done = cli("org", "add", "北村党支部", "--parent", "东乡党委")
    assert done.exit_code == 0, done.output
    refused = cli("org", "add", "北村党支部", "--parent", "东乡党委")
    assert refused.exit_code != 0
    [entry] = _entries(session, "org.create")
    assert _who(entry) == CLI_ACTOR
    assert entry.after == {"name": "北村党支部", "kind": "党支部", "parent": "东乡党委"}


def test_renaming_and_moving_in_the_console_are_audited_once_each(app, session, county):
    browser = logged_in(app, "east-it")
    east = _east(session, county)
    browser.post("/admin/orgs", data={"name": "东乡第一党总支", "parent": str(east),
                                      "kind": "", "csrf_token": browser.token})
    session.rollback()
    general = session.scalars(select(Org).where(Org.name == "东乡第一党总支")).one()
    renamed = browser.post(f"/admin/org/{county['liaoyuan']}/rename",
                           data={"name": "辽源村党支部", "csrf_token": browser.token})
    assert renamed.status_code == 302
    browser.post(f"/admin/org/{county['liaoyuan']}/rename",  # the same name: no change
                 data={"name": "辽源村党支部", "csrf_token": browser.token})
    moved = browser.post(f"/admin/org/{county['liaoyuan']}/move",
                         data={"parent": str(general.id), "csrf_token": browser.token})
    assert moved.status_code == 302
    [rename] = _entries(session, "org.rename")
    [move] = _entries(session, "org.move")
    for entry in (rename, move):
        assert _who(entry) == _user_actor(session, "east-it")
        assert (entry.org_id, entry.target) == (county["liaoyuan"], "辽源村党支部")
    assert (rename.before, rename.after) == ({"name": "辽原村党支部"}, {"name": "辽源村党支部"})
    assert (move.before, move.after) == ({"parent": "东乡党委"}, {"parent": "东乡第一党总支"})


def test_appointing_an_org_admin_from_the_cli_is_audited_once(cli, session, county):
    make_member(session, session.get(Org, county["far"]), "张明", "13900000022")
    session.commit()
    ambiguous = cli("org-admin", "--org", "东乡党委", "--member", "张明")
    assert ambiguous.exit_code != 0 and "2位叫「张明」" in ambiguous.output
    unknown = cli("org-admin", "--org", "东乡党委", "--member", "无此人")
    assert unknown.exit_code != 0 and "无此人" in unknown.output
    done = cli("org-admin", "--org", "东乡党委", "--member", "张明", "--phone", "0002")
    assert done.exit_code == 0, done.output
    cli("org-admin", "--org", "东乡党委", "--member", "张明", "--phone", "0002")  # already
    [entry] = _entries(session, "org.admin")
    assert _who(entry) == CLI_ACTOR
    assert (entry.org_id, entry.target) == (_east(session, county), "张明")
    zm = session.scalars(select(Member).where(Member.phone == "13800000002")).one()
    assert session.scalars(select(OrgAdmin.member_id)).all() == [zm.id]


# --- console accounts: CLI --------------------------------------------------------------

def test_console_accounts_added_and_given_passwords_are_audited_by_login(cli, session,
                                                                         county):
    secret, new_secret = "a long enough secret", "another long secret"
    added = cli("console-user", "add", "auditor", "--org", "东乡党委", "--member", "刘芳",
                stdin=secret + "\n")
    assert added.exit_code == 0, added.output
    assert cli("console-user", "add", "auditor", "--org", "东乡党委",
               stdin=secret + "\n").exit_code != 0  # taken: nothing written
    changed = cli("console-user", "password", "auditor", stdin=new_secret + "\n")
    assert changed.exit_code == 0, changed.output
    assert cli("console-user", "password", "auditor", stdin="short\n").exit_code != 0
    [add] = _entries(session, "console_user.add")
    [password] = _entries(session, "console_user.password")
    for entry in (add, password):
        assert _who(entry) == CLI_ACTOR
        assert (entry.org_id, entry.target) == (_east(session, county), "auditor")
        user = session.scalars(select(ConsoleUser).where(ConsoleUser.login == "auditor")).one()
        logged = f"{entry.target} {entry.before} {entry.after}"
        for never in (secret, new_secret, user.password_hash):
            assert never not in logged
    assert add.after == {"login": "auditor", "org": "东乡党委", "member": "刘芳"}


# --- the roster: console and CLI --------------------------------------------------------

def test_a_roster_imported_in_the_console_is_audited_as_the_account(app, session, county):
    page = upload(logged_in(app, "east-it"), HEADER + "新人,辽原村党支部,,13900000001,,,,\n")
    assert "导入完成" in page.get_data(as_text=True)
    [entry] = _entries(session, "roster.import")
    assert _who(entry) == _user_actor(session, "east-it")
    assert entry.org_id == county["liaoyuan"]


def test_a_roster_imported_from_the_cli_is_audited_as_the_operator(cli, session, county,
                                                                    tmp_path):
    path = tmp_path / "名册.csv"
    path.write_text(HEADER + "新人,辽原村党支部,,13900000001,,,,\n", encoding="utf-8-sig")
    done = cli("import-roster", str(path))
    assert done.exit_code == 0, done.output
    [entry] = _entries(session, "roster.import")
    assert _who(entry) == CLI_ACTOR
    assert (entry.org_id, entry.target) == (county["liaoyuan"], "名册.csv")

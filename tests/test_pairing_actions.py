"""Issue 24: every 一帮一 change is one action (models.pairing.actions), and whichever
surface makes it — chat, console, CLI, a scheduler job — it leaves exactly one audit
entry per change, naming who acted and through what."""

from __future__ import annotations

import getpass

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from bot.simulator import message_xml
from models.actors import Actor
from models.console.accounts import ConsoleUser
from models.console.audit import AuditEntry
from models.members.org_tables import Org
from models.members.tables import Member
from models.pairing.actions import make_pair
from models.pairing.matching import PairSuggestion
from models.pairing.relays import Relay
from models.pairing.tables import HelpPair
from schedules.pairing import remind_and_escalate
from tests.factories import make_member
from tests.procs import command_env
from tests.test_console_meetings import logged_in
from tests.test_console_pairs_reach import _village

CLI_ACTOR = (f"cli:{getpass.getuser()}"[:40], "命令行", "cli")


@pytest.fixture
def village(session, county):  # type: ignore[no-untyped-def]
    """辽原村 with a helper and two members who need one (same 组 as the helper: 赵大爷),
    as the console's pairing tests have it."""
    _village(session, county)
    return county


def member(session, name: str) -> Member:  # type: ignore[no-untyped-def]
    return session.scalars(select(Member).where(Member.name == name)).one()


class Audit:
    """The audit entries written since the last look."""

    def __init__(self, session) -> None:  # type: ignore[no-untyped-def]
        self.session = session
        self.seen = self._last()

    def _last(self) -> int:
        self.session.rollback()
        return max(self.session.scalars(select(AuditEntry.id)).all(), default=0)

    def new(self) -> list[AuditEntry]:
        """Entries added since the previous call, oldest first."""
        self.session.rollback()
        self.session.expire_all()
        found = list(self.session.scalars(select(AuditEntry).where(
            AuditEntry.id > self.seen).order_by(AuditEntry.id)))
        self.seen = found[-1].id if found else self.seen
        return found


def who(entry: AuditEntry) -> tuple[str, str, str]:
    return entry.actor_key, entry.actor_name, entry.surface


def chat_actor(session, name: str) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    return f"member:{member(session, name).id}", name, "chat"


def console_actor(session, login: str) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    user = session.scalars(select(ConsoleUser).where(ConsoleUser.login == login)).one()
    return f"user:{user.id}", login, "console"


def active_helper(session, name: str) -> str | None:  # type: ignore[no-untyped-def]
    session.rollback()
    pair = session.scalars(select(HelpPair).where(
        HelpPair.member_id == member(session, name).id, HelpPair.ended_at.is_(None))).first()
    return pair.helper.name if pair else None


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    return run


# pair

def test_pair_from_chat_is_one_entry_as_the_admin(chat, session, village):
    audit = Audit(session)
    assert "结对成功" in chat.say("o-admin", "结对 王帮扶 赵大爷")
    [entry] = audit.new()
    assert who(entry) == chat_actor(session, "李书记")
    assert (entry.action, entry.org_id, entry.target, entry.after) == (
        "pair.create", village["liaoyuan"], "赵大爷", {"helper": "王帮扶"})
    assert active_helper(session, "赵大爷") == "王帮扶"
    created_by = session.scalars(select(HelpPair.created_by)).one()
    assert created_by == village["secretary"]
    # refused: nothing changes, nothing is written
    assert "已经有帮扶人" in chat.say("o-admin", "结对 王帮扶 赵大爷")
    assert "不能和自己结对" in chat.say("o-admin", "结对 王帮扶 王帮扶")
    assert audit.new() == []


def test_pair_from_the_console_apply_is_one_entry_as_the_account(app, session, village):
    secretary = logged_in(app, "liaoyuan")
    url = f"/admin/branch/{village['liaoyuan']}/pairs"
    secretary.post(url, data={"action": "suggest", "csrf_token": secretary.token})
    audit = Audit(session)
    zhao = member(session, "赵大爷")
    secretary.post(url, data={"action": "apply", "member": zhao.id,
                              "csrf_token": secretary.token})
    [entry] = audit.new()
    assert who(entry) == console_actor(session, "liaoyuan")
    assert (entry.action, entry.org_id, entry.target, entry.after) == (
        "pair.apply", village["liaoyuan"], "赵大爷", {"helper": "王帮扶"})
    assert active_helper(session, "赵大爷") == "王帮扶"


def test_a_console_apply_refused_rolls_back_and_writes_nothing(app, session, village):
    secretary = logged_in(app, "liaoyuan")
    url = f"/admin/branch/{village['liaoyuan']}/pairs"
    secretary.post(url, data={"action": "suggest", "csrf_token": secretary.token})
    helper = member(session, "王帮扶")
    helper.helper_capacity = 0  # full since the suggestion was made
    session.commit()
    audit = Audit(session)
    refused = secretary.post(url, data={"action": "apply", "member": member(session, "赵大爷").id,
                                        "csrf_token": secretary.token})
    assert refused.location.endswith(url)
    assert "达到上限" in secretary.get(refused.location).get_data(as_text=True)
    assert audit.new() == []
    assert active_helper(session, "赵大爷") is None
    assert session.get(PairSuggestion, member(session, "赵大爷").id) is not None  # kept


def test_pairs_apply_from_the_cli_is_one_entry_per_pair(cli, session, village):
    cli("pairs", "suggest")
    audit = Audit(session)
    assert "已结对 2 对" in cli("pairs", "apply")
    entries = audit.new()
    assert sorted(e.target for e in entries) == ["孙奶奶", "赵大爷"]
    for entry in entries:
        assert who(entry) == CLI_ACTOR
        assert (entry.action, entry.org_id, entry.after) == (
            "pair.apply", village["liaoyuan"], {"helper": "王帮扶"})
    assert session.scalars(select(HelpPair.created_by)).all() == [None, None]


# unpair

def test_unpair_from_chat_is_one_entry_as_the_admin(chat, session, village, clock):
    make_pair(session, Actor.cli("test"), member(session, "王帮扶"), member(session, "赵大爷"),
              clock(), 3)
    session.commit()
    audit = Audit(session)
    assert "已解除赵大爷和王帮扶的结对" in chat.say("o-admin", "解除结对 赵大爷")
    [entry] = audit.new()
    assert who(entry) == chat_actor(session, "李书记")
    assert (entry.action, entry.target, entry.before) == ("pair.end", "赵大爷",
                                                         {"helper": "王帮扶"})
    assert active_helper(session, "赵大爷") is None
    assert "没有帮扶人" in chat.say("o-admin", "解除结对 赵大爷")
    assert audit.new() == []


def test_unpair_from_the_console_is_one_entry_as_the_account(app, session, village, clock):
    make_pair(session, Actor.cli("test"), member(session, "王帮扶"), member(session, "赵大爷"),
              clock(), 3)
    session.commit()
    audit = Audit(session)
    secretary = logged_in(app, "liaoyuan")
    url = f"/admin/branch/{village['liaoyuan']}/pairs"
    ended = secretary.post(url, data={"action": "end", "member": member(session, "赵大爷").id,
                                      "csrf_token": secretary.token})
    assert "已解除 王帮扶 和 赵大爷 的结对" in secretary.get(ended.location).get_data(as_text=True)
    [entry] = audit.new()
    assert who(entry) == console_actor(session, "liaoyuan")
    assert (entry.action, entry.org_id, entry.target) == ("pair.end", village["liaoyuan"],
                                                          "赵大爷")


# suggestions

def test_suggest_from_the_console_is_one_entry_for_the_branch(app, session, village):
    audit = Audit(session)
    secretary = logged_in(app, "liaoyuan")
    url = f"/admin/branch/{village['liaoyuan']}/pairs"
    secretary.post(url, data={"action": "suggest", "csrf_token": secretary.token})
    [entry] = audit.new()
    assert who(entry) == console_actor(session, "liaoyuan")
    assert (entry.action, entry.org_id, entry.target, entry.after) == (
        "pair.suggest", village["liaoyuan"], "2", {"needing": 2, "suggested": 2, "unmatched": 0})
    assert len(session.scalars(select(PairSuggestion)).all()) == 2


def test_suggest_from_the_cli_is_one_entry_per_branch_that_needs_helpers(cli, session, village):
    far = session.get(Org, village["far"])
    make_member(session, far, "钱大娘", None, needs_help="无手机")  # no helper there
    session.commit()
    audit = Audit(session)
    cli("pairs", "suggest")
    entries = audit.new()
    assert [(e.org_id, e.target, e.after) for e in entries] == [
        (village["liaoyuan"], "2", {"needing": 2, "suggested": 2, "unmatched": 0}),
        (village["far"], "0", {"needing": 1, "suggested": 0, "unmatched": 1})]
    assert all(who(e) == CLI_ACTOR and e.action == "pair.suggest" for e in entries)


def test_reject_from_the_console_is_one_entry_and_twice_is_refused(app, session, village):
    secretary = logged_in(app, "liaoyuan")
    url = f"/admin/branch/{village['liaoyuan']}/pairs"
    secretary.post(url, data={"action": "suggest", "csrf_token": secretary.token})
    audit = Audit(session)
    sun = member(session, "孙奶奶").id
    secretary.post(url, data={"action": "reject", "member": sun, "csrf_token": secretary.token})
    [entry] = audit.new()
    assert who(entry) == console_actor(session, "liaoyuan")
    assert (entry.action, entry.target, entry.before) == ("pair.reject", "孙奶奶",
                                                         {"helper": "王帮扶"})
    again = secretary.post(url, data={"action": "reject", "member": sun,
                                      "csrf_token": secretary.token})
    assert "已经处理过了" in secretary.get(again.location).get_data(as_text=True)
    assert audit.new() == []


# relays

def test_relay_confirmed_in_chat_is_one_entry_as_the_helper(chat, session, village, clock):
    helper, zhao = member(session, "王帮扶"), member(session, "赵大爷")
    make_pair(session, Actor.cli("test"), helper, zhao, clock(), 3)
    session.add(Relay(dedupe_key="k1", helper_id=helper.id, member_id=zhao.id,
                      kind="meeting_notice", subject=None, text="【会议通知】大会",
                      created_at=clock()))
    session.commit()
    audit = Audit(session)
    assert "1条通知" in chat.say("o-wang", "帮学 赵大爷 完成")
    [entry] = audit.new()
    assert who(entry) == chat_actor(session, "王帮扶")
    assert (entry.action, entry.org_id, entry.target, entry.after) == (
        "relay.confirm", village["liaoyuan"], "赵大爷", {"helper": "王帮扶", "relays": 1})
    assert "没有需要转达" in chat.say("o-wang", "帮学 赵大爷 完成")
    assert audit.new() == []


def test_relay_proof_from_chat_is_one_entry_as_the_helper(chat, session, village, clock):
    from models.study.posting import Draft, publish

    helper, zhao = member(session, "王帮扶"), member(session, "赵大爷")
    make_pair(session, Actor.cli("test"), helper, zhao, clock(), 3)
    publish(session, village["liaoyuan"], Draft("学习四中全会", "内容"), None, clock(), clock())
    session.commit()
    assert "《学习四中全会》" in chat.say("o-wang", "帮学 赵大爷 完成")
    audit = Audit(session)
    proof = message_xml("o-wang", "image", {"PicUrl": "http://sandbox/p.jpg", "MediaId": "m1"})
    assert "凭证已收到" in chat.send_xml(proof).content
    [entry] = audit.new()
    assert who(entry) == chat_actor(session, "王帮扶")
    assert (entry.action, entry.target, entry.after) == ("relay.proof", "赵大爷",
                                                        {"kind": "image"})


def test_escalation_by_the_job_is_one_entry_per_branch(services, session, village, clock):
    helper, zhao = member(session, "王帮扶"), member(session, "赵大爷")
    make_pair(session, Actor.cli("test"), helper, zhao, clock(), 3)
    for key in ("k1", "k2"):
        session.add(Relay(dedupe_key=key, helper_id=helper.id, member_id=zhao.id,
                          kind="meeting_notice", subject=None, text="【会议通知】大会",
                          created_at=clock()))
    session.commit()
    audit = Audit(session)
    clock.advance(days=services.settings.relay_escalate_days, hours=1)
    assert remind_and_escalate(services) == (1, 2)
    [entry] = audit.new()
    assert who(entry) == ("job:pairing.remind_and_escalate", "定时任务", "job")
    assert (entry.action, entry.org_id, entry.target, entry.after) == (
        "relay.escalate", village["liaoyuan"], "2", {"members": "赵大爷"})
    assert remind_and_escalate(services) == (0, 0)
    assert audit.new() == []

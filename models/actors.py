"""Who made a change, and through which surface: every action takes an `Actor` and
writes it into the audit log (models.console.audit), so a meeting cancelled in chat, a
member unbound from the CLI and a pair ended in the console read the same way."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import StrEnum

from core import words


class Surface(StrEnum):
    """Where a change came from (stored in `audit_entry.surface`)."""

    CHAT = "chat"  # a member's WeChat message
    CONSOLE = "console"  # the web console at /admin
    CLI = "cli"  # the `partybot` command line
    JOB = "job"  # a scheduler job
    PAGE = "page"  # a member's own pages (/m/)
    API = "api"  # the mini-program API (/api/v1)


@dataclass(frozen=True)
class Actor:
    """The acting person (or process). `key` is stable ("member:12", "user:3",
    "cli:root", "job:meetings.close"); `name` is what the audit log shows."""

    key: str
    name: str
    surface: Surface
    member_id: int | None = None  # set when a party member acts (chat, console via WeChat)

    def acts_for(self, member_id: int) -> bool:
        """Whether this change is made for someone else (a helper's 代签, an admin's 补录):
        then it is audited. A member's own record (签到, 请假, 已学, 心得, 提问) is its own
        trace — the row names who, when and how — and would bury the admins' changes in
        the log under a county's daily routine."""
        return self.member_id != member_id

    @classmethod
    def member(cls, member_id: int, name: str, surface: Surface = Surface.CHAT) -> Actor:
        """A member acting through chat (or their pages / the mini-program)."""
        return cls(f"member:{member_id}", name, surface, member_id)

    @classmethod
    def console(cls, key: str, name: str, member_id: int | None = None) -> Actor:
        """A console account (`Account.key`: "member:12" or "user:3")."""
        return cls(key, name, Surface.CONSOLE, member_id)

    @classmethod
    def cli(cls, operator: str | None = None) -> Actor:
        """The operator at the command line (their login name on the machine)."""
        user = operator or _login_name()
        return cls(f"cli:{user}"[:40], words.ACTOR_CLI, Surface.CLI)

    @classmethod
    def job(cls, job_id: str) -> Actor:
        """A scheduler job, by its id."""
        return cls(f"job:{job_id}"[:40], words.ACTOR_JOB, Surface.JOB)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's numeric uid)
        return "?"

"""Menu tags: every minute, members whose role changed are queued for a new tag (outbox
rows on the `tag` channel, models.members.menu_tags), and the queued rows are sent to WeChat in
batches of 50 openids per call (tags/members/batchuntagging, then batchtagging).

A batch WeChat refuses for good is retried one openid at a time, so that one bad openid
(a follower who left) does not keep 49 others on the wrong menu.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from wechatpy.exceptions import WeChatClientException

from core.wechat import TOKEN_ERRORS, TokenFetchError, WeChatAPI
from models.db.write_gate import write_session
from models.delivery import claims as delivery
from models.delivery.claims import Result, SendOutcome
from models.delivery.outbox import Channel
from models.members.menu_tags import queue_tag_changes, record_told, tag_changes, tag_ids
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

BATCH = 50  # openids per tagging call (WeChat's limit)
CLAIM = 2000  # rows per run; a county's first publish takes a few runs
LEASE = timedelta(minutes=5)
TRANSIENT_CODES = frozenset({-1, 45011}) | TOKEN_ERRORS


@dataclass(frozen=True)
class TagRun:
    """What one run did."""

    queued: int = 0
    tagged: int = 0
    failed: int = 0
    calls: int = 0


def sync_menu_tags(runtime: Runtime) -> TagRun:
    """Queue the tag changes roles call for, then send what is queued."""
    now = runtime.clock()
    with write_session(runtime.engine) as session:
        ids = tag_ids(session)
        if not ids:  # menus not published yet: no tags to give
            return TagRun()
        queued = queue_tag_changes(session, tag_changes(session, now), now)
        session.commit()
    run = send_tag_rows(runtime, ids, now)
    if queued or run.tagged or run.failed:
        log.info("menu tags: %d changes queued, %d followers tagged in %d calls, %d failed",
                 queued, run.tagged, run.calls, run.failed)
    return TagRun(queued, run.tagged, run.failed, run.calls)


def send_tag_rows(runtime: Runtime, ids: dict[str, int], now: datetime) -> TagRun:
    """Claim queued tag rows and send them in batches; record the results."""
    owner = f"{socket.gethostname()}:{os.getpid()}:tags:{uuid.uuid4().hex[:6]}"
    with write_session(runtime.engine) as session:
        rows = delivery.claim(session, owner, now, LEASE, [Channel.TAG], CLAIM)
        session.commit()
    if not rows:
        return TagRun()
    sender = _Sender(runtime.wechat, ids)
    results = sender.send(rows)
    told = {row.openid: row.payload.get("tag") for row in rows
            if row.openid and results[row.id].outcome is SendOutcome.SENT}
    with write_session(runtime.engine) as session:
        delivery.record(session, owner, [(results[row.id], row.attempts) for row in rows],
                        runtime.clock())
        record_told(session, told, runtime.clock())
        session.commit()
    return TagRun(tagged=len(told), calls=sender.calls,
                  failed=sum(r.outcome is SendOutcome.FAILED for r in results.values()))


class _Sender:
    """Sends claimed tag rows: untagging first, then tagging, 50 openids a call."""

    def __init__(self, client: WeChatAPI, ids: dict[str, int]) -> None:
        self.client = client
        self.ids = ids
        self.calls = 0

    def send(self, rows: list[delivery.Claimed]) -> dict[int, Result]:
        results = {row.id: Result(row.id, SendOutcome.SENT) for row in rows}
        for field, call in (("untag", self.client.tag.untag_user),
                            ("tag", self.client.tag.tag_user)):
            groups: dict[str, list[delivery.Claimed]] = defaultdict(list)
            for row in rows:
                role = row.payload.get(field)
                if role and row.openid and results[row.id].outcome is SendOutcome.SENT:
                    groups[role].append(row)
            for role, members in groups.items():
                tag_id = self.ids.get(role)
                for start in range(0, len(members), BATCH):
                    batch = members[start:start + BATCH]
                    self._batch(call, tag_id, batch, results)
        return results

    def _batch(self, call: Callable[..., object], tag_id: int | None,
               batch: list[delivery.Claimed], results: dict[int, Result]) -> None:
        if tag_id is None:  # a role whose tag was never created: publish again
            for row in batch:
                results[row.id] = Result(row.id, SendOutcome.FAILED,
                                         error="no tag for this role; run partybot menu publish")
            return
        outcome = self._call(call, tag_id, [row.openid for row in batch if row.openid])
        if outcome.outcome is SendOutcome.FAILED and len(batch) > 1:
            for row in batch:  # one bad openid must not hold back the rest
                self._batch(call, tag_id, [row], results)
            return
        if outcome.outcome is not SendOutcome.SENT:
            for row in batch:
                results[row.id] = Result(row.id, outcome.outcome, code=outcome.code,
                                         error=outcome.error)

    def _call(self, call: Callable[..., object], tag_id: int, openids: list[str]) -> Result:
        self.calls += 1
        try:
            call(tag_id, openids)
            return Result(0, SendOutcome.SENT)
        except WeChatClientException as exc:
            code = exc.errcode
            if code is None:
                return Result(0, SendOutcome.RETRY, error="WeChat answered with an HTTP error")
            outcome = SendOutcome.RETRY if code in TRANSIENT_CODES else SendOutcome.FAILED
            return Result(0, outcome, code=code, error=f"{code} {exc.errmsg}"[:300])
        except (requests.RequestException, TokenFetchError) as exc:
            return Result(0, SendOutcome.RETRY, error=f"{type(exc).__name__}: {exc}"[:300])


JOBS = [
    JobSpec("menu.sync_tags", sync_menu_tags, "interval", {"minutes": 1}),
]

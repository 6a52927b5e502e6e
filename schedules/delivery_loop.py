"""The delivery loop: claim due outbox rows, send them outside any transaction with a
bounded thread pool and a rate limit, record each result.

Error handling follows what WeChat's codes mean:
- transient (timeouts, dropped connections, HTTP 5xx, -1 system busy, 45011 per-minute
  limit, a token still refused after the one retry): back to pending with
  exponential backoff and jitter, failed after MAX_ATTEMPTS;
- 45009 (daily quota used up): the channel pauses until local midnight, the row waits;
- 45047 / 45015 (the member's customer-service allowance is used up / closed): the row
  moves to the next channel (helper, else held for the member's next message);
- 43101 on a 订阅通知 (the member holds no subscription after all): the credit is
  dropped and the row moves on to customer service (then helper, held);
- 47003 on a 订阅通知 (a value its keyword refuses): failed, with a log line naming
  the keyword;
- anything else (43004 not following, 40003 bad openid, 43019 blocked us, 40037 bad
  template ...): failed, with WeChat's code and message.

Customer-service rows are counted against the member's allowance when claimed
(models.delivery.allowance), so partybot never asks past it; a row the allowance does
not cover goes straight to the next channel. 订阅通知 rows spend one of the member's
credits when claimed (models.delivery.subscriptions: one conditional UPDATE, so two
workers never spend one credit twice); a row without one goes on to customer service
in the same claim. Held notices of members who wrote again
are combined into new rows first (models.delivery.held).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from core.localtime import local_day, next_midnight
from core.metrics import count_delivery, metrics
from core.request_context import bound, current_request_id
from core.service_allowance import REFUSED_CODES
from core.subscribe_messages import ACCOUNT, MINIPROGRAM
from core.wechat import TOKEN_ERRORS, TokenFetchError, WeChatAPI
from models.db.write_gate import write_session
from models.delivery import allowance as service_allowance
from models.delivery import claims as delivery
from models.delivery import subscriptions
from models.delivery.claims import SendOutcome, past_subscription
from models.delivery.held import release_held, reroute
from models.delivery.outbox import Channel, Outbox, Status
from models.delivery.state import count_sent, pause_channel, paused_channels, sent_today
from schedules.runtime import Runtime
from schedules.subscription_sends import NO_SUBSCRIPTION, send_subscription, with_credit

log = logging.getLogger(__name__)

TRANSIENT_CODES = frozenset({-1, 45011}) | TOKEN_ERRORS
QUOTA_CODE = 45009


class RateLimiter:
    """At most `rate` sends per second across the pool's threads."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_slot = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        """Block until this caller's slot comes."""
        with self.lock:
            slot = max(self.next_slot, time.monotonic())
            self.next_slot = slot + self.interval
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)


@dataclass
class DrainStats:
    """What one drain did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost_lease: int = 0
    rerouted: int = 0  # to a helper or held: the allowance did not cover them
    combined: int = 0  # combined messages queued for members who wrote again


def client_msg_id(dedupe_key: str) -> str:
    """WeChat's re-entry guard for a template send, from the outbox row's key.

    WeChat drops a second send with the same openid and client_msg_id within 10
    minutes, so a row sent again after a lost lease or a SIGKILL (sent, but not yet
    marked sent) reaches the member once. Hashed: keys can be long and hold Chinese.
    """
    return "pb-" + hashlib.sha1(dedupe_key.encode()).hexdigest()[:29]


def send_row(client: WeChatAPI, row: delivery.Claimed,
             miniprogram: WeChatAPI | None = None) -> delivery.Result:
    """Send one claimed row; never raises."""
    payload = row.payload
    try:
        if row.channel == Channel.SUBSCRIBE:
            return send_subscription(client, row, miniprogram)
        if not row.openid:
            return delivery.Result(row.id, SendOutcome.FAILED, error="no openid to send to")
        if row.channel == Channel.TEMPLATE:
            answer = client.post("message/template/send", data={
                "touser": row.openid, "template_id": payload["template_id"],
                "data": payload.get("data") or {},
                **({"url": payload["url"]} if payload.get("url") else {}),
                "client_msg_id": client_msg_id(row.dedupe_key or str(row.id)),
            })
            return delivery.Result(row.id, SendOutcome.SENT, msgid=str(answer.get("msgid") or ""))
        if payload.get("news"):  # a card with a picture (Notice.article)
            client.message.send_articles(row.openid, [payload["news"]])
        else:
            client.message.send_text(row.openid, payload["text"])
        return delivery.Result(row.id, SendOutcome.SENT)
    except WeChatClientException as exc:
        code = exc.errcode
        if code is None:  # an HTTP error: WeChat's side is unwell
            status = getattr(getattr(exc, "response", None), "status_code", None)
            return delivery.Result(row.id, SendOutcome.RETRY, error=f"HTTP {status}")
        error = f"{code} {exc.errmsg}"[:300]
        if code == QUOTA_CODE:
            return delivery.Result(row.id, SendOutcome.QUOTA, code=code, error=error)
        if code in REFUSED_CODES and row.channel == Channel.CUSTOM:
            return delivery.Result(row.id, SendOutcome.REROUTE, code=code, error=error)
        if code == NO_SUBSCRIPTION and row.channel == Channel.SUBSCRIBE:
            return delivery.Result(row.id, SendOutcome.REROUTE, code=code, error=error)
        outcome = SendOutcome.RETRY if code in TRANSIENT_CODES else SendOutcome.FAILED
        return delivery.Result(row.id, outcome, code=code, error=error)
    except (requests.RequestException, TokenFetchError) as exc:
        return delivery.Result(row.id, SendOutcome.RETRY,
                               error=f"{type(exc).__name__}: {exc}"[:300])
    except Exception as exc:  # a bug must not kill the loop or lose the row
        log.exception("unexpected error sending outbox row %s", row.id)
        return delivery.Result(row.id, SendOutcome.RETRY, error=f"{type(exc).__name__}"[:300])


def log_answer(row: delivery.Claimed, result: delivery.Result) -> None:
    """One line per send: what WeChat answered (errcode 0 when it took the message)."""
    code = 0 if result.outcome is SendOutcome.SENT else result.code
    log.info("outbox row %s (%s, %s): %s, errcode %s%s", row.id, row.kind, row.channel,
             result.outcome, "-" if code is None else code,
             f": {result.error}" if result.error else "")


class DeliveryWorker:
    """One delivery loop; any number of them may run against one database."""

    def __init__(self, runtime: Runtime, client: WeChatAPI, owner: str | None = None,
                 batch_size: int | None = None, lease: timedelta | None = None,
                 miniprogram: WeChatAPI | None = None) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.client = client
        # The mini-program's client (its own app id and token), for its subscription
        # messages; without one, mini-program credits are not spent.
        self.miniprogram = miniprogram
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        # A few calls per thread per batch: the pool stays busy while a batch's
        # slowest call finishes, and a killed worker leaves at most one batch unknown.
        self.batch_size = batch_size or max(50, 4 * settings.delivery_threads)
        self.lease = lease or timedelta(seconds=settings.delivery_lease)
        self.pool = ThreadPoolExecutor(max_workers=settings.delivery_threads,
                                       thread_name_prefix="delivery")
        self.limiter = RateLimiter(settings.send_rate)

    def claim(self, now: datetime, stats: DrainStats | None = None) -> list[delivery.Claimed]:
        """Claim a batch, within pauses, the daily template quota and each member's
        customer-service allowance; commits."""
        settings = self.runtime.settings
        stats = stats or DrainStats()
        with write_session(self.runtime.engine) as session:
            paused = paused_channels(session, now)
            room = settings.template_daily_quota - sent_today(
                session, local_day(now, self.runtime.settings.tz), Channel.TEMPLATE)
            rows: list[delivery.Claimed] = []
            if Channel.TEMPLATE not in paused:
                rows += delivery.claim(session, self.owner, now, self.lease,
                                       [Channel.TEMPLATE], min(self.batch_size, room))
            if Channel.SUBSCRIBE not in paused and len(rows) < self.batch_size:
                subscribed = delivery.claim(session, self.owner, now, self.lease,
                                            [Channel.SUBSCRIBE], self.batch_size - len(rows))
                rows += self._with_credit(session, subscribed, now, stats)
            if Channel.CUSTOM not in paused and len(rows) < self.batch_size:
                stats.combined += release_held(session, now, settings.tz)
                custom = delivery.claim(session, self.owner, now, self.lease,
                                        [Channel.CUSTOM], self.batch_size - len(rows))
                rows += self._within_allowance(session, custom, now, stats)
            session.commit()
        return rows

    def _with_credit(self, session: Session, rows: list[delivery.Claimed], now: datetime,
                     stats: DrainStats) -> list[delivery.Claimed]:
        """Spend a credit for each 订阅通知 row; the rest go on to customer service."""
        apps = {ACCOUNT} | ({MINIPROGRAM} if self.miniprogram is not None else set())
        covered, moved = with_credit(session, rows, now, apps)
        stats.rerouted += moved
        return covered

    @staticmethod
    def _within_allowance(session: Session, rows: list[delivery.Claimed], now: datetime,
                          stats: DrainStats) -> list[delivery.Claimed]:
        """Count each row against its member's allowance; the rest go to the next
        channel at once."""
        first_of_each: dict[str, delivery.Claimed] = {}
        for row in rows:
            if row.openid:
                first_of_each.setdefault(row.openid, row)
        spent = service_allowance.spend_once_each(session, list(first_of_each), now)
        covered, uncovered = [], []
        for row in rows:
            opened_at = spent.get(row.openid or "") if first_of_each.get(
                row.openid or "") is row else (
                service_allowance.spend(session, row.openid, now) if row.openid else None)
            if opened_at is None:
                uncovered.append(row.id)
            else:
                covered.append(replace(row, allowance=opened_at))
        if uncovered:
            reroute(session, uncovered, now)
            stats.rerouted += len(uncovered)
            metrics().allowance_refusals_avoided.inc(len(uncovered))
        return covered

    def send(self, rows: list[delivery.Claimed]) -> list[delivery.Result]:
        """Send outside any transaction, in parallel, within the rate limit; each send
        logged under the request id of the row (the request or job that queued it)."""
        this_run = current_request_id()

        def one(row: delivery.Claimed) -> delivery.Result:
            self.limiter.wait()
            with bound(row.request_id or this_run):
                log.debug("sending outbox row %s (%s, %s), attempt %d", row.id, row.kind,
                          row.channel, row.attempts)
                result = send_row(self.client, row, self.miniprogram)
                log_answer(row, result)
            return result

        return list(self.pool.map(one, rows))

    def record(self, rows: list[delivery.Claimed], results: list[delivery.Result],
               now: datetime, stats: DrainStats) -> None:
        """Store every result of a batch in one transaction."""
        by_id = {row.id: row for row in rows}
        resume_at = next_midnight(now, self.runtime.settings.tz)
        with write_session(self.runtime.engine) as session:
            for result in results:
                if result.outcome is SendOutcome.QUOTA:
                    channel = by_id[result.id].channel
                    pause_channel(session, channel, resume_at, result.error or "quota")
            rerouted = [r for r in results if r.outcome is SendOutcome.REROUTE]
            no_credit = [r for r in rerouted if by_id[r.id].channel == Channel.SUBSCRIBE]
            refused = [r for r in rerouted if by_id[r.id].channel != Channel.SUBSCRIBE]
            still_ours = self._still_ours(session, [r.id for r in refused])
            credit_gone = self._still_ours(session, [r.id for r in no_credit])
            kept = delivery.record(session, self.owner,
                                   [(r, by_id[r.id].attempts) for r in results], now, resume_at)
            for result in refused:
                service_allowance.close(session, by_id[result.id].openid or "")
            if still_ours:
                reroute(session, still_ours, now, refused[0].error)
                stats.rerouted += len(still_ours)
            for result in no_credit:  # 43101: WeChat holds no subscription for it
                credit = (by_id[result.id].target or {}).get("credit")
                if credit is not None:
                    subscriptions.drop(session, int(credit))
            if credit_gone:
                past_subscription(session, credit_gone, now, no_credit[0].error)
                stats.rerouted += len(credit_gone)
            self._give_back_unsent(session, by_id, results)
            sent_by_channel = Counter(by_id[r.id].channel for r in results
                                      if r.outcome is SendOutcome.SENT)
            for channel, number in sent_by_channel.items():
                count_sent(session, local_day(now, self.runtime.settings.tz), channel, number)
            session.commit()
        stats.lost_lease += len(results) - kept
        if kept < len(results):
            # They still count toward today's quota above: WeChat counted them.
            log.warning("delivery: %d of %d results not recorded: leases lost meanwhile",
                        len(results) - kept, len(results))
        for result in results:
            count_delivery(by_id[result.id].channel, result.outcome.value, result.code)
            if result.outcome is SendOutcome.SENT:
                stats.sent += 1
            elif result.outcome is SendOutcome.FAILED:
                stats.failed += 1
                with bound(by_id[result.id].request_id or current_request_id()):
                    log.warning("outbox row %s failed permanently: %s", result.id,
                                result.error)
            elif result.outcome is not SendOutcome.REROUTE:
                stats.retried += 1

    def _still_ours(self, session: Session, row_ids: list[int]) -> list[int]:
        if not row_ids:
            return []
        return list(session.scalars(select(Outbox.id).where(
            Outbox.id.in_(row_ids), Outbox.lease_owner == self.owner,
            Outbox.status == Status.SENDING)))

    @staticmethod
    def _give_back_unsent(session: Session, by_id: dict[int, delivery.Claimed],
                          results: list[delivery.Result]) -> None:
        """WeChat answered with an error code: it did not send, so the allowance
        counted for the row is given back (a timeout might have sent: not given back)."""
        for result in results:
            row = by_id[result.id]
            if (row.allowance is not None and result.code is not None
                    and result.outcome is not SendOutcome.SENT
                    and result.code not in REFUSED_CODES):
                service_allowance.give_back(session, row.openid or "", row.allowance)
            credit = (row.target or {}).get("credit")
            if (credit is not None and result.code is not None
                    and result.outcome is not SendOutcome.SENT
                    and result.code != NO_SUBSCRIPTION):
                subscriptions.give_back(session, int(credit))

    def run_once(self, stats: DrainStats | None = None) -> int:
        """Claim, send and record one batch; returns how many rows it handled."""
        stats = stats or DrainStats()
        moved = stats.rerouted + stats.combined
        rows = self.claim(self.runtime.clock(), stats)
        if not rows:  # (rows moved on to other channels count as work done)
            return stats.rerouted + stats.combined - moved
        stats.claimed += len(rows)
        results = self.send(rows)
        self.record(rows, results, self.runtime.clock(), stats)
        return len(rows)

    def drain(self, max_seconds: float = 50.0) -> DrainStats:
        """Send batches until nothing is due or the time is up (the job runs again)."""
        stats = DrainStats()
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline and self.run_once(stats):
            pass
        return stats

    def close(self) -> None:
        """Stop the thread pool."""
        self.pool.shutdown(wait=True)

"""Unionids: every 10 minutes, the members bound in chat within the last hour whose
unionid is not known are looked up at `cgi-bin/user/info/batchget` (100 openids a call);
WeChat gives a unionid when the official account is bound to an open platform account
with the mini-program, and the member is then signed in to the mini-program by it,
without binding again (models.api.actions.sign_in).

The webhook never calls WeChat itself, so binding in chat cannot ask at once: this job
asks within minutes. Members bound before it ran bind once in the mini-program (which
keeps the unionid jscode2session gives).
"""

from __future__ import annotations

import logging

import requests
from wechatpy.exceptions import WeChatClientException

from core.wechat import TokenFetchError
from models.api.actions import remember_unionids
from models.api.queries import openids_without_unionid
from models.db.write_gate import write_session
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

BATCH = 100  # openids per user/info/batchget (WeChat's limit)


def fill_unionids(runtime: Runtime) -> int:
    """Ask WeChat for the unionids of members bound lately; returns how many were kept."""
    with runtime.sessions() as session:
        openids = openids_without_unionid(session, runtime.clock(), BATCH)
    if not openids:
        return 0
    try:
        users = runtime.wechat.user.get_batch(openids)
    except (WeChatClientException, TokenFetchError, requests.RequestException) as exc:
        log.warning("unionids: user/info/batchget failed (%s); next run tries again",
                    getattr(exc, "errcode", type(exc).__name__))
        return 0
    found = {str(user.get("openid")): str(user["unionid"]) for user in users
             if isinstance(user, dict) and user.get("openid") and user.get("unionid")}
    if not found:
        return 0
    with write_session(runtime.engine) as session:
        kept = remember_unionids(session, found)
        session.commit()
    log.info("unionids: kept %d of %d asked", kept, len(openids))
    return kept


JOBS = [
    JobSpec("unionids.fill", fill_unionids, "interval", {"minutes": 10}),
]

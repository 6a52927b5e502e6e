"""Who a sandbox-mode server answers: this machine, unless made public.

In sandbox mode the webhook token is the published `partybot-sandbox`, the chat page
speaks as any openid and the login page lists the followers to "scan" as. Anyone who
reaches the server could use them, so:

- only loopback clients (request.remote_addr; no proxy header is trusted) get the
  sandbox, the webhook and the follower list, unless PARTYBOT_SANDBOX_PUBLIC is true;
- every request must name a loopback Host (or one in PARTYBOT_ALLOWED_HOSTS): a page on
  another site whose name was rebound to 127.0.0.1 sends its own name as Host.
"""

from __future__ import annotations

import ipaddress
import logging

from flask import Response, abort, request

from bot.services import services_of

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(address: str | None) -> bool:
    """Whether a client address is this machine."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    # a server bound to "::" sees local IPv4 clients as ::ffff:127.0.0.1
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return (mapped or ip).is_loopback


def host_name(host: str) -> str:
    """The name in a Host header, without port or IPv6 brackets, lower-cased."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def sandbox_serves_client() -> bool:
    """Whether this request's client may use the sandbox (its token, its followers)."""
    settings = services_of().settings
    return settings.sandbox_served and (settings.sandbox_public
                                        or is_loopback(request.remote_addr))


def guard() -> Response | None:
    """before_request in sandbox mode: refuse foreign Hosts, and keep the sandbox and its
    public webhook token to loopback clients (unless PARTYBOT_SANDBOX_PUBLIC)."""
    settings = services_of().settings
    name = host_name(request.host)
    if name not in LOOPBACK_HOSTS and name not in settings.allowed_hosts:
        log.warning("refused %s %s from %s: Host %r is not a loopback name nor in "
                    "PARTYBOT_ALLOWED_HOSTS", request.method, request.path,
                    request.remote_addr, request.host[:100])
        return Response("bad host", status=400, mimetype="text/plain")
    if sandbox_serves_client():
        return None
    if request.path.startswith("/sandbox"):
        log.warning("refused %s %s from %s: the sandbox serves loopback clients only "
                    "(PARTYBOT_SANDBOX_PUBLIC=true to change that)", request.method,
                    request.path, request.remote_addr)
        abort(404)
    if request.path == "/wechat":
        log.warning("refused %s /wechat from %s: in sandbox mode the token is public, so "
                    "only this machine may post (set WECHAT_APP_ID and WECHAT_TOKEN for a "
                    "real account)", request.method, request.remote_addr)
        return Response("forbidden", status=403, mimetype="text/plain")
    return None

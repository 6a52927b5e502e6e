"""Security headers on every page people open (console, sandbox, member pages).

Branch pages list names and phone numbers: no framing (clickjacking), no caching by a
shared browser or proxy, no referrer leaking a page's address elsewhere, no sniffing a
download into HTML. The CSP allows scripts from this origin and inline scripts carrying
this response's nonce (templates write ``<script nonce="{{ csp_nonce() }}">``); inline
event handlers (onclick=…) are not allowed: pages use data- attributes that
static/console.js acts on. Styles may be inline (style="…" is used throughout and
cannot run code).
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

GUARDED_PREFIXES = ("/admin", "/sandbox", "/m/")
# Member pages load WeChat's JS-SDK from its host (bot.jssdk_page; the sandbox serves a
# stand-in from 'self'): that one script host, on /m/ only.
MEMBER_PAGES = "/m/"
JSSDK_SOURCE = " https://res.wx.qq.com"
# Photos in study items and feedback may come from WeChat's CDN (PicUrl, often http)
# or from PARTYBOT_PUBLIC_URL: any image source, never a script or a frame.
_POLICY = ("default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data: https: http:; connect-src 'self'; object-src 'none'; "
           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def csp_nonce() -> str:
    """This response's script nonce (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def register_security_headers(app: Flask) -> None:
    """Add the headers to every response under GUARDED_PREFIXES."""
    app.add_template_global(csp_nonce)
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    if not request.path.startswith(GUARDED_PREFIXES):
        return response
    nonce = f" 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else ""
    if request.path.startswith(MEMBER_PAGES):
        nonce += JSSDK_SOURCE
    headers = response.headers
    headers["Content-Security-Policy"] = _POLICY.format(nonce=nonce)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    # Pages, JSON and exports hold personal data: never stored. A view that chose its
    # own caching (photos: private, an hour) keeps it.
    if not response.cache_control.private and not response.cache_control.public:
        headers["Cache-Control"] = "no-store"
    return response

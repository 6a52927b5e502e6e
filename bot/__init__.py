"""partybot's web application.

`create_app()` is the WSGI entry point: gunicorn 'bot:create_app()'.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Flask, Request, Response, make_response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.exceptions import HTTPException, InternalServerError

from core.config import Settings, load_settings

if TYPE_CHECKING:
    from handlers import Dispatcher

log = logging.getLogger(__name__)


def create_app(
    test_config: Settings | None = None,
    clock: Callable[[], datetime] | None = None,
    dispatcher: Dispatcher | None = None,
) -> Flask:
    """Build the app from the environment (or from `test_config` in tests).

    Built from the environment, this is a process's entry point (gunicorn
    'bot:create_app()'), so it sets up the process's logging; tests and the CLI pass
    their settings and have set up their own.
    """
    from bot import health, metrics_page, webhook
    from bot.api import register_api
    from bot.console import register_console
    from bot.pages import register_pages
    from bot.request_guard import register_request_guard
    from bot.request_ids import register_request_ids
    from bot.security_headers import register_security_headers
    from bot.services import build_services

    settings = test_config or load_settings()
    if test_config is None:
        from core.logging_setup import configure_logging

        configure_logging(log_format=settings.log_format)
    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
    )
    app.session_interface = ConsoleOnlySessions()
    if not settings.sandbox_served:  # (the sandbox's guard is a Flask hook: Flask it is)
        from bot.webhook_wsgi import FastWebhook

        # POST /wechat without Flask around it; inside ProxyFix, which fixes its logs' address
        app.wsgi_app = FastWebhook(app, app.wsgi_app)  # type: ignore[method-assign]
    if settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # the client's real address and scheme, as the trusted proxies in front saw them
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies)
    register_request_ids(app)  # first: every hook's log lines carry the request's id
    register_request_guard(app)  # (its converter is used by every route below)
    app.extensions["partybot"] = build_services(settings, clock, dispatcher)
    app.register_blueprint(webhook.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics_page.bp)  # loopback or a bearer token only
    register_console(app, secure_cookies=(settings.public_url or "").startswith("https://"))
    register_pages(app)
    register_api(app)
    if settings.sandbox_served:
        from bot.sandbox.mount import mount_sandbox

        mount_sandbox(app, settings)
    elif settings.sandbox:
        log.warning("sandbox off: WECHAT_TOKEN is set but WECHAT_APP_ID is not; set both "
                    "for a real account (the sandbox never runs beside a real Token)")
    register_security_headers(app)
    _register_error_pages(app)
    return app


class ConsoleOnlySessions(SecureCookieSessionInterface):
    """Cookie sessions only under /admin, /sandbox and /m (the member pages), where
    people log in.

    WeChat's servers never send cookies; opening a signed-cookie session for each of
    their requests would cost the webhook a serializer per message.
    """

    def open_session(  # type: ignore[override]
            self, app: Flask, request: Request) -> SessionMixin | None:
        if request.path.startswith(("/admin", "/sandbox", "/m/")) or request.path == "/m":
            return super().open_session(app, request)
        return self.make_null_session(app)


def _register_error_pages(app: Flask) -> None:
    """Short plain-text errors: never a stack trace or a debugger page. Under /admin and
    /m, where people read them, a Chinese page in the console's or the members' frame."""

    from bot.api import is_api_path
    from bot.api.problems import http_problem, internal_problem
    from bot.console.error_pages import console_error_page, is_console_path
    from bot.pages.access import is_pages_path, unrouted_error

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        if exc.code and exc.code >= 500:
            log.error("HTTP %s: %s", exc.code, exc.description)
        else:
            log.warning("HTTP %s on request: %s", exc.code, exc.description)
        if is_console_path(request.path):  # people read these: Chinese, in the frame
            return console_error_page(exc)
        if is_pages_path(request.path):  # members read these too
            return make_response(unrouted_error(exc.code or 500))
        if is_api_path(request.path):  # the mini-program reads problem+json
            return http_problem(exc)
        return Response(exc.name.lower(), status=exc.code or 500, mimetype="text/plain")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        if is_console_path(request.path):
            return console_error_page(InternalServerError())
        if is_pages_path(request.path):
            return make_response(unrouted_error(500))
        if is_api_path(request.path):
            return internal_problem()
        return Response("internal error", status=500, mimetype="text/plain")

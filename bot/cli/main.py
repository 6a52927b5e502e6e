"""The `partybot` command (DESIGN.md section 4)."""

from __future__ import annotations

import signal
import sys
from typing import Any

import click

from bot.cli.admin import COMMANDS as ADMIN_COMMANDS
from bot.cli.backup import db_backup, db_restore
from bot.cli.own_command import partybot_command
from bot.cli.support import database, require_migrated, runtime, settings_or_exit
from bot.cli.template_messages import templates
from core import texts
from core.config import ConfigError, Settings, log_format_from_environment
from core.logging_setup import configure_logging
from core.request_context import cli_request_id, reset_request_id, set_request_id

# Commands that serve requests or run jobs: those get their ids one by one.
_SERVING = ("serve", "run", "scheduler", "chat")


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """partybot: the WeChat Official Account backend for Party branches."""
    try:
        log_format = log_format_from_environment()
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None
    configure_logging(verbose, log_format)
    if ctx.invoked_subcommand and ctx.invoked_subcommand not in _SERVING:
        # an admin command's log lines and the notices it queues, under one id
        token = set_request_id(cli_request_id(ctx.invoked_subcommand))
        ctx.call_on_close(lambda: reset_request_id(token))


@main.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations to the configured database."""
    from bot.schema_upgrade import upgrade_database
    from models.db.engine import make_engine

    engine = make_engine(settings_or_exit().database_url)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    click.echo(f"database is up to date: {engine.url.render_as_string(hide_password=True)}")


def _serve(settings: Settings, host: str, port: int, with_scheduler: bool) -> None:
    from flask import Flask
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietQueryHandler(WSGIRequestHandler):
        """Access log without query strings: they carry access tokens and signatures."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            path = self.path.split("?", 1)[0]
            self.log("info", '"%s %s" %s %s', self.command, path, code, size)

    from bot import create_app
    from bot.services import services_of

    # Bind first: with --port 0 the real port is only known now, and in sandbox mode
    # the API client must point at this very server's /sandbox.
    server = make_server(host, port, Flask("placeholder"), threaded=True,
                         request_handler=QuietQueryHandler)
    if settings.sandbox and not settings.api_base_url_configured:
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        settings = settings.with_overrides(api_base_url=f"http://{local}:{server.port}/sandbox")
    app = create_app(settings)
    require_migrated(services_of(app).engine)
    server.app = app
    runner = None
    if with_scheduler:
        from schedules.scheduler import SchedulerRunner

        runner = SchedulerRunner(services_of(app))
        runner.start_background()
        if settings.sandbox_served:  # so that the sandbox page shows each member's menu
            from bot.menu import publish_in_background

            local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
            publish_in_background(services_of(app), f"http://{local}:{server.port}")

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    mode = "sandbox" if settings.sandbox else f"account {settings.app_id}"
    click.echo(f"partybot serving on http://{host}:{server.port}/wechat ({mode}); Ctrl-C stops")
    if settings.sandbox_served:
        click.echo(f"sandbox chat page: http://{host}:{server.port}/sandbox/")
        if host not in ("127.0.0.1", "localhost", "::1") and not settings.sandbox_public:
            click.echo(texts.CLI_SANDBOX_LOOPBACK_ONLY)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
        if runner is not None:
            runner.stop()
        services_of(app).dispose()
        click.echo("partybot stopped")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the webhook (and the sandbox in sandbox mode) in one process."""
    _serve(settings_or_exit(), host, port, with_scheduler=False)


@main.command()
@click.option("--delivery-only", is_flag=True, help="Only the delivery jobs (extra workers).")
def scheduler(delivery_only: bool) -> None:
    """Run the scheduler process (stops cleanly on SIGTERM)."""
    from schedules.scheduler import run_scheduler

    with runtime() as built:
        code = run_scheduler(built, delivery_only=delivery_only)
    sys.exit(code)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run(host: str, port: int) -> None:
    """Everything on one machine: migrate, seed demo data if empty, serve and schedule."""
    from bot.demo import (
        database_is_empty,
        demo_meeting_code,
        demo_township,
        demo_users,
        seed_demo,
    )
    from bot.schema_upgrade import upgrade_database
    from models.db.base import utcnow
    from models.db.engine import make_engine
    from models.delivery.outbox import ChannelPolicy

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    engine.dispose()
    with database() as (_, session):
        if settings.seed_demo and settings.sandbox_served and database_is_empty(session):
            seed_demo(session, utcnow(),
                      ChannelPolicy(settings.templates, settings.subscriptions,
                                    public_url=settings.public_url), settings.tz)
            session.commit()
            click.echo("Seeded a demo county.")
        users = demo_users(session)
        code = demo_meeting_code(session)
        township = demo_township(session)
    if users:
        command = partybot_command()
        click.echo("Demo members you can chat as (in another terminal):")
        for user in users:
            click.echo(texts.CLI_DEMO_USER.format(command=command, openid=user.openid,
                                                  name=user.name, role=user.role,
                                                  branch=user.branch))
            hint = texts.DEMO_TRY.get(user.openid)
            if hint:
                click.echo(texts.CLI_DEMO_TRY.format(hint=hint.format(code=code)))
        if township is not None:
            click.echo(texts.CLI_DEMO_CONSOLE.format(command=command, org=township))
    _serve(settings, host, port, with_scheduler=True)


@main.command()
@click.option("--openid", required=True, help="Chat as this WeChat user (e.g. demo-admin).")
@click.option("--url", default="http://127.0.0.1:5000/wechat", show_default=True)
@click.option("--wait", default=0.0, type=float,
              help="Seconds to keep showing pushed messages after the last line.")
def chat(openid: str, url: str, wait: float) -> None:
    """Chat with the webhook in the terminal, as the given user."""
    from bot.cli.chat import run_chat

    sys.exit(run_chat(settings_or_exit(), openid, url, wait=wait))


for _command in [*ADMIN_COMMANDS, templates]:
    main.add_command(_command)
for _command in [db_backup, db_restore]:
    db.add_command(_command)

if __name__ == "__main__":
    main()

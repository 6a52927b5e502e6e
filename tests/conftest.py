"""Fixtures: a migrated database per test (SQLite, or PostgreSQL when
PARTYBOT_TEST_DATABASE_URL is set), a controllable clock, the app, and a `chat` helper
that talks to the webhook exactly as WeChat does (signed, optionally encrypted).

Under pytest-xdist (`pytest -n 2`) each worker has its own PostgreSQL database, named
after the configured one plus the worker (`partybot_test_gw0` …), made when missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, make_url, text

import models
from bot import create_app
from bot.sandbox.fake_api import FakeWeChat, Fault, make_fake_app
from bot.schema_upgrade import upgrade_database
from bot.services import build_services, services_of
from bot.simulator import Reply, WeChatSide, event_xml, text_xml
from core.config import Settings
from models.db.engine import make_engine
from tests.live import serving


def _worker_database(url: str | None) -> str | None:
    """The configured PostgreSQL URL, or this xdist worker's own database beside it: two
    workers truncating one database under each other's tests would fail both."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(
        hide_password=False)


PG_URL = _worker_database(os.environ.get("PARTYBOT_TEST_DATABASE_URL"))
TOKEN = "test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


class FakeClock:
    """A clock tests can move; starts at the real time so signed timestamps pass."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by timedelta(**delta)."""
        self.now += timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> None:
        """Jump to an aware datetime."""
        self.now = when


def _create_postgres_database(url: str) -> None:
    """Create the database of `url` when the server has none of that name (a worker's)."""
    name = make_url(url).database
    admin = make_engine(make_url(url).set(database="postgres").render_as_string(
        hide_password=False)).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                        {"n": name}).first()
            if exists is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


# The sequences that belong to a table's column (serial ids): TRUNCATE … RESTART IDENTITY
# restarts exactly these.
_OWNED_SEQUENCES = """
    SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype IN ('a', 'i')
    JOIN pg_sequences s ON s.schemaname = n.nspname AND s.sequencename = c.relname
    WHERE c.relkind = 'S' AND n.nspname = current_schema() AND s.last_value IS NOT NULL
"""


def _empty_postgres(connection: Connection) -> None:
    """What `TRUNCATE <every table> RESTART IDENTITY CASCADE` leaves (every table empty,
    every id counting from 1 again), touching only what the last test wrote: a TRUNCATE
    of all 43 tables cost more than most tests on PostgreSQL (a new file per table)."""
    tables = models.Base.metadata.sorted_tables
    written = set(connection.exec_driver_sql(" UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT FROM \"{t.name}\")" for t in tables)).scalars())
    for table in reversed(tables):  # referencing tables first: no foreign key is violated
        if table.name in written:
            connection.exec_driver_sql(f'DELETE FROM "{table.name}"')
    for sequence in connection.exec_driver_sql(_OWNED_SEQUENCES).scalars():
        connection.exec_driver_sql(f"ALTER SEQUENCE {sequence} RESTART")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database: a SQLite file to copy per test, or the PostgreSQL URL."""
    if PG_URL:
        if os.environ.get("PYTEST_XDIST_WORKER"):
            _create_postgres_database(PG_URL)
        engine = make_engine(PG_URL)
        _reset_postgres(engine)
        upgrade_database(engine)
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return str(path)


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database of this test's own."""
    if PG_URL:
        engine = make_engine(PG_URL)
        with engine.begin() as connection:
            _empty_postgres(connection)
        engine.dispose()
        yield PG_URL
        return
    path = tmp_path / "partybot.db"
    shutil.copyfile(migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def clock() -> FakeClock:
    """The app's clock."""
    return FakeClock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Plain-mode settings on this test's database."""
    return Settings(
        database_url=database_url, wechat_token=TOKEN, secret_key="test-secret",
        instance_path=tmp_path / "instance",
    )


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Iterator[Flask]:
    """The app on this test's database, with the fake clock."""
    app = create_app(settings, clock=clock)
    yield app
    services_of(app).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client."""
    return app.test_client()


@pytest.fixture
def session(app: Flask):  # type: ignore[no-untyped-def]
    """A session on the app's database (the test commits when it writes)."""
    with services_of(app).sessions() as session:
        yield session


class Chat:
    """Talks to /wechat as WeChat would, for one account configuration."""

    def __init__(self, client: FlaskClient, side: WeChatSide, clock: FakeClock) -> None:
        self.client = client
        self.side = side
        self.clock = clock

    def post_xml(self, xml: str, **sign_kwargs: object):  # type: ignore[no-untyped-def]
        """POST signed (and maybe encrypted) XML; returns the Flask response."""
        sign_kwargs.setdefault("timestamp", int(self.clock().timestamp()))
        signed = self.side.sign_request(xml, **sign_kwargs)  # type: ignore[arg-type]
        return self.client.post(f"/wechat?{signed.query}", data=signed.body,
                                content_type="text/xml")

    def send_xml(self, xml: str, **sign_kwargs: object) -> Reply:
        """POST and open the reply; fails the test on a non-200."""
        response = self.post_xml(xml, **sign_kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        return self.side.open_reply(response.get_data())

    def say(self, openid: str, content: str, **kwargs: object) -> str:
        """Send a text message; returns the reply's text ('' for success)."""
        xml = text_xml(openid, content, create_time=int(self.clock().timestamp()), **kwargs)
        return self.send_xml(xml).content

    def event(self, openid: str, event: str, key: str | None = None) -> str:
        """Send an event; returns the reply's text."""
        xml = event_xml(openid, event, key, create_time=int(self.clock().timestamp()))
        return self.send_xml(xml).content


@pytest.fixture
def chat(client: FlaskClient, clock: FakeClock) -> Chat:
    """Plain-mode chat with the app."""
    return Chat(client, WeChatSide(TOKEN), clock)


@dataclass
class FakeAPI:
    """The fake WeChat API served over real HTTP for one test."""

    base_url: str
    state: FakeWeChat

    def messages(self, openid: str | None = None) -> list:
        """What it delivered (to one user)."""
        return self.state.messages_for(openid)

    def fail(self, **fault: object) -> None:
        """Add a fault rule (see bot.sandbox.fake_api.Fault)."""
        self.state.faults.append(Fault(**fault))  # type: ignore[arg-type]


@pytest.fixture
def fake() -> Iterator[FakeAPI]:
    """A fresh fake WeChat API on a free port."""
    app = make_fake_app()
    with serving(app) as base:
        yield FakeAPI(base, app.extensions["fake_wechat"])


@pytest.fixture
def api_settings(settings: Settings, fake: FakeAPI) -> Settings:
    """Settings whose API base URL is the fake, with quick timeouts and no rate cap."""
    return settings.with_overrides(api_base_url=fake.base_url, api_timeout=0.5,
                                   send_rate=1000.0)


@pytest.fixture
def services(api_settings: Settings, clock: FakeClock):  # type: ignore[no-untyped-def]
    """Services (database, client, inbox) pointed at the fake."""
    built = build_services(api_settings, clock)
    yield built
    built.dispose()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """Each phase's report on the test item (rep_call …): the browser tests save a
    screenshot when theirs failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


CONSOLE_PASSWORD = "correct horse 42"


@pytest.fixture
def county(session, clock):  # type: ignore[no-untyped-def]
    """Two townships; 辽原村 (secretary 李书记, a group, 张明 and 刘芳) in the east, 远山村
    in the west; password accounts for the secretary and each township."""
    from models.console.accounts import add_console_user
    from models.members.org_tables import Org, OrgKind
    from tests.factories import make_branch, make_member, make_township

    east, west = make_township(session, "东乡党委"), make_township(session, "西乡党委")
    liaoyuan = make_branch(session, "辽原村党支部", east)
    far = make_branch(session, "远山村党支部", west)
    group = Org(name="第一党小组", kind=OrgKind.GROUP, parent_id=liaoyuan.id)
    session.add(group)
    session.flush()
    secretary = make_member(session, liaoyuan, "李书记", "13800000001", openid="o-admin",
                            is_admin=True, committee_posts="书记")
    make_member(session, liaoyuan, "张明", "13800000002", openid="o-zm", group_id=group.id)
    make_member(session, liaoyuan, "刘芳", "13800000003", openid="o-lf")
    make_member(session, far, "赵远", "13800000004", openid="o-zy")
    add_console_user(session, "liaoyuan", CONSOLE_PASSWORD, liaoyuan, secretary, clock())
    add_console_user(session, "west-it", CONSOLE_PASSWORD, west, None, clock())
    add_console_user(session, "east-it", CONSOLE_PASSWORD, east, None, clock())
    session.commit()
    return {"liaoyuan": liaoyuan.id, "far": far.id, "group": group.id,
            "secretary": secretary.id}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium (Debian's, never a download) for every browser test module: two
    modules each starting their own Playwright would clash (its sync API runs one at a
    time). The modules skip themselves when Chromium is missing."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()

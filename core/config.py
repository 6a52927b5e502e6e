"""Settings from the environment and a `.env` file (DESIGN.md section 4).

The real environment wins over `.env`. Nothing secret has a shipped default: without
`WECHAT_APP_ID` the bot runs in sandbox mode with a sandbox token, and the console's
secret key is generated once per install into `instance/`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

# The parsers live in core.config_values; the names other modules import from here
# (ConfigError, DEFAULT_CADENCE, parse_bool, …) are re-exported so that they still can.
from core.config_values import DEFAULT_CADENCE as DEFAULT_CADENCE
from core.config_values import ConfigError as ConfigError
from core.config_values import instance_secret, parse_log_format, templates_from
from core.config_values import log_format_from_environment as log_format_from_environment
from core.config_values import parse_bool as parse_bool
from core.config_values import parse_cadence as parse_cadence
from core.config_values import parse_clock as parse_clock
from core.config_values import parse_float as parse_float
from core.config_values import parse_hosts as parse_hosts
from core.config_values import parse_int as parse_int
from core.config_values import parse_metrics_token as parse_metrics_token
from core.config_values import parse_template_ids as parse_template_ids
from core.subscribe_messages import (
    SubscribeSpec,
    Subscriptions,
    sandbox_subscriptions,
    subscriptions_from,
)
from core.template_messages import KIND_FIELDS, TemplateFileError, TemplateSpec, default_spec

DEFAULT_DATABASE_URL = "sqlite:///instance/partybot.db"
DEFAULT_API_BASE_URL = "https://api.weixin.qq.com"
# Only ever accepted in sandbox mode; a real account must set its own Token.
SANDBOX_TOKEN = "partybot-sandbox"
SANDBOX_APP_ID = "wxsandbox00000000"
SANDBOX_APP_SECRET = "sandbox-secret"
# In sandbox mode the fake WeChat API is served by `partybot serve` itself.
SANDBOX_API_BASE_URL = "http://127.0.0.1:5000/sandbox"
MB = 1024 * 1024


class SandboxTemplates(dict[str, TemplateSpec]):
    """Every notice kind a real account has a template for (KIND_FIELDS) has one in the
    sandbox (`sandbox-<kind>`, default keywords), so that trying the bot shows notices
    arriving as templates; the others (an answer, an unbinding notice) go as they would
    on a real account: customer-service messages, a helper, or held."""

    def get(self, key: str, default: Any = None) -> Any:
        return default_spec(key, f"sandbox-{key}") if key in KIND_FIELDS else default

    def __getitem__(self, key: str) -> TemplateSpec:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return cast(TemplateSpec, found)


@dataclass(frozen=True)
class Settings:
    """Everything configurable, already parsed and checked."""

    database_url: str = DEFAULT_DATABASE_URL
    wechat_token: str = field(default=SANDBOX_TOKEN, repr=False)
    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    encoding_aes_key: str | None = field(default=None, repr=False)
    # With an AES key, plaintext POSTs are refused unless the operator opts into WeChat's
    # compatible mode (WECHAT_COMPATIBLE_MODE), e.g. while switching the account over.
    compatible_mode: bool = False
    api_base_url: str = DEFAULT_API_BASE_URL
    # False when the API base URL was not configured: `serve`/`run` in sandbox mode
    # then point it at their own /sandbox on the port they listen on.
    api_base_url_configured: bool = True
    timezone: str = "Asia/Shanghai"
    secret_key: str = field(default="", repr=False)
    instance_path: Path = Path("instance")
    # The server's public address (PARTYBOT_PUBLIC_URL): links in notices, the console's
    # WeChat authorization; an https one makes console cookies Secure.
    public_url: str | None = None
    # Seconds a message's timestamp may differ from our clock; 0 turns the check off.
    timestamp_tolerance: int = 300
    max_body_bytes: int = 64 * 1024
    seed_demo: bool = True
    # WECHAT_TOKEN came from the operator (not the sandbox default).
    wechat_token_configured: bool = False
    # Serve the sandbox to non-loopback clients too (PARTYBOT_SANDBOX_PUBLIC).
    sandbox_public: bool = False
    # Host names (besides loopback ones) a sandbox-mode server answers to
    # (PARTYBOT_ALLOWED_HOSTS): other Hosts are a DNS-rebinding page reaching this machine.
    allowed_hosts: tuple[str, ...] = ()
    # New scan-to-login codes one client address may ask for a minute
    # (PARTYBOT_LOGIN_QR_PER_MINUTE): each is a qrcode/create call and a row.
    login_qr_per_minute: int = 5
    # Proxies in front that set X-Forwarded-For/-Proto (PARTYBOT_PROXIES; nginx: 1): the
    # client's address is then the one they saw, for the login-code ration and the
    # sandbox's loopback check. 0 trusts no header (a client could forge one).
    proxies: int = 0
    # Outbound delivery.
    send_rate: float = 50.0  # messages per second across one delivery loop
    template_daily_quota: int = 100_000
    delivery_threads: int = 8
    # A claimed row not recorded within this many seconds is presumed lost mid-send.
    delivery_lease: int = 120
    # An unknown outcome without a delivery report is retried (once) after this long.
    unknown_retry_after: int = 600
    api_timeout: float = 5.0
    # Template id per notice kind (PARTYBOT_TEMPLATE_IDS="meeting_reminder=TPL1,...").
    configured_template_ids: dict[str, str] = field(default_factory=dict)
    # Templates with their keywords (PARTYBOT_TEMPLATES_FILE, TOML; core.template_messages).
    templates_file: Path | None = None
    configured_templates: dict[str, TemplateSpec] = field(default_factory=dict)
    # Meetings: how often each kind is required (PARTYBOT_CADENCE="party_lecture=quarter,…").
    cadence: dict[str, str] = field(default_factory=lambda: parse_cadence(None))
    checkin_radius_m: int = 300
    # 一帮一
    helper_capacity: int = 3
    relay_remind_days: int = 3
    relay_escalate_days: int = 6
    relay_digest_time: tuple[int, int] = (9, 0)
    # Local time of the daily study push (PARTYBOT_STUDY_PUSH_TIME="08:00").
    study_push_time: tuple[int, int] = (8, 0)
    # A meeting closes by itself this long after its end (absentees are marked then).
    meeting_close_grace_minutes: int = 120
    # Uploaded photos, per org (stored bytes after downscaling): a day's and the total
    # (PARTYBOT_UPLOAD_DAILY_MB, PARTYBOT_UPLOAD_TOTAL_MB); a cancelled meeting's photos
    # are deleted this many days after it was cancelled (PARTYBOT_CANCELLED_PHOTO_DAYS).
    upload_daily_bytes: int = 100 * MB
    upload_total_bytes: int = 2048 * MB
    cancelled_photo_days: int = 90
    # Every org's photos share one disk: no upload may leave less than this free
    # (PARTYBOT_UPLOAD_MIN_FREE_MB), whatever the quotas still allow.
    upload_min_free_bytes: int = 1024 * MB
    # PostgreSQL: a message whose handler only read commits its dedupe key and reply
    # without waiting for the WAL flush (PARTYBOT_ASYNC_READ_ONLY_COMMITS, default on;
    # a crash may then lose that key, and WeChat's retry re-runs a handler that reads).
    async_read_only_commits: bool = True
    # Audit entries older than this many days are deleted by a daily job; 0 keeps them
    # forever (PARTYBOT_AUDIT_RETENTION_DAYS; five years by default).
    audit_retention_days: int = 1825
    # 订阅通知 templates per notice kind (the templates file's [subscribe.*] and
    # [miniprogram_subscribe.*] sections; core.subscribe_messages).
    configured_subscriptions: dict[str, tuple[SubscribeSpec, ...]] = field(
        default_factory=dict)
    # The mini-program (PARTYBOT_MINIPROGRAM_APP_ID / _SECRET): its wx.login codes are
    # exchanged at sns/jscode2session through WECHAT_API_BASE_URL. Unset: the API's
    # login answers 503, except in sandbox mode, where the fake takes fixed ones.
    miniprogram_app_id: str | None = None
    miniprogram_app_secret: str | None = field(default=None, repr=False)
    # Calls one mini-program token may make a minute (PARTYBOT_API_RATE_PER_MINUTE),
    # counted in the database so that every worker sees the same count.
    api_rate_per_minute: int = 60
    # Retention in days, 0 = forever (PARTYBOT_RETAIN_*): schedules/retention.py, upkeep.py.
    retain_inbound_days: int = 4
    retain_delivery_log_days: int = 180
    retain_login_ticket_days: int = 7
    retain_photo_days: int = 0
    log_format: str = "text"  # PARTYBOT_LOG_FORMAT: text, or json (core.logging_setup)
    # A bearer token that lets a scraper from another host read /metrics
    # (PARTYBOT_METRICS_TOKEN); without it /metrics answers loopback clients only.
    metrics_token: str | None = field(default=None, repr=False)

    @property
    def sandbox(self) -> bool:
        """No app id configured: talk to the built-in fake WeChat API."""
        return self.app_id is None

    @property
    def sandbox_served(self) -> bool:
        """Whether the sandbox pages and fake API are served: only in sandbox mode, and
        never when the operator set WECHAT_TOKEN (a half-configured production)."""
        return self.sandbox and not self.wechat_token_configured

    @property
    def effective_app_id(self) -> str:
        """The app id used for AES and for the API client (a fixed one in sandbox mode)."""
        return self.app_id or SANDBOX_APP_ID

    @property
    def effective_app_secret(self) -> str:
        """The app secret for fetching tokens (a fixed one in sandbox mode)."""
        return self.app_secret or SANDBOX_APP_SECRET

    @property
    def templates(self) -> Mapping[str, TemplateSpec]:
        """The template of each notice kind that has one: the file's, else the id from
        PARTYBOT_TEMPLATE_IDS with default keywords.

        In sandbox mode, unless configured, every kind has a template: the fake API
        accepts any, so that trying the bot shows its notices arriving.
        """
        if self.sandbox and not self.configured_template_ids \
                and not self.configured_templates:
            return SandboxTemplates()
        by_id = {kind: default_spec(kind, template_id)
                 for kind, template_id in self.configured_template_ids.items()}
        return {**by_id, **self.configured_templates}

    @property
    def template_ids(self) -> Mapping[str, str]:
        """Template id per configured notice kind."""
        return {kind: spec.template_id for kind, spec in self.templates.items()}

    @property
    def tz(self) -> ZoneInfo:
        """The zone in which times are shown and scheduled."""
        return ZoneInfo(self.timezone)

    @property
    def miniprogram_credentials(self) -> tuple[str, str] | None:
        """The mini-program's app id and secret; fixed ones in sandbox mode; None when
        a real account has no mini-program configured."""
        if self.miniprogram_app_id and self.miniprogram_app_secret:
            return self.miniprogram_app_id, self.miniprogram_app_secret
        if self.sandbox:
            return SANDBOX_MINIPROGRAM_APP_ID, SANDBOX_MINIPROGRAM_APP_SECRET
        return None

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests, CLI flags)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def subscriptions(self) -> Subscriptions:
        """The 订阅通知 templates of each kind that has them; in sandbox mode, unless
        configured, one for every kind (the fake accepts any)."""
        if self.sandbox and not self.configured_subscriptions:
            return sandbox_subscriptions()
        return self.configured_subscriptions


def load_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike[str] | None = ".env",
    generate_secret: bool = True,
) -> Settings:
    """Read settings: `.env` first, the real environment over it, then validate."""
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        raw = values.get(name)
        return raw.strip() if raw is not None and raw.strip() != "" else None

    def days(name: str, default: int) -> int:  # a retention period; 0 keeps forever
        return parse_int(name, get(name), default, 0)

    app_id = get("WECHAT_APP_ID")
    app_secret = get("WECHAT_APP_SECRET")
    token = get("WECHAT_TOKEN")
    if app_id is not None:
        if token is None:
            raise ConfigError("WECHAT_TOKEN must be set when WECHAT_APP_ID is set")
        if app_secret is None:
            raise ConfigError("WECHAT_APP_SECRET must be set when WECHAT_APP_ID is set")
    aes_key = get("WECHAT_ENCODING_AES_KEY")
    if aes_key is not None and len(aes_key) != 43:
        raise ConfigError(f"WECHAT_ENCODING_AES_KEY must be 43 characters; got {len(aes_key)}")

    templates_file = get("PARTYBOT_TEMPLATES_FILE")
    timezone = get("PARTYBOT_TIMEZONE") or "Asia/Shanghai"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"PARTYBOT_TIMEZONE is not a known time zone: {timezone!r}") from None

    configured_base = get("WECHAT_API_BASE_URL")
    default_base = SANDBOX_API_BASE_URL if app_id is None else DEFAULT_API_BASE_URL
    api_base = (configured_base or default_base).rstrip("/")
    if not api_base.startswith(("http://", "https://")):
        raise ConfigError(
            f"WECHAT_API_BASE_URL must start with http:// or https://; got {api_base!r}"
        )

    instance_path = Path(get("PARTYBOT_INSTANCE_PATH") or "instance")
    public_url = get("PARTYBOT_PUBLIC_URL")
    if public_url is not None:
        public_url = public_url.rstrip("/")
        if not public_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"PARTYBOT_PUBLIC_URL must start with http:// or https://; got {public_url!r}")
    secret_key = get("PARTYBOT_SECRET_KEY") or (
        instance_secret(instance_path) if generate_secret else ""
    )

    mini_id = get("PARTYBOT_MINIPROGRAM_APP_ID")
    mini_secret = get("PARTYBOT_MINIPROGRAM_APP_SECRET")
    if (mini_id is None) != (mini_secret is None):
        raise ConfigError("set both PARTYBOT_MINIPROGRAM_APP_ID and "
                          "PARTYBOT_MINIPROGRAM_APP_SECRET, or neither")

    return Settings(
        database_url=get("PARTYBOT_DATABASE_URL") or DEFAULT_DATABASE_URL,
        wechat_token=token or SANDBOX_TOKEN,
        app_id=app_id,
        app_secret=app_secret,
        encoding_aes_key=aes_key,
        compatible_mode=parse_bool("WECHAT_COMPATIBLE_MODE", get("WECHAT_COMPATIBLE_MODE"),
                                   False),
        api_base_url=api_base,
        api_base_url_configured=configured_base is not None,
        timezone=timezone,
        secret_key=secret_key,
        instance_path=instance_path,
        public_url=public_url,
        timestamp_tolerance=parse_int(
            "WECHAT_TIMESTAMP_TOLERANCE", get("WECHAT_TIMESTAMP_TOLERANCE"), 300
        ),
        seed_demo=parse_bool("PARTYBOT_SEED_DEMO", get("PARTYBOT_SEED_DEMO"), True),
        wechat_token_configured=token is not None,
        sandbox_public=parse_bool("PARTYBOT_SANDBOX_PUBLIC", get("PARTYBOT_SANDBOX_PUBLIC"),
                                  False),
        allowed_hosts=parse_hosts("PARTYBOT_ALLOWED_HOSTS", get("PARTYBOT_ALLOWED_HOSTS")),
        login_qr_per_minute=parse_int("PARTYBOT_LOGIN_QR_PER_MINUTE",
                                      get("PARTYBOT_LOGIN_QR_PER_MINUTE"), 5, 1),
        proxies=parse_int("PARTYBOT_PROXIES", get("PARTYBOT_PROXIES"), 0),
        send_rate=parse_float("PARTYBOT_SEND_RATE", get("PARTYBOT_SEND_RATE"), 50.0, 0.1),
        template_daily_quota=parse_int(
            "PARTYBOT_TEMPLATE_DAILY_QUOTA", get("PARTYBOT_TEMPLATE_DAILY_QUOTA"), 100_000
        ),
        delivery_threads=parse_int(
            "PARTYBOT_DELIVERY_THREADS", get("PARTYBOT_DELIVERY_THREADS"), 8, 1
        ),
        delivery_lease=parse_int(
            "PARTYBOT_DELIVERY_LEASE_SECONDS", get("PARTYBOT_DELIVERY_LEASE_SECONDS"), 120, 5
        ),
        unknown_retry_after=parse_int(
            "PARTYBOT_UNKNOWN_RETRY_SECONDS", get("PARTYBOT_UNKNOWN_RETRY_SECONDS"), 600, 0
        ),
        api_timeout=parse_float("WECHAT_API_TIMEOUT", get("WECHAT_API_TIMEOUT"), 5.0, 0.1),
        configured_template_ids=parse_template_ids(get("PARTYBOT_TEMPLATE_IDS")),
        templates_file=Path(templates_file) if templates_file else None,
        configured_templates=templates_from(templates_file),
        cadence=parse_cadence(get("PARTYBOT_CADENCE")),
        study_push_time=parse_clock("PARTYBOT_STUDY_PUSH_TIME", get("PARTYBOT_STUDY_PUSH_TIME"),
                                    (8, 0)),
        helper_capacity=parse_int("PARTYBOT_HELPER_CAPACITY", get("PARTYBOT_HELPER_CAPACITY"),
                                  3, 1),
        relay_remind_days=parse_int("PARTYBOT_RELAY_REMIND_DAYS",
                                    get("PARTYBOT_RELAY_REMIND_DAYS"), 3, 1),
        relay_escalate_days=parse_int("PARTYBOT_RELAY_ESCALATE_DAYS",
                                      get("PARTYBOT_RELAY_ESCALATE_DAYS"), 6, 1),
        relay_digest_time=parse_clock("PARTYBOT_RELAY_DIGEST_TIME",
                                      get("PARTYBOT_RELAY_DIGEST_TIME"), (9, 0)),
        checkin_radius_m=parse_int(
            "PARTYBOT_CHECKIN_RADIUS_METERS", get("PARTYBOT_CHECKIN_RADIUS_METERS"), 300, 10
        ),
        meeting_close_grace_minutes=parse_int(
            "PARTYBOT_MEETING_CLOSE_GRACE_MINUTES", get("PARTYBOT_MEETING_CLOSE_GRACE_MINUTES"),
            120, 0
        ),
        upload_daily_bytes=MB * parse_int(
            "PARTYBOT_UPLOAD_DAILY_MB", get("PARTYBOT_UPLOAD_DAILY_MB"), 100, 1),
        upload_total_bytes=MB * parse_int(
            "PARTYBOT_UPLOAD_TOTAL_MB", get("PARTYBOT_UPLOAD_TOTAL_MB"), 2048, 1),
        cancelled_photo_days=parse_int(
            "PARTYBOT_CANCELLED_PHOTO_DAYS", get("PARTYBOT_CANCELLED_PHOTO_DAYS"), 90, 0),
        upload_min_free_bytes=MB * parse_int(
            "PARTYBOT_UPLOAD_MIN_FREE_MB", get("PARTYBOT_UPLOAD_MIN_FREE_MB"), 1024, 0),
        async_read_only_commits=parse_bool("PARTYBOT_ASYNC_READ_ONLY_COMMITS",
                                           get("PARTYBOT_ASYNC_READ_ONLY_COMMITS"), True),
        audit_retention_days=parse_int(
            "PARTYBOT_AUDIT_RETENTION_DAYS", get("PARTYBOT_AUDIT_RETENTION_DAYS"), 1825, 0),
        configured_subscriptions=_subscriptions_from(templates_file),
        miniprogram_app_id=mini_id,
        miniprogram_app_secret=mini_secret,
        api_rate_per_minute=parse_int("PARTYBOT_API_RATE_PER_MINUTE",
                                      get("PARTYBOT_API_RATE_PER_MINUTE"), 60, 1),
        retain_inbound_days=days("PARTYBOT_RETAIN_INBOUND_DAYS", 4),
        retain_delivery_log_days=days("PARTYBOT_RETAIN_DELIVERY_LOG_DAYS", 180),
        retain_login_ticket_days=days("PARTYBOT_RETAIN_LOGIN_TICKET_DAYS", 7),
        retain_photo_days=days("PARTYBOT_RETAIN_PHOTO_DAYS", 0),
        log_format=parse_log_format(get("PARTYBOT_LOG_FORMAT")),
        metrics_token=parse_metrics_token(get("PARTYBOT_METRICS_TOKEN")),
    )


def _subscriptions_from(path: str | None) -> dict[str, tuple[SubscribeSpec, ...]]:
    """The templates file's 订阅通知 sections; a malformed one is a ConfigError."""
    try:
        return subscriptions_from(path)
    except TemplateFileError as exc:
        raise ConfigError(f"PARTYBOT_TEMPLATES_FILE: {exc}") from exc


# The sandbox's mini-program (the fake accepts any app id and secret).
SANDBOX_MINIPROGRAM_APP_ID = "wxsandboxminiprog"
SANDBOX_MINIPROGRAM_APP_SECRET = "sandbox-miniprogram-secret"


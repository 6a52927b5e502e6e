"""deploy/nginx/partybot.conf: its body limits are partybot's own, `nginx -t` accepts it,
and a real nginx with it in front of gunicorn (deploy/gunicorn.conf.py) passes a signed
message, redirects http, refuses /metrics and an oversized body, and logs no query."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, text_xml
from tests.conftest import TOKEN
from tests.procs import Proc, command_env, free_port

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "partybot.conf"
CONF = ROOT / "deploy" / "gunicorn.conf.py"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
UNITS = {"k": 1024, "m": 1024 * 1024}


def body_limits() -> dict[str, int]:
    """client_max_body_size per location ("" for the server's own), in bytes."""
    limits: dict[str, int] = {}
    https = SITE.read_text().split("listen 443", 1)[1]
    where = ""
    for line in https.splitlines():
        line = line.strip()
        if line.startswith("location"):
            where = line.split()[-2]
        elif line == "}":
            where = ""
        elif match := re.match(r"client_max_body_size (\d+)([km]);", line):
            limits[where] = int(match.group(1)) * UNITS[match.group(2)]
    return limits


def test_the_body_limits_are_partybots_own(settings):
    """The server-wide limit is the app's (64 KiB); each upload view's larger limit fits
    its location's, with less than 1 MiB to spare (nginx refuses before the app would)."""
    limits = body_limits()
    assert limits[""] == settings.max_body_bytes == 64 * 1024
    app = create_app(settings)
    try:
        uploads = {rule.rule: getattr(app.view_functions[rule.endpoint], "upload_limit", None)
                   for rule in app.url_map.iter_rules()}
    finally:
        services_of(app).dispose()
    largest: dict[str, int] = {}
    for path, limit in uploads.items():
        if limit is None:
            continue
        location = next((loc for loc in limits if loc and path.startswith(loc)), None)
        assert location is not None, f"{path} takes {limit} bytes; nginx allows 64 KiB there"
        assert limit <= limits[location], (path, limit, location)
        largest[location] = max(largest.get(location, 0), limit)
    for location, allowed in limits.items():
        if location:
            assert allowed - largest[location] < 1024 * 1024, location


def test_metrics_are_never_proxied_to_everyone():
    text = SITE.read_text()
    block = text.split("location ^~ /metrics", 1)[1].split("}", 1)[0]
    assert "deny all;" in block
    assert block.index("deny all;") < block.index("proxy_pass")


def test_the_access_log_format_has_no_query():
    fmt = SITE.read_text().split("log_format partybot", 1)[1].split(";", 1)[0]
    assert "$uri" in fmt
    for query_bearing in ("$request ", "$request\"", "$request_uri", "$args", "$query_string",
                          "$http_referer"):
        assert query_bearing not in fmt


if NGINX is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's nginx (apt-get install nginx-light)")
    pytest.skip("needs nginx: apt-get install nginx-light", allow_module_level=True)


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True,
                   timeout=60)
    return cert, key


def _nginx_conf(folder: Path, http: int, https: int, upstream: int) -> Path:
    """The site as installed, on test ports, files and certificate, in an nginx.conf of
    its own (a temporary prefix: no file outside `folder` is read or written)."""
    cert, key = _certificate(folder)
    site = SITE.read_text()
    for old, new in [
            ("listen 80;", f"listen 127.0.0.1:{http};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
            ("/etc/letsencrypt/live/dangjian.example.cn/fullchain.pem", str(cert)),
            ("/etc/letsencrypt/live/dangjian.example.cn/privkey.pem", str(key)),
            ("/var/log/nginx/partybot.access.log", str(folder / "access.log")),
            ("/var/www/letsencrypt", str(folder / "acme")),
            ("/etc/partybot/wechat-verify", str(folder / "verify")),
            ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")]:
        assert old in site, old
        site = site.replace(old, new)
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (folder / "site.conf").write_text(site)
    (folder / "verify").mkdir()
    (folder / "verify" / "MP_verify_AbC123.txt").write_text("AbC123")
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""")
    return conf


def _wait(url: str, proc: Proc, **kwargs: object) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.process.poll() is None, proc.output
        try:
            if requests.get(url, timeout=5, **kwargs).status_code == 200:  # type: ignore[arg-type]
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered:\n{proc.output}")


def test_nginx_accepts_the_site(tmp_path):
    conf = _nginx_conf(tmp_path, free_port(), free_port(), free_port())
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr


def test_a_message_through_nginx_and_what_nginx_refuses(database_url, tmp_path):
    upstream, http, https = free_port(), free_port(), free_port()
    folder = tmp_path / "nginx"
    folder.mkdir()
    conf = _nginx_conf(folder, http, https, upstream)
    env = command_env(database_url, tmp_path, WECHAT_TOKEN=TOKEN, PARTYBOT_PROXIES="1",
                      PARTYBOT_SECRET_KEY="deploy-test",
                      PARTYBOT_WEB_BIND=f"127.0.0.1:{upstream}", PARTYBOT_WEB_WORKERS="2",
                      PARTYBOT_WEB_ACCESS_LOG=str(tmp_path / "gunicorn.access.log"))
    # --preload (the command line over the file): the app is built once, in the master,
    # and post_fork drops the pool each worker inherits; it also boots faster here.
    gunicorn = Proc([str(Path(sys.executable).with_name("gunicorn")), "-c", str(CONF),
                     "--preload", "bot:create_app()"], env, tmp_path)
    nginx = Proc([NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                 dict(os.environ), folder)
    site = f"https://127.0.0.1:{https}"
    tls = {"verify": str(folder / "cert.pem")}
    try:
        _wait(f"{site}/healthz", nginx, **tls)
        _wait(f"{site}/healthz", gunicorn, **tls)
        health = requests.get(f"{site}/healthz", timeout=10, **tls)  # type: ignore[arg-type]
        assert health.headers["Strict-Transport-Security"] == "max-age=63072000"

        side = WeChatSide(TOKEN)
        signed = side.sign_request(text_xml("o-through-nginx", "帮助"))
        plain = requests.post(f"http://127.0.0.1:{http}/wechat?{signed.query}",
                              data=signed.body, allow_redirects=False, timeout=10)
        assert plain.status_code == 301
        assert plain.headers["Location"] == f"https://127.0.0.1/wechat?{signed.query}"
        answer = requests.post(f"{site}/wechat?{signed.query}", data=signed.body, timeout=10,
                               **tls)  # type: ignore[arg-type]
        assert answer.status_code == 200
        assert "绑定" in side.open_reply(answer.content).content

        verify = requests.get(f"{site}/MP_verify_AbC123.txt", timeout=10, **tls)  # type: ignore[arg-type]
        assert verify.status_code == 200 and verify.text == "AbC123"
        metrics = requests.get(f"{site}/metrics", timeout=10, **tls)  # type: ignore[arg-type]
        assert metrics.status_code == 403 and "nginx" in metrics.text
        over = requests.post(f"{site}/wechat?{signed.query}", data=b"x" * (64 * 1024 + 1),
                             timeout=10, **tls)  # type: ignore[arg-type]
        assert over.status_code == 413 and "nginx" in over.text
        # a body the app-wide limit allows reaches partybot (and is refused there as XML)
        under = requests.post(f"{site}/wechat?{signed.query}", data=b"x" * (64 * 1024),
                              timeout=10, **tls)  # type: ignore[arg-type]
        assert under.status_code in (400, 403) and "nginx" not in under.text
        # the console's larger limit: a stranger's 1 MiB form passes nginx, the app says no
        form = requests.post(f"{site}/admin/login", data=b"x" * (1024 * 1024), timeout=10,
                             headers={"Content-Type": "application/x-www-form-urlencoded"},
                             **tls)  # type: ignore[arg-type]
        assert form.status_code == 413 and "上限 64 KB" in form.text

        time.sleep(0.3)  # nginx writes its log line as the request ends
        lines = (folder / "access.log").read_text().splitlines()
        assert any('"POST /wechat HTTP/1.1" 200' in line for line in lines), lines
        # the line carries partybot's request id, as the notices it queued do
        assert any('"POST /wechat HTTP/1.1" 200' in line
                   and f"request_id={answer.headers['X-Request-Id']}" in line
                   for line in lines), lines
        assert any('"GET /metrics HTTP/1.1" 403' in line for line in lines), lines
        for line in lines:
            assert "?" not in line and "signature" not in line and "o-through-nginx" not in line
        # partybot saw the client's own address, as nginx passed it on
        upstream_log = (tmp_path / "gunicorn.access.log").read_text()
        webhook = next(line for line in upstream_log.splitlines() if "POST /wechat" in line)
        assert webhook.startswith("127.0.0.1 127.0.0.1 ") and "?" not in webhook
        assert "/metrics" not in upstream_log
    finally:
        nginx.stop()
        gunicorn.stop()

"""`partybot chat`: a terminal REPL that talks to the webhook as one WeChat user.

Each line is signed (and encrypted, when an AES key is configured) exactly as
WeChat's servers would send it. Lines starting with "/" send other kinds of message.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable

import requests

from bot.simulator import WeChatSide, event_xml, message_xml, next_msg_id, text_xml
from core import texts
from core.config import Settings

HELP = texts.CHAT_INTRO
SANDBOX_PICTURE = "http://sandbox/pic.jpg"


def line_to_xml(openid: str, line: str,
                picture: tuple[str, str] | None = None) -> str | None:
    """The message XML for one input line (None for a line that is not a message).
    `picture` is the (MediaId, PicUrl) the fake keeps for an /image without a URL."""
    if not line.startswith("/"):
        # One message with several lines (发布 …) is typed on one line with \n.
        return text_xml(openid, line.replace("\\n", "\n"))
    word, *rest = line[1:].split()
    if word == "subscribe":
        return event_xml(openid, "subscribe", f"qrscene_{rest[0]}" if rest else None)
    if word == "unsubscribe":
        return event_xml(openid, "unsubscribe")
    if word == "click" and rest:  # a menu key may hold a space ("CMD:帮助 请假")
        return event_xml(openid, "CLICK", " ".join(rest))
    if word == "scan" and rest:
        return event_xml(openid, "SCAN", rest[0])
    if word == "location" and len(rest) >= 2:
        return message_xml(openid, "location", {
            "Location_X": rest[0], "Location_Y": rest[1], "Scale": "15",
            "Label": " ".join(rest[2:]) or texts.CHAT_MY_LOCATION})
    if word == "image":
        media_id, pic_url = picture or (f"sandbox-image-{next_msg_id()}", SANDBOX_PICTURE)
        return message_xml(openid, "image", {"PicUrl": rest[0] if rest else pic_url,
                                             "MediaId": media_id})
    if word == "voice":
        fields = {"MediaId": "sandbox-voice", "Format": "amr"}
        if rest:  # what WeChat's speech recognition heard
            fields["Recognition"] = " ".join(rest)
        return message_xml(openid, "voice", fields)
    if word == "link" and rest:  # a forwarded article
        return message_xml(openid, "link", {
            "Url": rest[0], "Title": " ".join(rest[1:]) or texts.LINK_UNTITLED,
            "Description": ""})
    return None


class PushWatcher:
    """Shows what the sandbox's fake WeChat API delivered to this openid (pushes)."""

    def __init__(self, url: str, openid: str, out: Callable[[str], None]) -> None:
        root = url.removesuffix("/").removesuffix("/wechat")
        self.endpoint = f"{root}/sandbox/_fake/messages"
        self.openid = openid
        self.out = out
        self.http = requests.Session()
        self.lock = threading.Lock()
        self.enabled = True
        self.after = 0
        messages = self._fetch()
        if messages:
            self.after = max(int(str(m["id"])) for m in messages)

    def _fetch(self) -> list[dict[str, object]]:
        if not self.enabled:
            return []
        try:
            response = self.http.get(self.endpoint, timeout=5,
                                     params={"openid": self.openid, "after": str(self.after)})
        except requests.RequestException:
            return []
        if response.status_code != 200:  # not a sandbox: no pushes to show
            self.enabled = False
            return []
        return list(response.json().get("messages", []))

    def show_new(self) -> int:
        """Print pushes that arrived since last time; returns how many."""
        with self.lock:
            messages = self._fetch()
            for message in messages:
                self.after = max(self.after, int(message["id"]))  # type: ignore[call-overload]
                self.out(texts.CHAT_PUSHED.format(text=message["text"]))
            return len(messages)

    def follow(self, stop: threading.Event, every: float = 2.0) -> None:
        """Keep showing pushes until `stop` is set (interactive use)."""
        while not stop.wait(every):
            self.show_new()


def run_chat(settings: Settings, openid: str, url: str,
             lines: Iterable[str] | None = None, out: Callable[[str], None] = print,
             wait: float = 0.0) -> int:
    """Read lines (stdin by default), send each, print each reply; returns an exit code.

    In sandbox mode pushed messages are shown too; `wait` seconds at the end give the
    scheduler time to deliver what the last lines caused.
    """
    side = WeChatSide(settings.wechat_token, settings.encoding_aes_key,
                      settings.effective_app_id)
    interactive = lines is None and sys.stdin.isatty()
    if interactive:
        out(HELP)
    pushes = PushWatcher(url, openid, out)
    stop = threading.Event()
    if interactive:
        threading.Thread(target=pushes.follow, args=(stop,), daemon=True).start()
    source = lines if lines is not None else _stdin_lines(interactive)
    http = requests.Session()
    try:
        return _converse(side, http, url, openid, source, pushes, out, wait)
    finally:
        stop.set()


def _sandbox_picture(http: requests.Session, url: str) -> tuple[str, str] | None:
    """A sample photo kept by the sandbox's fake WeChat, as if this user had sent it
    (its MediaId and PicUrl: the bot can fetch it back); None without a sandbox."""
    root = url.removesuffix("/").removesuffix("/wechat")
    try:
        answer = http.post(f"{root}/sandbox/_fake/media", json={}, timeout=5).json()
    except (requests.RequestException, ValueError):
        return None
    if isinstance(answer, dict) and answer.get("media_id") and answer.get("pic_url"):
        return str(answer["media_id"]), str(answer["pic_url"])
    return None


def _converse(side: WeChatSide, http: requests.Session, url: str, openid: str,
              source: Iterable[str], pushes: PushWatcher, out: Callable[[str], None],
              wait: float) -> int:
    for raw in source:
        line = raw.strip()
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        if line == "/help":
            out(HELP)
            continue
        picture = _sandbox_picture(http, url) if line == "/image" else None
        xml = line_to_xml(openid, line, picture)
        if xml is None:
            out(texts.CHAT_UNKNOWN_ACTION)
            continue
        signed = side.sign_request(xml)
        try:
            response = http.post(f"{url}?{signed.query}", data=signed.body,
                                 headers={"Content-Type": "text/xml"}, timeout=10)
        except requests.RequestException as exc:
            out(texts.CHAT_CANNOT_CONNECT.format(url=url, error=type(exc).__name__))
            return 2
        if response.status_code != 200:
            out(f"[HTTP {response.status_code}] {response.text[:200]}")
            continue
        reply = side.open_reply(response.content)
        out(texts.CHAT_NO_REPLY if reply.is_success else reply.content)
        pushes.show_new()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        pushes.show_new()
    return 0


def _stdin_lines(interactive: bool) -> Iterable[str]:
    while True:
        try:
            yield input(texts.CHAT_PROMPT) if interactive else next(sys.stdin)
        except (EOFError, StopIteration, KeyboardInterrupt):
            return

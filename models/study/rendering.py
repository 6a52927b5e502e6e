"""How an item reads, the same wherever it is shown: the chat's 学习 reply and the
console's preview of it; and the sentences that say an item is published or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core import texts
from core.localtime import when
from core.wxml import Article
from models.study.hot_statements import ItemText
from models.study.tables import StudyItem


@dataclass(frozen=True)
class ItemNews:
    """An item with a link, as a news (图文) message."""

    articles: list[Article]


def item_message(item: StudyItem | ItemText, prefix: str = "") -> str | ItemNews:
    """A news message when the item has a link, text otherwise."""
    if item.link:
        description = f"{prefix}{item.summary}\n{texts.STUDY_NEWS_FOOTER}".strip()
        return ItemNews([Article(title=texts.STUDY_NEWS_TITLE.format(id=item.id, title=item.title),
                                 description=description, url=item.link)])
    media = texts.STUDY_MEDIA_LINE.format(link=item.media_link) if item.media_link else ""
    return prefix + texts.STUDY_TEXT.format(id=item.id, title=item.title, body=item.body,
                                            link="", media=media + _photo_lines(item))


def _photo_lines(item: StudyItem | ItemText) -> str:
    """The item's photos as links a phone opens (WeChat's picture URLs)."""
    urls = [image.pic_url for image in item.images if image.pic_url]
    lines = "".join(texts.STUDY_IMAGE_LINE.format(number=number, url=url)
                    for number, url in enumerate(urls, 1))
    missing = len(item.images) - len(urls)
    return lines + (texts.STUDY_IMAGES_NO_URL.format(count=missing) if missing else "")


def published_sentence(item: StudyItem, org_name: str, now: datetime, tz: ZoneInfo) -> str:
    """"已发布（编号 N）…，面向<org>。<when>会通知大家学习。" — the chat's reply and the
    console's flash alike."""
    moment = texts.POST_OK_NOW if item.push_at <= now else when(item.push_at, tz)
    return texts.POST_OK.format(id=item.id, title=item.title, org=org_name, when=moment)


def withdrawn_sentence(item: StudyItem, dropped: int) -> str:
    """"已撤回第N期…" (with the notices dropped, if any) — chat and console alike."""
    return texts.WITHDRAW_OK.format(
        id=item.id, title=item.title,
        dropped=texts.WITHDRAW_DROPPED.format(count=dropped) if dropped else "")

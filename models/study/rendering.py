"""How an item reads, the same wherever it is shown: the chat's 学习 reply, the push
that tells members of it, and the console's preview of it; the sentence that says what
members get of its photos; and the sentences that say an item is published or withdrawn.

A WeChat news card (图文) holds one picture: an item with a link and at most one photo
is a card whose picture is that photo; with more photos it is a text message with the
link and one link per photo, so that every photo promised reaches members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
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


class Photo(Protocol):
    """A photo of an item or a draft: WeChat's (or our) picture URL, if any."""

    @property
    def pic_url(self) -> str | None: ...


def as_card(link: str | None, images: Sequence[Photo]) -> bool:
    """Whether members get the item as a news card: it has a link, and the card's one
    picture can show all its photos (none, or one with a picture URL)."""
    return bool(link) and len(images) <= 1 and all(image.pic_url for image in images)


def item_message(item: StudyItem | ItemText, prefix: str = "") -> str | ItemNews:
    """A news message when the item is a card (see `as_card`), text otherwise."""
    if item.link and as_card(item.link, item.images):
        description = f"{prefix}{item.summary}\n{texts.STUDY_NEWS_FOOTER}".strip()
        picture = item.images[0].pic_url if item.images else None
        return ItemNews([Article(title=texts.STUDY_NEWS_TITLE.format(id=item.id, title=item.title),
                                 description=description, url=item.link,
                                 picurl=picture or "")])
    media = texts.STUDY_MEDIA_LINE.format(link=item.media_link) if item.media_link else ""
    link = texts.STUDY_LINK_LINE.format(link=item.link) if item.link else ""
    return prefix + texts.STUDY_TEXT.format(id=item.id, title=item.title, body=item.body,
                                            link=link, media=media + photo_lines(item.images))


def photo_lines(images: Sequence[Photo]) -> str:
    """The photos as links a phone opens (WeChat's picture URLs, or ours)."""
    urls = [image.pic_url for image in images if image.pic_url]
    lines = "".join(texts.STUDY_IMAGE_LINE.format(number=number, url=url)
                    for number, url in enumerate(urls, 1))
    missing = len(images) - len(urls)
    return lines + (texts.STUDY_IMAGES_NO_URL.format(count=missing) if missing else "")


def push_article(item: StudyItem) -> dict[str, str] | None:
    """The push as a news card (a customer-service message), for a card item with a
    photo: members see the picture in the push itself. None: the push is text."""
    message = item_message(item)
    if not isinstance(message, ItemNews) or not message.articles[0].picurl:
        return None
    card = message.articles[0]
    return {"title": card.title, "description": card.description, "url": card.url,
            "picurl": card.picurl}


def photos_promise(link: str | None, images: Sequence[Photo], by_template: bool) -> str:
    """What members get of the photos, for a preview ("" without photos): the card's
    picture or one link per photo; and, when the push goes as a template message
    (which cannot carry a picture), where they see them then."""
    if not images:
        return ""
    if as_card(link, images):
        sentence = texts.PREVIEW_PHOTO_CARD
    else:
        sentence = texts.PREVIEW_PHOTO_LINKS.format(count=len(images)) \
            + (texts.PREVIEW_PHOTO_NO_CARD if link else "")
    return sentence + (texts.PREVIEW_PHOTO_TEMPLATE if by_template else "")


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

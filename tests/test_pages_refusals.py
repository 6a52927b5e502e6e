"""The pages' one answer to a refusal keeps what a refusal must keep (a wrong guess
counted), and any unknown address under /m/ is the members' Chinese 404, not English."""

from __future__ import annotations

from sqlalchemy import select

from bot.console.request_db import db
from bot.pages import refused
from core import texts
from models.db.guesses import MEETING_CODE, GuessGuard, reserve_guess
from models.errors import GuessRefused
from tests.test_pages_login import open_as, pages_app  # noqa: F401  (fixture)


def test_a_wrong_guess_refused_through_the_hook_is_still_counted(pages_app, clock):  # noqa: F811
    with pages_app.test_request_context("/m/meetings", method="POST"):
        reserve_guess(db(), MEETING_CODE, "o-zm", clock())
        answer = refused(GuessRefused("MEETING_NO_SUCH_CODE", code="1234"))
        assert answer.status_code == 302
    from bot.services import services_of
    with services_of(pages_app).sessions() as session:
        guards = session.scalars(select(GuessGuard).where(GuessGuard.openid == "o-zm")).all()
    assert guards, "the wrong guess was rolled back with the refusal"


def test_an_unknown_address_under_m_is_the_chinese_404(pages_app, fake):  # noqa: F811
    phone, _ = open_as(pages_app, fake, "o-zm")
    answer = phone.get("/m/no-such-page")
    assert answer.status_code == 404
    assert texts.PAGES_NOT_FOUND in answer.get_data(as_text=True)

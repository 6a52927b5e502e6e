"""订阅通知 in the mini-program: the templates to ask for with
`wx.requestSubscribeMessage` (the mini-program's templates of PARTYBOT_TEMPLATES_FILE)
with my answers so far, and recording what that call answered — the same action the
webhook's subscription events call (models.delivery.actions.record_subscriptions), for
the token's mini-program openid, as the member, on Surface.API. Each acceptance allows
one 订阅通知 of that template (the channel policy sends a notice so when it can)."""

from __future__ import annotations

from bot.api.problems import Problem
from bot.api.runner import Call, Endpoint
from bot.api.schemas_member import (
    OfferedTemplateOut,
    SubscriptionOut,
    SubscriptionsIn,
    SubscriptionsOut,
    SubscriptionsSavedOut,
)
from core import texts
from core.subscribe_messages import MINIPROGRAM, Offered, offered_templates
from models.delivery.actions import record_subscriptions
from models.delivery.subscriptions import Choice, Subscription, subscriptions_of


def subscriptions(call: Call) -> SubscriptionsOut:
    """The mini-program's subscription templates (pass their ids to
    `wx.requestSubscribeMessage`), each with my last answer and the messages it still
    allows; and every template I have answered, the account's too."""
    templates, mine = _state(call)
    return SubscriptionsOut(templates=templates, subscriptions=mine)


def subscriptions_record(call: Call) -> SubscriptionsSavedOut:
    """Record what `wx.requestSubscribeMessage` answered: `accept` allows one more
    message of that template, `reject` none. A template that is not offered is refused
    (409) and nothing is recorded."""
    body: SubscriptionsIn = call.body
    offered = {template.template_id for template in _offered(call)}
    unknown = sorted({choice.template_id for choice in body.choices} - offered)
    if unknown:
        raise Problem("refused", texts.API_SUBSCRIBE_UNKNOWN.format(
            ids=", ".join(unknown)[:300]))
    assert call.caller is not None and call.member is not None
    stored = record_subscriptions(
        call.session, call.actor, call.caller.openid,
        [Choice(choice.template_id, choice.status) for choice in body.choices], call.now,
        app=MINIPROGRAM, member_id=call.member.id)
    call.session.flush()
    templates, mine = _state(call)
    return SubscriptionsSavedOut(templates=templates, subscriptions=mine, stored=stored)


def _offered(call: Call) -> list[Offered]:
    return offered_templates(call.services.settings.subscriptions, app=MINIPROGRAM)


def _state(call: Call) -> tuple[list[OfferedTemplateOut], list[SubscriptionOut]]:
    tz = call.services.settings.tz
    rows: list[Subscription] = subscriptions_of(call.session, call.me.id, call.me.openid)
    newest: dict[str, Subscription] = {}
    for row in rows:  # newest first: the first row of a template is my last answer
        if row.app == MINIPROGRAM:
            newest.setdefault(row.template_id, row)
    templates = []
    for offer in _offered(call):
        answer = newest.get(offer.template_id)
        templates.append(OfferedTemplateOut(
            kind=offer.kind, template_id=offer.template_id, title=offer.title,
            status=answer.status if answer is not None else None,  # type: ignore[arg-type]
            credits=answer.credits if answer is not None else 0))
    return templates, [SubscriptionOut(app=row.app, template_id=row.template_id,
                                       status=row.status, credits=row.credits,
                                       changed_at=row.changed_at.astimezone(tz))
                       for row in rows]


ENDPOINTS = (
    Endpoint("GET", "/subscriptions", subscriptions,
             "Subscription templates to ask for, and my answers", SubscriptionsOut),
    Endpoint("POST", "/subscriptions", subscriptions_record,
             "Record what wx.requestSubscribeMessage answered", SubscriptionsSavedOut,
             body=SubscriptionsIn, writes=True, errors=(409,)),
)

"""Following, binding to the roster (绑定) and unfollowing."""

from __future__ import annotations

from core import texts
from core.bind_reading import looks_like_binding, name_alone, read_bind_words
from handlers.router import Context, Reply, Role, Router
from models.members.actions import bind_wechat, follow_again, unbind_wechat, unfollow
from models.members.binding import asked_to_bind_lately, bind_sentence
from models.members.queries import find_member

router = Router("membership")

# A bound member's "我要绑定", "怎么绑定微信": short; longer words mention it in passing.
_ASKING_TO_BIND_MAX = 12


@router.event("subscribe")
def on_subscribe(ctx: Context) -> Reply:
    """A new (or returning) follower: say how to bind."""
    if ctx.caller is not None:
        member = ctx.caller.member
        follow_again(member)
        return texts.WELCOME_BACK.format(name=member.name)
    return texts.WELCOME


@router.event("unsubscribe")
def on_unsubscribe(ctx: Context) -> Reply:
    """Unfollowing unlinks the openid; following again means binding again."""
    unfollow(ctx.session, ctx.openid, ctx.now)
    ctx.forget_member()
    return None


@router.command("绑定", Role.ANYONE, usage="绑定 <姓名> <手机后四位或手机号>")
def bind(ctx: Context) -> Reply:
    """把这个微信和党员名册里的你绑定"""
    return _bind(ctx)


def _about_binding(ctx: Context) -> bool:
    """Words about binding without the command word: from anyone, asking to bind
    ("我要绑定"); from a stranger, a name and a number ("陈强 0007", "我是陈强，尾号0007")
    or a number alone, or a name alone when we just asked for both (the other half comes
    next)."""
    said = ctx.reading.original if ctx.reading is not None else ctx.text
    if ctx.caller is not None:  # "我要绑定"; not a 心得 that mentions 绑定 in passing
        return len(ctx.text) <= _ASKING_TO_BIND_MAX and read_bind_words(said).asks_to_bind
    if looks_like_binding(said):
        return True
    # a name alone, just after we asked for name and number: the first half of it
    return name_alone(said) is not None and asked_to_bind_lately(ctx.session, ctx.openid,
                                                                  ctx.now)


@router.message("text", Role.ANYONE, when=_about_binding)
def bind_in_words(ctx: Context) -> Reply:
    """绑定 said without the command word: bind, or ask for what is missing."""
    return _bind(ctx)


def _bind(ctx: Context) -> Reply:
    """Read a name and a phone suffix in any dress; a format mistake is answered with
    what is missing and costs no try, only a name/number pair is tried."""
    read = read_bind_words(ctx.reading.original if ctx.reading is not None else ctx.text)
    caller = ctx.caller
    if caller is not None:  # bound already: to this name, or to someone else
        same = read.name is None or read.name == caller.name
        return (texts.BIND_ALREADY if same else texts.BIND_OPENID_TAKEN).format(
            name=caller.name, branch=caller.member.branch.name)
    if read.name is None:
        return texts.BIND_ASK_NAME if read.number_written else texts.BIND_ASK
    if read.suffix is None:
        return (texts.BIND_BAD_NUMBER if read.number_written
                else texts.BIND_ASK_NUMBER).format(name=read.name)
    result = bind_wechat(ctx.session, ctx.openid, read.name, read.suffix, ctx.now)
    ctx.forget_member()
    return bind_sentence(result, ctx.tz)


@router.command("解绑", Role.ADMIN, usage="解绑 <姓名>")
def unbind_member(ctx: Context) -> Reply:
    """党员换了手机：解除他原来的微信，让他用新微信重新绑定"""
    if len(ctx.args) != 1:
        return texts.UNBIND_USAGE
    member = find_member(ctx.session, ctx.me.member.branch_id,
                         ctx.reading.words[0] if ctx.reading else ctx.args[0])
    if not unbind_wechat(ctx.session, ctx.me.actor, member, ctx.outbox, ctx.now):
        return texts.UNBIND_NOT_BOUND.format(name=member.name)
    return texts.UNBIND_OK.format(name=member.name)

"""满意度: a member's answer to the satisfaction survey of their branch, in one message
("满意度" shows the questions; "满意度 112" answers them: 1 满意, 2 基本满意, 3 不满意)."""

from __future__ import annotations

from core import texts
from handlers.router import Context, Reply, Role, Router
from models.survey.actions import answer_survey, questions_of, surveys_for
from models.survey.tables import CHOICES, Choice

router = Router("survey")

WORDS = {name: Choice(value) for value, name in texts.SURVEY_CHOICE_NAMES.items()}


def read_choices(args: list[str]) -> list[Choice] | None:
    """The choices typed after the command: digits 1–3 (together or apart) or the words;
    None when something else is there."""
    found: list[Choice] = []
    for arg in args:
        if arg in WORDS:
            found.append(WORDS[arg])
            continue
        for char in arg:
            if char in "123":
                found.append(CHOICES[int(char) - 1])
            elif char not in texts.SURVEY_ANSWER_SEPARATORS:
                return None
    return found


@router.command("满意度", Role.MEMBER, usage="满意度 [答案]")
def survey(ctx: Context) -> Reply:
    """参加满意度测评（匿名，每人一次）"""
    member = ctx.me.member
    today = ctx.now.astimezone(ctx.tz).date()
    found = surveys_for(ctx.session, member, today)
    waiting = [s for s, answered in found if not answered]
    if not waiting:
        return texts.SURVEY_CHAT_DONE.format(title=found[-1][0].title) if found \
            else texts.SURVEY_CHAT_NONE
    current = waiting[0]
    questions = questions_of(ctx.session, current.id)
    choices = read_choices(ctx.args) if ctx.args else None
    if choices is None or len(choices) != len(questions):
        lines = "\n".join(texts.SURVEY_CHAT_QUESTION.format(number=q.position, text=q.text)
                          for q in questions)
        return texts.SURVEY_CHAT_ASK.format(
            title=current.title,
            closes=texts.SURVEY_DAY.format(month=current.closes_on.month,
                                           day=current.closes_on.day),
            questions=lines, example="1" * len(questions))
    answer_survey(ctx.session, ctx.me.actor, member, current, choices, ctx.now, ctx.tz)
    return texts.SURVEY_CHAT_THANKS

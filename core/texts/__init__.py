"""The message catalog: every user-facing sentence partybot says, one module per
feature, read as one namespace (`texts.MEETING_CREATED`).

Placeholders use str.format names. Keep replies short: they are read on old phones.
"""

from core.texts.api import *  # noqa: F403
from core.texts.assessment import *  # noqa: F403
from core.texts.cli import *  # noqa: F403
from core.texts.console import *  # noqa: F403
from core.texts.conversation import *  # noqa: F403
from core.texts.delivery import *  # noqa: F403
from core.texts.evaluation import *  # noqa: F403
from core.texts.general import *  # noqa: F403
from core.texts.joint import *  # noqa: F403
from core.texts.jssdk import *  # noqa: F403
from core.texts.meetings import *  # noqa: F403
from core.texts.members import *  # noqa: F403
from core.texts.pages import *  # noqa: F403
from core.texts.pairing import *  # noqa: F403
from core.texts.personal_data import *  # noqa: F403
from core.texts.rectification import *  # noqa: F403
from core.texts.reviews import *  # noqa: F403
from core.texts.study import *  # noqa: F403
from core.texts.survey import *  # noqa: F403

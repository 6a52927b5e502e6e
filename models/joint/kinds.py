"""Which kinds of a joint meeting (联过) count for the partner org's 三会一课 compliance.

A joint meeting is one meeting row of its host org with `joint_org_id` naming the
paired org. It always counts for the host (it is the host's meeting) and always shows in
both orgs' meeting lists and 台账; it counts for the *partner's* required meetings only
for the kinds below. The default follows the county scheme in the report: a 主题党日 or a
党课 held together is organizational life of both orgs; a 支委会 is one branch
committee's own business and never counts for the other org (nor does a 党员大会, a
党小组会 or a 组织生活会, which each org holds with its own members).

Change the set here (one module constant) when a county's scheme allows other kinds.
"""

from __future__ import annotations

from models.meetings.tables import MeetingKind

JOINT_COUNTED_KINDS: frozenset[str] = frozenset({
    MeetingKind.THEME_DAY.value,
    MeetingKind.PARTY_LECTURE.value,
})


def counts_for_partner(kind: str) -> bool:
    """Whether a joint meeting of this kind counts for the paired org's compliance."""
    return kind in JOINT_COUNTED_KINDS

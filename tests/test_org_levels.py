"""Where an org stands: county, township, village branch, county office, group."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from models.assessment.ratios import Ratio, Span
from models.members.org_levels import OrgLevel, level_of, levels_of
from models.members.orgs import add_org
from tests.factories import make_branch, make_township


def test_each_org_has_its_level(session) -> None:  # type: ignore[no-untyped-def]
    alone = make_township(session, "独立乡党委")
    alone_branch = make_branch(session, "独立村党支部", parent=alone)
    assert levels_of(session) == {alone.id: OrgLevel.TOWNSHIP, alone_branch.id: OrgLevel.BRANCH}
    county = add_org(session, "某县委", "committee")
    township = add_org(session, "红光乡党委", "committee", county)
    village = make_branch(session, parent=township)
    office = add_org(session, "县财政局机关党支部", "branch", county)
    group = add_org(session, "第一党小组", "group", village)
    levels = levels_of(session)
    assert levels[county.id] == OrgLevel.COUNTY
    assert levels[township.id] == OrgLevel.TOWNSHIP
    assert levels[village.id] == OrgLevel.BRANCH
    assert levels[office.id] == OrgLevel.OFFICE
    assert levels[group.id] == OrgLevel.GROUP
    assert level_of(session, 999_999) is None


def test_ratios_add_up_and_a_year_is_local() -> None:
    assert (Ratio(1, 4) + Ratio(2, 4)).share == 3 / 8
    assert Ratio(0, 0).share is None
    start, end = Span.year(2026).utc_bounds(ZoneInfo("Asia/Shanghai"))
    assert start == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 16, tzinfo=UTC)

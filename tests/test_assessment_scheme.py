"""The scheme file: what it reads into, every problem at once (naming the item and the
clause, in Chinese), the scales, and the README's complete example."""

from __future__ import annotations

import re

import pytest

from models.assessment.measures import MEASURES
from models.assessment.scheme import Scale, SchemeError, Source, parse_scheme
from models.members.org_levels import OrgLevel
from tests.assessment_support import README_WITH_SCHEME, SCHEME_FILE


def test_the_test_scheme_reads_into_items_and_clauses():
    scheme = parse_scheme(SCHEME_FILE.read_text("utf-8"), MEASURES)
    assert (scheme.year, scheme.name) == (2025, "测试县2025年度党建考核")
    assert [item.title for item in scheme.items] == ["组织生活", "阵地建设"]
    assert len(scheme.clauses) == 7 and scheme.points == 50
    meetings = scheme.clauses[0]
    assert meetings.key == "life.meetings" and meetings.source is Source.COMPUTED
    assert meetings.applies_to == {OrgLevel.TOWNSHIP, OrgLevel.BRANCH, OrgLevel.OFFICE}
    assert meetings.scale == Scale(thresholds=((0.9, 10.0), (0.6, 6.0)))
    assert scheme.rules.excellent_share_max == 0.25
    assert [c.key for c in scheme.clauses_for(OrgLevel.OFFICE)] == [
        "life.meetings", "life.attendance", "life.study", "base.reach", "base.self"]


def test_scales():
    steps = Scale(thresholds=((0.9, 10.0), (0.6, 6.0)))
    assert [steps.score(s, 10) for s in (1.0, 0.9, 0.89, 0.6, 0.59, 0.0)] == [10, 10, 6, 6, 0, 0]
    line = Scale(linear=(0.5, 1.0))
    assert [line.score(s, 10) for s in (0.4, 0.5, 0.75, 0.9, 1.0)] == [0, 0, 5, 8, 10]


BROKEN = """
year = 2025
name = "有问题的方案"
[rules]
excellent_share_max = 1.5
[[item]]
key = "a"
title = "班子建设"
[[item.clause]]
key = "a.1"
title = "零分"
points = 0
applies_to = ["branch", "village"]
source = "self_check"
[[item.clause]]
key = "a.1"
title = "重复的key"
points = 5
applies_to = ["branch"]
source = "computed"
measure = "no_such_measure"
thresholds = [[0.9, 8], [1.2, 2]]
[[item]]
key = "b"
title = "组织生活"
[[item.clause]]
key = "b.1"
title = "两种规则"
points = 4
applies_to = ["township"]
source = "survey"
measure = "attendance"
thresholds = [[0.9, 4]]
linear = [0.5, 1.0]
[[item.clause]]
key = "b.2"
title = "线性写反"
points = 4
applies_to = ["township"]
source = "computed"
measure = "attendance"
linear = [1.0, 0.5]
[[item.clause]]
key = "b.3"
title = "检查还写了指标"
points = 4
applies_to = ["office"]
source = "inspection"
measure = "attendance"
[[item.clause]]
key = "b.4"
title = "来源不对"
points = 3
applies_to = ["office"]
source = "guess"
"""


def test_every_problem_is_listed_at_once_with_its_item_and_clause():
    with pytest.raises(SchemeError) as caught:
        parse_scheme(BROKEN, MEASURES)
    found = [(p.item, p.clause, p.message) for p in caught.value.problems]
    assert ("[rules]", "", "rules.excellent_share_max 应在 0 到 1 之间") in found
    assert ("班子建设", "a.1", "points 应大于 0") in found
    assert any(p[:2] == ("班子建设", "a.1") and "village" in p[2] for p in found)
    assert any(p[:2] == ("班子建设", "a.1") and "重复" in p[2] for p in found)
    assert any("no_such_measure" in p[2] and "meetings_held" in p[2] for p in found)
    assert any("8 超出了本条的 5 分" in p[2] for p in found)
    assert any("1.2 应在 0 到 1 之间" in p[2] for p in found)
    assert ("组织生活", "b.1", "thresholds 和 linear 只能写一个") in found
    assert any(p[1] == "b.2" and "linear" in p[2] for p in found)
    assert any(p[1] == "b.3" and "不用写 measure" in p[2] for p in found)
    assert any(p[1] == "b.4" and "guess" in p[2] for p in found)
    assert len(found) >= 10


def test_structural_mistakes():
    with pytest.raises(SchemeError) as caught:
        parse_scheme("year = 1\n")
    messages = [p.message for p in caught.value.problems]
    assert "year 应是 2000–2100 之间的年份" in messages and "缺少「name」" in messages
    assert "方案里没有 [[item]]" in messages
    with pytest.raises(SchemeError) as caught:
        parse_scheme("year = [")
    assert caught.value.problems[0].message.startswith("不是有效的 TOML")


def readme_scheme() -> str:
    """The ```toml block of the README that holds a complete scheme."""
    text = README_WITH_SCHEME.read_text("utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    found = [block for block in blocks if "[[item.clause]]" in block]
    assert found, f"no complete scheme in a ```toml block of {README_WITH_SCHEME}"
    return found[0]


def test_the_readme_example_loads_as_it_is():
    from models.assessment.actions import check_scheme

    scheme = check_scheme(readme_scheme())
    assert len(scheme.items) == 7 and len(scheme.clauses) == 31 and scheme.points == 100
    assert {clause.source for clause in scheme.clauses} == set(Source)
    assert [item.title for item in scheme.items] == [
        "班子建设", "队伍建设", "组织生活", "阵地建设", "作用发挥", "党风廉政", "满意度测评"]
    assert scheme.measures() <= set(MEASURES)

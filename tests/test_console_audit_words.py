"""Issue 25, item 13: the audit page reads entries out in the console's words — field
names in Chinese, times in the local zone (Asia/Shanghai), coded values as the names
used elsewhere, members by name — while the stored entries stay as the actions wrote
them; a field or value nobody named is shown as it is, never a crash."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy import select

from core import words
from models.actors import Actor
from models.console.audit import AuditEntry, record_change
from models.console.audit_display import describe
from models.meetings.tables import Meeting
from tests.test_console_meetings import create, local_form, logged_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODE_WORDS = re.compile(r"\b(kind|starts_at|ends_at|status|planned|cancelled|held|"
                        r"branch_assembly|committee_meeting|recorder_id|\+00:00)\b|[a-z_]+=")


def changes_cell(page: str) -> list[str]:
    """The text of every 改动 cell, tags stripped."""
    cells = re.findall(r'<td class="changes">(.*?)</td>', page, flags=re.S)
    return [re.sub(r"<[^>]+>", "", cell) for cell in cells]


def test_a_cancelled_meeting_reads_in_words_at_local_time(app, county, clock, session):
    browser = logged_in(app, "liaoyuan")
    assert create(browser, county["liaoyuan"], local_form(clock, app, hours=30)).status_code \
        == 302
    meeting = session.scalars(select(Meeting)).one()
    browser.post(f"/admin/meeting/{meeting.id}/cancel", data={"csrf_token": browser.token})
    page = logged_in(app, "east-it").get("/admin/audit").get_data(as_text=True)
    cells = changes_cell(page)
    assert not any(CODE_WORDS.search(cell) for cell in cells), cells
    cancel, made = cells[0], cells[1]  # newest first
    assert "状态：待召开 → 已取消" in cancel
    assert "开始时间" not in cancel  # what did not change is not repeated
    local_start = meeting.starts_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert f"类型：{words.MEETING_KIND_NAMES['branch_assembly']}" in made
    assert f"开始时间：{local_start}" in made and "地点：村委会" in made
    session.rollback()  # stored as the action wrote it
    stored = session.scalars(select(AuditEntry).where(AuditEntry.action == "meeting.cancel")
                             ).one()
    assert stored.before["status"] == "planned" and stored.after["status"] == "cancelled"


def test_the_issues_example_and_others_of_its_kind(app, county, session, clock):
    """kind=branch_assembly；starts_at=…+00:00；status=planned, and more of the same: a
    moved meeting, a recorder by id, attendance, a study item's push time, 心得, a
    roster import, an org's kind."""
    now = clock()
    made = [
        ("meeting.create", None,
         {"kind": "branch_assembly", "starts_at": "2026-12-16T18:00:00+00:00",
          "status": "planned", "place": "村委会"}),
        ("meeting.change",
         {"kind": "committee_meeting", "starts_at": "2026-12-16T18:00:00+00:00",
          "ends_at": "2026-12-16T19:30:00+00:00", "place": "村委会"},
         {"kind": "committee_meeting", "starts_at": "2026-12-17T06:00:00+00:00",
          "ends_at": "2026-12-17T07:30:00+00:00", "place": "村委会"}),
        ("meeting.record", {"minutes": None, "recorder_id": None},
         {"minutes": "学习了党章", "recorder_id": county["secretary"]}),
        ("attendance.check_in", None, {"member": "张明", "status": "present",
                                       "method": "helper"}),
        ("study.push", None, {"push_at": "2026-12-05T01:30:00.123456+00:00"}),
        ("study.feedback", None, {"kind": "voice", "pieces": 2}),
        ("org.create", None, {"name": "新建村", "kind": "党支部", "parent": "东乡党委"}),
        ("roster.import", None, {"added": 3, "changed": 1, "removed": 0}),
    ]
    for action, before, after in made:
        record_change(session, Actor.cli(), org_id=county["liaoyuan"], action=action,
                      target=action, now=now, before=before, after=after)
    session.commit()
    page = logged_in(app, "east-it").get("/admin/audit").get_data(as_text=True)
    text = "\n".join(changes_cell(page))
    assert not CODE_WORDS.search(text), CODE_WORDS.search(text)
    for shown in ("类型：支部党员大会", "开始时间：2026-12-17 02:00", "状态：待召开",
                  "开始时间：2026-12-17 02:00 → 2026-12-17 14:00",
                  "结束时间：2026-12-17 03:30 → 2026-12-17 15:30",
                  "记录人：（空） → 李书记", "会议纪要：（空） → 学习了党章",
                  "党员：张明", "状态：出席", "方式：帮扶人代签",
                  "推送时间：2026-12-05 09:30", "类型：语音", "份数：2",
                  "名称：新建村", "类型：党支部", "上级组织：东乡党委", "新增：3"):
        assert shown in text, shown
    assert "地点：村委会 → 村委会" not in text


def test_unknown_fields_and_odd_values_fall_back_to_what_was_stored(app, county, session,
                                                                    clock):
    odd = [
        (None, {"future_field": "something", "flag": True, "names": ["甲", "乙"],
                "nested": {"place": "礼堂", "starts_at": "2026-01-01T00:00:00Z"},
                "when": "2026-13-45T99:99:00+00:00", "status": "someday", "kind": 7,
                "recorder_id": 987654, "bytes": 204800, "long": "长" * 300}),
        ({"a": 1}, {"a": 1}),  # nothing differs: shown as kept
        (None, None),
    ]
    for before, after in odd:
        record_change(session, Actor.cli(), org_id=county["liaoyuan"], action="new.thing",
                      target="试验", now=clock(), before=before, after=after)
    session.commit()
    answer = logged_in(app, "east-it").get("/admin/audit")
    assert answer.status_code == 200
    text = "\n".join(changes_cell(answer.get_data(as_text=True)))
    for shown in ("future_field：something", "flag：是", "names：甲、乙",
                  "nested：地点：礼堂；开始时间：2026-01-01 08:00",
                  "when：2026-13-45T99:99:00+00:00", "状态：someday", "类型：7",
                  "记录人：#987654", "大小：200 KB", "a：1 → 1"):
        assert shown in text, shown
    assert "长" * 120 + "…" in text and "长" * 121 not in text


def test_describe_reads_a_removed_org_and_a_plain_entry():
    removed = AuditEntry(action="org.remove", before={"name": "新建村", "kind": "党支部"},
                         after=None, at=datetime(2026, 1, 1, tzinfo=UTC))
    assert [(c.label, c.before, c.after) for c in describe(removed, SHANGHAI)] == [
        ("名称", "新建村", None), ("类型", "党支部", None)]
    dropped = AuditEntry(action="x", before={"place": "礼堂", "topic": "党章"},
                         after={"place": "会议室"})
    assert [(c.label, c.before, c.after) for c in describe(dropped, SHANGHAI)] == [
        ("地点", "礼堂", "会议室"), ("主题", "党章", "（已删除）")]
    assert describe(AuditEntry(action="x", before=["not", "a", "dict"], after="text"),
                    SHANGHAI) == []


def test_times_follow_the_configured_zone(app, county, session, clock):
    record_change(session, Actor.cli(), org_id=county["liaoyuan"], action="meeting.create",
                  target="夜里的会", now=clock(),
                  after={"starts_at": (datetime(2026, 12, 16, 18, tzinfo=UTC)
                                       + timedelta(0)).isoformat()})
    session.commit()
    text = "\n".join(changes_cell(logged_in(app, "east-it").get("/admin/audit")
                                  .get_data(as_text=True)))
    assert "开始时间：2026-12-17 02:00" in text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=40) | st.sampled_from(["planned", "branch_assembly", "voice",
                                              "2026-12-16T18:00:00+00:00", "9999-99-99T99:99"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)
FIELDS = st.sampled_from([*words.AUDIT_FIELD_NAMES, "future", ""]) | st.text(max_size=12)


@examples(max_examples=200, deadline=None)
@given(before=st.none() | st.dictionaries(FIELDS, JSON, max_size=5) | JSON,
       after=st.none() | st.dictionaries(FIELDS, JSON, max_size=5) | JSON)
def test_any_stored_entry_is_read_without_a_crash(before, after):
    for change in describe(AuditEntry(action="x", before=before, after=after), SHANGHAI,
                           {1: "李书记"}):
        assert isinstance(change.label, str)
        assert all(isinstance(side, str) for side in (change.before, change.after)
                   if side is not None)

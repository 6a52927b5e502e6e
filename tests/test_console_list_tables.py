"""Issue 25, item 14 (the server's half; tests/test_console_phone_cards.py shows it in
Chromium at 390 px): every list table on a console page has a header cell for each
column — console.js labels the cells from them, and the base layout turns the labelled
rows into cards on phones — and the state column is marked to come first."""

from __future__ import annotations

import re
from datetime import timedelta

from models.actors import Actor
from models.console.audit import record_change
from models.meetings.tables import MeetingStatus
from models.members.org_tables import Org
from tests.factories import make_meeting
from tests.test_console_meetings import logged_in


def tables_of(page: str) -> list[str]:
    return re.findall(r"<table.*?</table>", page, flags=re.S)


def test_every_list_table_can_become_cards(app, county, session, clock):
    meeting = make_meeting(session, session.get(Org, county["liaoyuan"]),
                           clock() + timedelta(days=2), topic="学习党章")
    meeting.status = MeetingStatus.CANCELLED
    record_change(session, Actor.cli(), org_id=county["liaoyuan"], action="meeting.cancel",
                  target="支部党员大会", now=clock(), before={"status": "planned"},
                  after={"status": "cancelled"})
    session.commit()
    east = logged_in(app, "east-it")
    branch = county["liaoyuan"]
    pages = {f"/admin/branch/{branch}/meetings": "状态", f"/admin/meeting/{meeting.id}": "情况",
             f"/admin/branch/{branch}": None, f"/admin/branch/{branch}/pairs": None,
             "/admin/audit": "操作", "/admin/": None, f"/admin/org/{branch}/study": None}
    for path, first in pages.items():
        page = east.get(path).get_data(as_text=True)
        assert "console.js" in page and "table.cards" in page, path
        for table in tables_of(page):
            heads = re.findall(r"<th[ >]", table)
            assert heads, (path, table[:200])
            for row in re.findall(r"<tbody>(.*?)</tbody>", table, flags=re.S):
                for cells in re.findall(r"<tr>(.*?)</tr>", row, flags=re.S):
                    assert len(re.findall(r"<td[ >]", cells)) <= len(heads), path
        if first:
            assert f"<th data-first>{first}</th>" in page, path
    listing = east.get(f"/admin/branch/{branch}/meetings").get_data(as_text=True)
    assert "已取消" in listing


def test_the_script_labels_cells_and_keeps_printed_sheets(app):
    script = app.test_client().get("/admin/static/console.js").get_data(as_text=True)
    assert "data-label" in script and "data-first" in script and "data-keep-table" in script
    assert "card-first" in script and "MutationObserver" in script  # live lists too

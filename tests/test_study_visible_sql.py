"""The items a branch sees are asked for in a form each database plans well: PostgreSQL
took `IN (<recursive CTE>)` for 101 rows and scanned every study item of the county
(benchmarks/member_screen.py: 47-100 ms a query); `= ANY(ARRAY(<CTE>))` reads the branch's
few orgs through their index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite

from models.study.queries import _LIST, NEWEST, UNREAD, visible_items


def test_postgresql_reads_the_ancestors_as_an_array() -> None:
    for statement in (NEWEST, UNREAD, _LIST, visible_items(1, datetime(2026, 1, 1))):
        sql = str(statement.compile(dialect=postgresql.dialect()))
        assert "study_item.org_id = ANY(ARRAY(SELECT chain.id" in sql
        assert " IN (SELECT chain.id" not in sql


def test_sqlite_keeps_in_and_no_boolean_comparison() -> None:
    for statement in (NEWEST, UNREAD, _LIST):
        sql = str(statement.compile(dialect=sqlite.dialect()))
        assert "study_item.org_id IN (SELECT chain.id \nFROM chain) AND" in sql


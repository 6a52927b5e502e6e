"""Relationships instead of session.get (issue 24 item 7): the objects a row points at
are followed from the row, read-only, without a query when they are already loaded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from models.actors import Actor
from models.db.base import Base
from models.meetings.tables import Meeting
from models.members.actions import move_org
from models.members.org_tables import Org, OrgAdmin
from models.members.orgs import make_org_admin
from models.pairing.actions import apply_suggestion, reject_suggestion
from models.pairing.matching import PairSuggestion
from models.pairing.queries import helper_of
from models.questions.tables import Question
from tests.factories import make_branch, make_meeting, make_member, make_township

NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)

# (class, relationship) → the foreign-key column it follows.
FOLLOWS = {
    (Org, "parent"): "parent_id",
    (OrgAdmin, "org"): "org_id", (OrgAdmin, "member"): "member_id",
    (Meeting, "org"): "org_id", (Meeting, "host"): "host_id",
    (Meeting, "recorder"): "recorder_id", (Meeting, "lecturer"): "lecturer_id",
    (Meeting, "creator"): "created_by",
    (Question, "member"): "member_id", (Question, "branch"): "branch_id",
    (Question, "answerer"): "answered_by",
    (PairSuggestion, "helper"): "helper_id", (PairSuggestion, "member"): "member_id",
}


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session's connection runs inside the block."""
    seen: list[str] = []
    engine = session.get_bind()

    def remember(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def test_every_new_relationship_follows_its_column_and_writes_nothing():
    for (cls, name), column in FOLLOWS.items():
        relationship = inspect(cls).relationships[name]
        assert [c.name for c in relationship.local_columns] == [column], (cls, name)
        assert relationship.viewonly, (cls, name)  # the ids are what the actions write


def test_relationships_add_no_columns():
    """The models and the migrations agree (test_migrations); a relationship is no column."""
    for mapper in Base.registry.mappers:
        columns = {c.key for c in mapper.columns}
        assert not columns & set(mapper.relationships.keys()), mapper.class_


def test_following_a_loaded_object_asks_the_database_nothing(session):
    township = make_township(session)
    branch = make_branch(session, parent=township)
    secretary = make_member(session, branch, "李书记", is_admin=True)
    meeting = make_meeting(session, branch, NOW + timedelta(days=1), host_id=secretary.id)
    session.commit()
    # Loaded (refreshed after the commit) before following anything: in the identity map.
    loaded = [session.get(Meeting, meeting.id), session.get(Org, branch.id),
              session.get(Org, township.id), session.get(type(secretary), secretary.id)]
    assert all(loaded)
    with statements(session) as seen:
        assert meeting.org is branch and meeting.org.parent is township
        assert meeting.host is secretary and meeting.host.name == "李书记"
        assert meeting.recorder is None and meeting.lecturer is None
    assert seen == []


def test_moving_an_org_shows_its_new_parent_at_once(session):
    east, west = make_township(session, "东乡党委"), make_township(session, "西乡党委")
    branch = make_branch(session, parent=east)
    session.commit()
    assert branch.parent is east
    old = move_org(session, Actor.cli(), branch, west, NOW)
    assert old is east
    assert branch.parent is west  # not the parent read before the move
    session.commit()
    session.expire_all()
    assert session.get(Org, branch.id).parent.name == "西乡党委"  # type: ignore[union-attr]


def test_an_org_admin_row_leads_to_its_org_and_member(session):
    township = make_township(session)
    staff = make_member(session, make_branch(session, parent=township), "王干事")
    make_org_admin(session, township, staff.id)
    session.commit()
    admin = session.scalars(select(OrgAdmin)).one()
    assert (admin.org, admin.member) == (township, staff)


def test_a_suggestion_leads_to_its_pair_and_using_it_leaves_the_members(session):
    branch = make_branch(session)
    helper = make_member(session, branch, "赵帮", openid="o-zhao", is_helper=True)
    member, other = make_member(session, branch, "孙老"), make_member(session, branch, "周老")
    session.add_all([PairSuggestion(member_id=member.id, helper_id=helper.id, reason="同组",
                                    created_at=NOW),
                     PairSuggestion(member_id=other.id, helper_id=helper.id, reason="同组",
                                    created_at=NOW)])
    session.commit()
    pair = apply_suggestion(session, Actor.cli(), member.id, NOW, default_capacity=3)
    assert (pair.helper, pair.member) == (helper, member)
    reject_suggestion(session, Actor.cli(), other.id, NOW)
    session.commit()
    assert session.scalars(select(PairSuggestion)).all() == []
    assert helper_of(session, member.id) is helper
    assert helper_of(session, other.id) is None
    assert session.get(type(member), other.id) is other  # a read-only side deletes nothing

"""Issue 25, item 16: the console's new-org form asks for the kind (suggested from the
name, never silently a 党委), and an empty org can be removed — audited, its history
kept under its parent; a non-empty one is refused with what it still holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.actors import Actor
from models.console.audit import AuditEntry
from models.members import actions
from models.members.org_tables import Org, OrgKind
from models.members.org_tree import OrgTreeError, suggest_kind
from tests.factories import make_member
from tests.test_console_meetings import create, local_form, logged_in


@pytest.mark.parametrize(("name", "kind"), [
    # the place a name is after
    ("新建村", OrgKind.BRANCH), ("辽原村", OrgKind.BRANCH), ("幸福社区", OrgKind.BRANCH),
    ("东街居委会", OrgKind.BRANCH), ("红星合作社", OrgKind.BRANCH),
    ("城关镇", OrgKind.COMMITTEE), ("红光乡", OrgKind.COMMITTEE),
    ("北关街道", OrgKind.COMMITTEE), ("嘉荫县", OrgKind.COMMITTEE),
    # the kind a name states wins over the place in it
    ("辽原村党支部", OrgKind.BRANCH), ("城关镇党委", OrgKind.COMMITTEE),
    ("辽原村党总支", OrgKind.GENERAL_BRANCH), ("第一党小组", OrgKind.GROUP),
    (" 新建 村 ", OrgKind.BRANCH),
    # nothing to go by
    ("新建", None), ("阳光", None), ("", None),
])
def test_the_kind_suggested_by_a_name(name, kind):
    assert suggest_kind(name) == kind


def test_a_name_that_does_not_say_its_kind_is_asked_about_not_made_a_committee(
        app, session, county):
    east = session.get(Org, county["liaoyuan"]).parent_id
    browser = logged_in(app, "east-it")
    form = browser.get("/admin/orgs").get_data(as_text=True)
    assert 'name="kind" required' in form and "按名称判断" not in form
    for name, suggested in (("新建村", "branch"), ("幸福社区", "branch"), ("新区", None)):
        answer = browser.post("/admin/orgs", data={"name": name, "parent": east, "kind": "",
                                                   "csrf_token": browser.token})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400, name
        assert f"请选择「{name}」的类型" in page
        if suggested:  # the form comes back with the suggestion chosen
            assert f'<option value="{suggested}" selected>' in page
        assert session.scalars(select(Org).where(Org.name == name)).first() is None
    made = browser.post("/admin/orgs", data={"name": "新建村", "parent": east,
                                             "kind": "branch", "csrf_token": browser.token})
    assert made.status_code == 302
    session.rollback()
    org = session.scalars(select(Org).where(Org.name == "新建村")).one()
    assert org.kind == OrgKind.BRANCH
    # a name that states its kind needs no choice (the CLI and old forms send none)
    stated = browser.post("/admin/orgs", data={"name": "河口村党支部", "parent": east,
                                               "csrf_token": browser.token})
    assert stated.status_code == 302


def test_an_empty_org_is_removed_and_its_history_kept_under_the_parent(
        app, session, county):
    east = session.get(Org, county["liaoyuan"]).parent_id
    browser = logged_in(app, "east-it")
    browser.post("/admin/orgs", data={"name": "新建村", "parent": east, "kind": "branch",
                                      "csrf_token": browser.token})
    session.rollback()
    org_id = session.scalars(select(Org.id).where(Org.name == "新建村")).one()
    page = browser.get(f"/admin/org/{org_id}").get_data(as_text=True)
    assert "删除这个组织" in page
    gone = browser.post(f"/admin/org/{org_id}/remove", data={"csrf_token": browser.token})
    assert gone.status_code == 302
    assert "已删除「新建村」" in browser.get("/admin/orgs").get_data(as_text=True)
    session.rollback()
    assert session.get(Org, org_id) is None
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.org_id) for e in entries] == [("org.create", east),
                                                       ("org.remove", east)]
    assert entries[-1].before == {"name": "新建村", "kind": "党支部", "parent": "东乡党委"}
    log = browser.get("/admin/audit").get_data(as_text=True)
    assert "删除组织" in log and "新建村" in log


def test_an_org_that_holds_anything_is_refused_with_the_reason(app, session, county, clock):
    liaoyuan = session.get(Org, county["liaoyuan"])
    browser = logged_in(app, "east-it")
    page = browser.get(f"/admin/org/{liaoyuan.id}").get_data(as_text=True)
    assert "删除这个组织" not in page and "下面还有下级组织、党员" in page
    refused = browser.post(f"/admin/org/{liaoyuan.id}/remove",
                           data={"csrf_token": browser.token})
    assert refused.status_code == 400
    assert "「辽原村党支部」不能删除：下面还有下级组织、党员" in refused.get_data(as_text=True)
    # a branch with only a meeting, and one with only a member
    browser.post("/admin/orgs", data={"name": "会议村", "parent": liaoyuan.parent_id,
                                      "kind": "branch", "csrf_token": browser.token})
    browser.post("/admin/orgs", data={"name": "人员村", "parent": liaoyuan.parent_id,
                                      "kind": "branch", "csrf_token": browser.token})
    session.rollback()
    meeting_org = session.scalars(select(Org).where(Org.name == "会议村")).one()
    member_org = session.scalars(select(Org).where(Org.name == "人员村")).one()
    make_member(session, member_org, "孙人员", "13800000099")
    session.commit()
    assert create(browser, meeting_org.id, local_form(clock, app)).status_code == 302
    for org, reason in ((meeting_org, "会议"), (member_org, "党员")):
        answer = browser.post(f"/admin/org/{org.id}/remove", data={"csrf_token": browser.token})
        assert answer.status_code == 400
        assert f"下面还有{reason}" in answer.get_data(as_text=True)
    session.rollback()
    assert session.get(Org, meeting_org.id) is not None
    # the account's own org and the top of the tree stay
    own = browser.post(f"/admin/org/{liaoyuan.parent_id}/remove",
                       data={"csrf_token": browser.token})
    assert own.status_code == 403 and "不能删除自己所在的组织" in own.get_data(as_text=True)
    with pytest.raises(OrgTreeError, match="最上层"):
        actions.remove_org(session, Actor.cli(), session.get(Org, liaoyuan.parent_id),
                           clock() + timedelta(minutes=1))


def test_a_secretary_cannot_remove_orgs(app, county):
    secretary = logged_in(app, "liaoyuan")
    answer = secretary.post(f"/admin/org/{county['group']}/remove",
                            data={"csrf_token": secretary.token})
    assert answer.status_code == 403

"""The org tree: a county sets up its own tree — `partybot org add`, the roster's
上级党组织 column (created when missing, under --parent), and the rules both share
(what may sit under what, no two siblings with one name, no org moved into itself)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from bot.roster.importing import RosterRejected, import_roster
from models.members.org_tables import Org, OrgKind
from models.members.org_tree import (
    OrgTreeError,
    create_org,
    kind_from_name,
    move_org,
    rename_org,
    tree_below,
)
from tests.conftest import CONSOLE_PASSWORD
from tests.factories import make_member
from tests.test_console_meetings import logged_in
from tests.test_roster import HEADER, write_csv


@pytest.mark.parametrize(("name", "kind"), [
    ("红光乡党委", OrgKind.COMMITTEE), ("城关镇机关工委", OrgKind.COMMITTEE),
    ("辽原村党总支", OrgKind.GENERAL_BRANCH), ("辽原村党总支部", OrgKind.GENERAL_BRANCH),
    ("辽原村党支部", OrgKind.BRANCH), ("第一党小组", OrgKind.GROUP),
    ("某某县委组织部", OrgKind.COMMITTEE),
])
def test_the_kind_is_read_from_the_name(name, kind):
    assert kind_from_name(name) == kind


def test_what_may_sit_under_what(session):
    county = create_org(session, "某县县委", None)
    township = create_org(session, "红光乡党委", county)
    general = create_org(session, "辽原村党总支", township)
    branch = create_org(session, " 辽原村 第一党支部 ", general)
    assert branch.name == "辽原村第一党支部" and branch.parent_id == general.id
    group = create_org(session, "第一党小组", branch)
    with pytest.raises(OrgTreeError, match="党支部不能放在「第一党小组」下"):
        create_org(session, "新党支部", group)
    with pytest.raises(OrgTreeError, match="党小组不能放在「红光乡党委」下"):
        create_org(session, "第二党小组", township)
    with pytest.raises(OrgTreeError, match="党委不能放在「辽原村党总支」下"):
        create_org(session, "另一个党委", general)
    with pytest.raises(OrgTreeError, match="已经有叫「辽原村党总支」"):
        create_org(session, "辽原村党总支", township)
    with pytest.raises(OrgTreeError, match="不能为空"):
        create_org(session, "  ", township)
    with pytest.raises(OrgTreeError, match="最多 100 个字"):
        create_org(session, "长" * 101, township)
    # the same name under another parent is fine (two townships both have 第一党支部)
    other = create_org(session, "西河乡党委", county)
    assert create_org(session, "辽原村党总支", other).parent_id == other.id


def test_rename_and_move_keep_the_rules(session):
    county = create_org(session, "某县县委", None)
    east = create_org(session, "东乡党委", county)
    west = create_org(session, "西乡党委", county)
    branch = create_org(session, "辽原村党支部", east)
    create_org(session, "辽原村党支部", west)
    assert rename_org(session, branch, "辽源村党支部") == "辽原村党支部"
    assert branch.name == "辽源村党支部"
    with pytest.raises(OrgTreeError, match="已经有叫「辽原村党支部」"):
        move_org(session, create_org(session, "辽原村党支部", county), west)
    assert move_org(session, branch, west).id == east.id
    assert branch.parent_id == west.id
    with pytest.raises(OrgTreeError, match="不能把「东乡党委」移到它自己下面"):
        move_org(session, east, create_org(session, "东乡机关党委", east))
    with pytest.raises(OrgTreeError, match="不能把「某县县委」移到它自己下面"):
        move_org(session, county, county)
    assert move_org(session, east, None).id == county.id and east.parent_id is None


def test_the_tree_counts_members_below_each_org(session):
    county = create_org(session, "某县县委", None)
    township = create_org(session, "红光乡党委", county)
    a = create_org(session, "甲村党支部", township)
    b = create_org(session, "乙村党支部", township)
    group = create_org(session, "第一党小组", a)
    for i in range(3):
        make_member(session, a, f"甲{i}", f"1380000000{i}", group_id=group.id if i else None)
    make_member(session, b, "乙", "13800000009")
    nodes = tree_below(session, county.id)
    assert [(n.name, n.depth, n.members) for n in nodes] == [
        ("某县县委", 0, 4), ("红光乡党委", 1, 4), ("乙村党支部", 2, 1), ("甲村党支部", 2, 3)]
    assert [(n.name, n.members) for n in tree_below(session, a.id, groups=True)] == [
        ("甲村党支部", 3), ("第一党小组", 2)]


def test_cli_org_add_and_tree(settings, session, monkeypatch, tmp_path):
    monkeypatch.setenv("PARTYBOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PARTYBOT_INSTANCE_PATH", str(tmp_path / "inst"))
    runner = CliRunner()
    result = runner.invoke(main, ["org", "add", "某县县委"])
    assert result.exit_code == 0, result.output
    assert "已新建党委「某县县委」，隶属：最上层" in result.output
    result = runner.invoke(main, ["org", "add", "红光乡党委", "--parent", "某县县委"])
    assert "隶属：某县县委" in result.output
    result = runner.invoke(main, ["org", "add", "辽原村党支部", "--parent", "红光乡党委"])
    assert "已新建党支部「辽原村党支部」" in result.output
    result = runner.invoke(main, ["org", "add", "机关", "--parent", "红光乡党委",
                                  "--kind", "branch"])
    assert "已新建党支部「机关」" in result.output
    again = runner.invoke(main, ["org", "add", "辽原村党支部", "--parent", "红光乡党委"])
    assert again.exit_code == 1 and "已经有叫「辽原村党支部」的组织" in again.output
    # issue 25 item 16: a name that says nothing of its kind is asked about, not guessed
    unstated = runner.invoke(main, ["org", "add", "新建村", "--parent", "红光乡党委"])
    assert unstated.exit_code == 1 and "请选择「新建村」的类型" in unstated.output
    missing = runner.invoke(main, ["org", "add", "新村党支部", "--parent", "不存在"])
    assert missing.exit_code == 1 and "找不到组织「不存在」" in missing.output
    tree = runner.invoke(main, ["org", "tree"])
    assert tree.exit_code == 0, tree.output
    assert tree.output.splitlines() == [
        "某县县委（党委，0 名党员）", "  红光乡党委（党委，0 名党员）",
        "    机关（党支部，0 名党员）", "    辽原村党支部（党支部，0 名党员）"]


COMMITTEE_HEADER = [*HEADER, "上级党组织"]


def rows_with(*committees: str) -> list[list[str]]:
    branches = ["辽原村党支部", "红光村党支部", "新村党支部"]
    return [[f"党员{i}", branches[i], "", f"1380000001{i}", "", "", "", committee]
            for i, committee in enumerate(committees)]


def parents(session) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    session.rollback()
    names = {org.id: org.name for org in session.scalars(select(Org))}
    return {org.name: names.get(org.parent_id) for org in session.scalars(select(Org))}


def test_the_roster_places_branches_under_their_committee(session, tmp_path):
    county = Org(name="某县县委", kind=OrgKind.COMMITTEE)
    session.add(county)
    session.commit()
    path = write_csv(tmp_path / "r.csv", rows_with("红光乡党委", "红光乡党委", "东河镇党委"),
                     header=COMMITTEE_HEADER)
    report = import_roster(session.get_bind(), path, parent_name="某县县委")
    assert report.orgs_created == ["红光乡党委", "东河镇党委", "辽原村党支部", "红光村党支部",
                                   "新村党支部"]
    assert parents(session) == {"某县县委": None, "红光乡党委": "某县县委",
                                "东河镇党委": "某县县委", "辽原村党支部": "红光乡党委",
                                "红光村党支部": "红光乡党委", "新村党支部": "东河镇党委"}
    again = import_roster(session.get_bind(), path, parent_name="某县县委")
    assert (again.orgs_created, again.orgs_moved, again.unchanged) == ([], [], 3)


def test_the_roster_moves_an_existing_branch_and_says_so(session, tmp_path):
    import_roster(session.get_bind(), write_csv(tmp_path / "old.csv", rows_with("", "", "")),
                  )
    path = write_csv(tmp_path / "r.csv", rows_with("红光乡党委", "", "东河镇党总支"),
                     header=COMMITTEE_HEADER)
    report = import_roster(session.get_bind(), path)
    assert report.unchanged == 3  # no member changed, yet two branches moved
    assert report.orgs_moved == ["「辽原村党支部」从「最上层」移到「红光乡党委」下",
                                 "「新村党支部」从「最上层」移到「东河镇党总支」下"]
    tree = parents(session)
    assert tree["辽原村党支部"] == "红光乡党委" and tree["红光村党支部"] is None
    assert tree["新村党支部"] == "东河镇党总支"
    kinds = {org.name: org.kind for org in session.scalars(select(Org))}
    assert kinds["东河镇党总支"] == OrgKind.GENERAL_BRANCH


def test_roster_committee_problems_name_their_line(session, tmp_path):
    rows = rows_with("红光乡党委", "红光村党支部", "东河镇党委")
    rows.append(["党员9", "辽原村党支部", "", "13800000019", "", "", "", "西河乡党委"])
    with pytest.raises(RosterRejected) as rejected:
        import_roster(session.get_bind(), write_csv(tmp_path / "r.csv", rows,
                                                    header=COMMITTEE_HEADER))
    messages = [str(p) for p in rejected.value.problems]
    assert messages == [
        "第 3 行：上级党组织「红光村党支部」应是党委或党总支，不能是党支部或党小组",
        "第 5 行：「辽原村党支部」的上级党组织第 2 行写的是「红光乡党委」，这里是「西河乡党委」"]
    assert session.scalars(select(Org)).all() == []


def test_an_ambiguous_committee_is_refused(session, tmp_path):
    for parent in ("东乡", "西乡"):
        top = Org(name=parent, kind=OrgKind.COMMITTEE)
        session.add(top)
        session.flush()
        session.add(Org(name="机关党委", kind=OrgKind.COMMITTEE, parent_id=top.id))
    session.commit()
    with pytest.raises(RosterRejected) as rejected:
        import_roster(session.get_bind(), write_csv(tmp_path / "r.csv", rows_with("机关党委"),
                                                    header=COMMITTEE_HEADER))
    assert "有 2 个叫「机关党委」的党委或党总支" in str(rejected.value.problems[0])


# --- the console's 组织架构 page -------------------------------------------------------



@pytest.fixture
def county_tree(session, clock):  # type: ignore[no-untyped-def]
    from models.console.accounts import add_console_user

    county = create_org(session, "某县县委", None)
    east = create_org(session, "东乡党委", county)
    west = create_org(session, "西乡党委", county)
    liaoyuan = create_org(session, "辽原村党支部", east)
    far = create_org(session, "远山村党支部", west)
    group = create_org(session, "第一党小组", liaoyuan)
    secretary = make_member(session, liaoyuan, "李书记", "13800000001", is_admin=True)
    make_member(session, far, "赵远", "13800000004")
    add_console_user(session, "county-it", CONSOLE_PASSWORD, county, None, clock())
    add_console_user(session, "east-it", CONSOLE_PASSWORD, east, None, clock())
    add_console_user(session, "liaoyuan", CONSOLE_PASSWORD, liaoyuan, secretary, clock())
    session.commit()
    return {"county": county.id, "east": east.id, "west": west.id, "liaoyuan": liaoyuan.id,
            "far": far.id, "group": group.id}


def test_county_staff_add_rename_and_move_orgs_with_an_audit_trail(app, session, county_tree):
    from models.console.audit import AuditEntry

    browser = logged_in(app, "county-it")
    page = browser.get("/admin/orgs").get_data(as_text=True)
    assert "某县县委" in page and "远山村党支部" in page and "1 名党员" in page
    assert "第一党小组" not in page  # groups only on their branch's page
    answer = browser.post("/admin/orgs", data={
        "name": "新村党支部", "parent": county_tree["east"], "kind": "",
        "csrf_token": browser.token})
    assert answer.status_code == 302
    made = session.scalars(select(Org).where(Org.name == "新村党支部")).one()
    assert made.kind == OrgKind.BRANCH and made.parent_id == county_tree["east"]
    assert "已在「东乡党委」下新建党支部「新村党支部」" in browser.get(
        "/admin/orgs").get_data(as_text=True)
    taken = browser.post("/admin/orgs", data={
        "name": "新村党支部", "parent": county_tree["east"], "csrf_token": browser.token})
    assert taken.status_code == 400
    assert "「东乡党委」下已经有叫「新村党支部」的组织" in taken.get_data(as_text=True)
    renamed = browser.post(f"/admin/org/{made.id}/rename",
                           data={"name": "新民村党支部", "csrf_token": browser.token})
    assert renamed.status_code == 302
    moved = browser.post(f"/admin/org/{made.id}/move",
                         data={"parent": county_tree["west"], "csrf_token": browser.token})
    assert moved.status_code == 302
    page = browser.get(f"/admin/org/{made.id}").get_data(as_text=True)
    assert "已把「新民村党支部」移到「西乡党委」下" in page
    into_itself = browser.post(f"/admin/org/{county_tree['east']}/move",
                               data={"parent": county_tree["liaoyuan"],
                                     "csrf_token": browser.token})
    assert into_itself.status_code == 400 and "不能把「东乡党委」移到它自己下面" in \
        into_itself.get_data(as_text=True)
    session.rollback()
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.before, e.after) for e in entries] == [
        ("org.create", None, {"name": "新村党支部", "kind": "党支部", "parent": "东乡党委"}),
        ("org.rename", {"name": "新村党支部"}, {"name": "新民村党支部"}),
        ("org.move", {"parent": "东乡党委"}, {"parent": "西乡党委"})]
    log = browser.get("/admin/audit").get_data(as_text=True)
    assert "新建组织" in log and "调整隶属" in log and "组织改名" in log


def test_township_staff_reshape_only_their_township(app, session, county_tree):
    browser = logged_in(app, "east-it")
    page = browser.get("/admin/orgs").get_data(as_text=True)
    assert "辽原村党支部" in page and "远山村党支部" not in page and "某县县委" not in page
    for path in (f"/admin/org/{county_tree['far']}", f"/admin/org/{county_tree['county']}"):
        assert browser.get(path).status_code == 404
    outside = [
        ("/admin/orgs", {"name": "甲村党支部", "parent": county_tree["west"]}),
        (f"/admin/org/{county_tree['far']}/rename", {"name": "改名"}),
        (f"/admin/org/{county_tree['far']}/move", {"parent": county_tree["east"]}),
        (f"/admin/org/{county_tree['liaoyuan']}/move", {"parent": county_tree["west"]}),
    ]
    for path, data in outside:
        assert browser.post(path, data={**data, "csrf_token": browser.token}).status_code \
            == 404, path
    own = browser.post(f"/admin/org/{county_tree['east']}/move",
                       data={"parent": county_tree["county"], "csrf_token": browser.token})
    assert own.status_code in (403, 404)
    assert browser.post(f"/admin/org/{county_tree['liaoyuan']}/rename",
                        data={"name": "辽源村党支部"}).status_code == 400  # no CSRF token
    group = browser.post(f"/admin/org/{county_tree['group']}/move",
                         data={"parent": county_tree["liaoyuan"], "csrf_token": browser.token})
    assert group.status_code == 400 and "不能单独移动" in group.get_data(as_text=True)
    session.rollback()
    assert session.get(Org, county_tree["liaoyuan"]).name == "辽原村党支部"
    assert session.get(Org, county_tree["far"]).parent_id == county_tree["west"]


def test_a_branch_secretary_sees_the_branch_but_cannot_reshape_it(app, session, county_tree):
    browser = logged_in(app, "liaoyuan")
    page = browser.get("/admin/orgs").get_data(as_text=True)
    assert "辽原村党支部" in page and "新建组织" not in page
    assert browser.get(f"/admin/org/{county_tree['east']}").status_code == 404
    refused = browser.post(f"/admin/org/{county_tree['liaoyuan']}/rename",
                           data={"name": "x村党支部", "csrf_token": browser.token})
    assert refused.status_code == 403
    assert browser.post("/admin/orgs", data={"name": "第九党小组",
                                             "parent": county_tree["liaoyuan"],
                                             "csrf_token": browser.token}).status_code == 403

"""The console in a real browser: Playwright driving Debian's Chromium (never a browser
download), against the app served over HTTP. One browser for the whole session; a
screenshot of the page is saved when a test fails (tests/screenshots/)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.console.accounts import add_console_user
from models.console.audit import record_change
from models.db.engine import make_engine
from models.members.org_tables import Org, OrgAdmin, OrgKind
from tests.factories import make_branch, make_member, make_township
from tests.live import serving, serving_own_sandbox

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "correct horse 42"
PHONE = {"width": 390, "height": 844}
PC = {"width": 1280, "height": 900}

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (apt-get install chromium)")
    pytest.skip("browser tests need Debian's chromium: apt-get install chromium "
                "fonts-noto-cjk", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect  # noqa: E402

# `browser` (one Chromium for the whole session) is in tests/conftest.py: every module
# with browser tests shares it (Playwright's sync API runs one instance at a time).


@pytest.fixture
def console(settings, clock):  # type: ignore[no-untyped-def]
    """The app over real HTTP with a county: two townships, three branches, accounts."""
    app = create_app(settings, clock=clock)
    services = services_of(app)
    with services.sessions() as session:
        county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
        session.add(county)
        session.flush()
        east, west = make_township(session, "东乡党委"), make_township(session, "西乡党委")
        east.parent_id = west.parent_id = county.id
        liaoyuan = make_branch(session, "辽原村党支部", east)
        make_branch(session, "红光村党支部", east)
        far = make_branch(session, "远山村党支部", west)
        make_member(session, liaoyuan, "李书记", "13800000001", is_admin=True)
        make_member(session, liaoyuan, "张明", "13800000002", openid="o-zm")
        add_console_user(session, "east-it", PASSWORD, east, None, clock())
        session.commit()
        ids = {"liaoyuan": liaoyuan.id, "far": far.id}
    with serving(app) as base_url:
        yield base_url, ids
    services.dispose()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    opened = context.new_page()
    # Chromium reports what the Content-Security-Policy blocked on the console.
    blocked: list[str] = []
    opened.on("console", lambda message: blocked.append(message.text)
              if "Content Security Policy" in message.text else None)
    yield opened
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        opened.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not blocked, blocked


def log_in(page: Page, base_url: str, login: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/admin/")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("button.primary")


def test_township_staff_log_in_at_phone_width_and_see_their_branches(page, console, tmp_path):
    base_url, ids = console
    log_in(page, base_url, "east-it", "wrong password")
    expect(page.get_by_role("alert")).to_contain_text("账号或密码不对")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    expect(page.locator("h1")).to_contain_text("三会一课落实情况（东乡党委）")
    expect(page.locator("table")).to_contain_text("辽原村党支部")
    expect(page.locator("table")).not_to_contain_text("远山村党支部")
    page.screenshot(path=str(tmp_path / "overview-phone.png"), full_page=True)
    # the page fits a phone: only the table scrolls sideways, not the page
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("text=辽原村党支部")
    expect(page.locator("h1")).to_have_text("辽原村党支部")
    expect(page.locator("main")).to_contain_text("张明")
    # another township's branch: 404
    response = page.goto(f"{base_url}/admin/branch/{ids['far']}")
    assert response is not None and response.status == 404
    page.set_viewport_size(PC)
    page.goto(f"{base_url}/admin/")
    page.screenshot(path=str(tmp_path / "overview-pc.png"), full_page=True)
    page.click("text=退出")
    expect(page.locator("h1")).to_have_text("登录管理后台")


def test_confirmations_work_under_the_content_security_policy(page, console):
    base_url, ids = console
    log_in(page, base_url, "east-it")
    expect(page.locator("h1")).to_contain_text("东乡党委")
    page.goto(f"{base_url}/admin/branch/{ids['liaoyuan']}")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="解绑").click()
    page.wait_for_timeout(300)
    assert asked == ["解除张明的微信绑定？（换了新手机时用）"]
    expect(page.locator("main")).to_contain_text("已绑定")  # said no: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="解绑").click()
    expect(page.locator("main")).to_contain_text("已解除张明原来的微信")


def test_a_form_posted_without_its_csrf_token_gets_400(page, console):
    base_url, _ = console
    page.goto(f"{base_url}/admin/login")
    status = page.evaluate("""async () => (await fetch('/admin/login', {method: 'POST',
        body: new URLSearchParams({login: 'east-it', password: 'x'})})).status""")
    assert status == 400


@pytest.fixture
def own_sandbox(settings, clock):  # type: ignore[no-untyped-def]
    """The app with its WeChat API pointed at its own /sandbox (as `partybot run`)."""
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        with services_of(app).sessions() as session:
            east = make_township(session, "东乡党委")
            liaoyuan = make_branch(session, "辽原村党支部", east)
            make_member(session, liaoyuan, "李书记", "13800000001", openid="o-admin",
                        is_admin=True)
            officer = make_member(session, liaoyuan, "何委员", "13800000021",
                                  openid="o-officer")
            make_member(session, liaoyuan, "张明", "13800000002", openid="o-zm")
            make_member(session, liaoyuan, "刘芳", "13800000003", openid="o-lf")
            session.add(OrgAdmin(org_id=east.id, member_id=officer.id))
            add_console_user(session, "east-it", PASSWORD, east, None, clock())
            session.commit()
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        app.config["BASE_URL"] = base_url
        yield app
    services_of(made[0]).dispose()


def test_a_secretary_logs_in_on_a_pc_by_scanning_with_the_sandbox(page, own_sandbox,
                                                                  tmp_path):
    page.set_viewport_size(PC)
    page.goto(f"{own_sandbox.config['BASE_URL']}/admin/")
    expect(page.locator("#qr svg")).to_be_visible()
    page.screenshot(path=str(tmp_path / "login-pc.png"), full_page=True)
    page.select_option("#scan-as", "o-zm")  # a member: told why, not logged in
    page.click("#scan-button")
    expect(page.locator("#scan-reply")).to_contain_text("只有支部管理员")
    expect(page.locator("#confirm-button")).to_be_disabled()
    page.select_option("#scan-as", "o-admin")
    page.click("#scan-button")
    # the scan alone logs nobody in: the phone is asked first
    expect(page.locator("#scan-reply")).to_contain_text("确认登录")
    expect(page.locator("#qr-note")).to_contain_text("请在手机上回复「确认登录」", timeout=8_000)
    expect(page.locator("h1")).to_have_text("登录管理后台")
    page.click("#confirm-button")
    expect(page.locator("h1")).to_have_text("辽原村党支部", timeout=10_000)
    # the township above is not the secretary's: 404, with no hint that it exists
    from sqlalchemy import select

    with services_of(own_sandbox).sessions() as session:
        east = session.scalars(select(Org).where(Org.name == "东乡党委")).one().id
    for path in (f"/admin/org/{east}", f"/admin/org/{east}/study"):
        response = page.goto(f"{own_sandbox.config['BASE_URL']}{path}")
        assert response is not None and response.status == 404, path


def test_township_staff_open_a_link_inside_wechat_and_are_logged_in(browser, own_sandbox,
                                                                    tmp_path):
    context = browser.new_context(viewport=PHONE, locale="zh-CN",
                                  user_agent="Mozilla/5.0 (Linux; Android 10) MicroMessenger/8.0")
    page = context.new_page()
    page.goto(f"{own_sandbox.config['BASE_URL']}/admin/")
    page.click("text=何委员")  # the sandbox asks who holds the phone; WeChat would not
    expect(page.locator("h1")).to_contain_text("三会一课落实情况（东乡党委）")
    # one click: the 台账 of every branch of the township, read back
    from openpyxl import load_workbook

    with page.expect_download() as download:
        page.click("text=导出本季度全部支部台账")
    download.value.save_as(tmp_path / "ledger.xlsx")
    book = load_workbook(tmp_path / "ledger.xlsx")
    assert book.sheetnames[:2] == ["汇总", "会议记录本"]
    assert "1辽原村党支部-出勤表" in book.sheetnames
    assert download.value.suggested_filename.startswith("三会一课台账-东乡党委-")
    context.close()


def test_ten_wrong_passwords_lock_the_login(page, own_sandbox):
    page.goto(f"{own_sandbox.config['BASE_URL']}/admin/login")
    for _ in range(10):
        page.fill("#login", "east-it")
        page.fill("#password", "not the password")
        page.click("button.primary")
        expect(page.get_by_role("alert")).to_be_visible()
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    expect(page.get_by_role("alert")).to_contain_text("已锁定")


def test_a_secretary_schedules_a_meeting_and_watches_members_check_in(page, own_sandbox,
                                                                       clock, tmp_path):
    from datetime import timedelta

    from bot.simulator import WeChatSide
    from models.meetings.rules import is_at_night
    from tests.conftest import TOKEN, Chat

    base_url = own_sandbox.config["BASE_URL"]
    page.set_viewport_size(PC)
    page.goto(f"{base_url}/admin/")
    expect(page.locator("#scan-button")).to_be_enabled()  # once the code is shown
    page.select_option("#scan-as", "o-admin")
    page.click("#scan-button")
    expect(page.locator("#confirm-button")).to_be_enabled()
    page.click("#confirm-button")
    page.click("nav.tabs >> text=安排会议")
    start = (clock() + timedelta(minutes=30)).astimezone(
        services_of(own_sandbox).settings.tz)
    page.fill("#day", start.strftime("%Y-%m-%d"))
    page.fill("#start", start.strftime("%H:%M"))
    page.fill("#place", "村委会二楼")
    page.fill("#topic", "学习党章")
    page.click("button.primary")
    if is_at_night(start, start.tzinfo):  # run at night: the form asks first, she confirms
        expect(page.get_by_role("alert")).to_contain_text("是夜里")
        page.check("input[name=night_ok]")
        page.click("button.primary")
    expect(page.locator(".flash")).to_contain_text("已通知")
    code = page.locator(".code").inner_text().strip()
    # a member checks in by chat; the open page shows it without a reload
    chat = Chat(own_sandbox.test_client(), WeChatSide(TOKEN), clock)
    assert "签到成功" in chat.say("o-zm", f"签到：{code}")
    expect(page.locator("#attendance-counts")).to_contain_text("已签到 1", timeout=8_000)
    expect(page.locator("#attendance")).to_contain_text("签到码")
    # the record: minutes and a photo
    page.fill("#minutes", "一、学习党章第一章。")
    page.click("text=保存会议记录")
    expect(page.locator(".flash")).to_contain_text("会议记录已保存")
    photo = tmp_path / "photo.png"
    import segno

    segno.make("meeting photo").save(str(photo), scale=8)
    page.set_input_files("#photo", str(photo))
    page.click("#record button:has-text('上传')")
    expect(page.locator(".photos img")).to_have_count(1)
    # the image arrives after the page: wait for it to load (a busy machine takes a while;
    # polled by Playwright itself — the console's CSP forbids wait_for_function's eval)
    image = page.locator(".photos img").first
    expect(image).to_have_js_property("complete", True, timeout=10_000)
    assert image.evaluate("img => img.naturalWidth") > 0
    # the print view: one A4 sheet with the code, the QR code and the names
    page.click("text=打印签到表")
    expect(page.locator(".code")).to_have_text(code)
    expect(page.locator(".checkin svg")).to_be_visible()
    expect(page.locator("table")).to_contain_text("刘芳")
    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "sheet.png"), full_page=True)


def test_township_staff_build_their_tree_import_post_answer_and_hold_a_joint_meeting(
        page, own_sandbox, clock, tmp_path):
    """The newer pages as township staff use them, at phone width: add a branch to the
    tree, import its roster (progress, then the result), post a study item after a
    preview, answer a member's question, and schedule a meeting with the new branch."""
    from datetime import timedelta

    from sqlalchemy import select

    from bot.simulator import WeChatSide
    from models.delivery.outbox import Outbox
    from tests.conftest import TOKEN, Chat

    base_url = own_sandbox.config["BASE_URL"]
    services = services_of(own_sandbox)
    with services.sessions() as session:
        east = session.scalars(select(Org).where(Org.name == "东乡党委")).one().id
        liaoyuan = session.scalars(select(Org).where(Org.name == "辽原村党支部")).one().id
    log_in(page, base_url, "east-it")
    expect(page.locator("h1")).to_contain_text("东乡党委")
    # the tree: a new branch under the township
    page.goto(f"{base_url}/admin/orgs")
    page.fill("#org-name", "红光村党支部")
    page.select_option("#org-parent", str(east))
    page.click("button:has-text('新建')")
    expect(page.locator(".flash")).to_contain_text("新建党支部「红光村党支部」")
    expect(page.locator("ul.tree")).to_contain_text("红光村党支部")
    page.screenshot(path=str(tmp_path / "tree-phone.png"), full_page=True)
    # its roster, streamed: progress lines, then the result
    roster = tmp_path / "红光村.csv"
    roster.write_text("姓名,支部,手机\n王红,红光村党支部,13900000001\n"
                      "陈光,红光村党支部,13900000002\n", encoding="utf-8")
    page.goto(f"{base_url}/admin/roster")
    page.set_input_files("#roster", str(roster))
    page.click("button.primary")
    expect(page.locator("#result")).to_contain_text("导入完成：新增 2 人")
    # a study item for the township, previewed as members will see it, then published
    page.goto(f"{base_url}/admin/org/{east}/study/new")
    page.fill("#title", "学习新修订的党章")
    page.fill("#body", "第一段：总纲。\n第二段：党员的义务。")
    page.click("button[value=preview]")
    expect(page.locator("#preview")).to_contain_text("学习新修订的党章")
    expect(page.locator("#title")).to_have_value("学习新修订的党章")  # nothing typed lost
    page.click("button[value=publish]")
    expect(page.locator(".flash")).to_contain_text("已发布")
    # a member's question, answered from the page, reaches the member
    chat = Chat(own_sandbox.test_client(), WeChatSide(TOKEN), clock)
    assert "已转给支部管理员" in chat.say("o-zm", "党费交到哪里？")
    page.goto(f"{base_url}/admin/branch/{liaoyuan}/questions")
    expect(page.locator("main")).to_contain_text("党费交到哪里")
    page.locator("textarea[name=answer]").first.fill("交给支部组织委员刘芳。")
    page.click("button[value=answer]")
    expect(page.locator(".flash")).to_contain_text("已回复张明")
    with services.sessions() as session:
        answers = session.scalars(select(Outbox.payload).where(
            Outbox.kind == "question_answer")).all()
    assert any("刘芳" in str(payload) for payload in answers), answers
    # a joint meeting of 辽原村 with the new branch
    page.goto(f"{base_url}/admin/branch/{liaoyuan}/meetings/new")
    start = (clock() + timedelta(days=2)).astimezone(services.settings.tz)
    page.select_option("#kind", "theme_day")
    page.fill("#day", start.strftime("%Y-%m-%d"))
    page.fill("#start", "09:00")
    page.fill("#place", "辽原村党员活动室")
    page.click("summary:has-text('联合召开')")
    page.check("label:has-text('红光村党支部') input")
    expect(page.locator("#joint-count")).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "joint-form-phone.png"), full_page=True)
    page.click("button.primary")
    expect(page.locator(".flash")).to_contain_text("已通知")
    expect(page.locator("dl.facts")).to_contain_text("联合召开：红光村党支部")


# The audit page (issue 24): the filter form at phone and PC width, filled and sent like an
# admin would; PARTYBOT_SCREENSHOTS names a folder to keep its screenshots in.

def _shoot_audit(tab, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = Path(os.environ.get("PARTYBOT_SCREENSHOTS") or tmp_path)
    tab.screenshot(path=str(folder / name), full_page=True)


def test_audit_filters_in_a_browser(page, console, tmp_path, settings, clock):
    from datetime import timedelta

    base_url, ids = console
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        for days, actor, target in (
                (1, Actor.member(1, "李书记"), "五月党员大会"),
                (2, Actor.console("user:1", "东乡管理员", None), "五月党课"),
                (3, Actor.cli("root"), "刘芳"),
                (4, Actor.job("meetings.close"), "四月支委会")):
            record_change(session, actor, org_id=ids["liaoyuan"], action="meeting.create",
                          target=target, now=clock() - timedelta(days=days),
                          after={"地点": "村委会"})
        session.commit()
    engine.dispose()
    log_in(page, base_url, "east-it")
    expect(page.locator("h1")).to_contain_text("东乡党委")
    page.goto(f"{base_url}/admin/audit")
    expect(page.locator("table")).to_contain_text("四月支委会")
    _shoot_audit(page, tmp_path, "audit-phone.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("select[name=surface]", "chat")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table")).to_contain_text("五月党员大会")
    expect(page.locator("table")).not_to_contain_text("五月党课")
    expect(page.locator("select[name=surface]")).to_have_value("chat")
    page.set_viewport_size({**PC, "width": 1366})
    page.select_option("select[name=surface]", "")
    page.fill("input[name=actor]", "管理")
    three_days_ago = (clock() - timedelta(days=3)).astimezone(settings.tz)
    page.fill("input[name=since]", three_days_ago.strftime("%Y-%m-%d"))
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table")).to_contain_text("五月党课")
    expect(page.locator("table")).not_to_contain_text("五月党员大会")
    expect(page.locator("input[name=actor]")).to_have_value("管理")
    _shoot_audit(page, tmp_path, "audit-pc.png")
    page.goto(f"{base_url}/admin/audit?since=2026-13-01&org={ids['far']}")
    expect(page.locator("main")).to_contain_text("不是日期")
    expect(page.locator("main")).to_contain_text("不在你的管理范围内")
    _shoot_audit(page, tmp_path, "audit-bad-input-pc.png")

"""Study in the console: posting in a form (paragraphs, photos, a link, a time) with a
preview that is the chat's own rendering; the item page (who has not studied, per
branch; the 心得); 立即推送 and 撤回 through the chat's functions; scope."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from sqlalchemy import select

from models.console.audit import AuditEntry
from models.members.org_tables import Org, OrgKind
from models.study.tables import StudyItem
from tests.conftest import Chat
from tests.test_console_meetings import logged_in, png_bytes, same_picture

BODY = "第一段：党章总纲。\r\n\r\n第二段：党员的义务。"


def post(browser, org_id: int, **fields):  # type: ignore[no-untyped-def]
    data = {"title": "学习党章", "body": BODY, "link": "", "day": "", "time": "",
            "action": "publish", "csrf_token": browser.token}
    data.update(fields)
    return browser.post(f"/admin/org/{org_id}/study/new", data=data,
                        content_type="multipart/form-data")


def test_a_post_from_the_form_is_what_members_get_in_chat(app, session, county, chat: Chat,
                                                          settings):
    secretary = logged_in(app, "liaoyuan")
    form = secretary.get(f"/admin/org/{county['liaoyuan']}/study/new")
    assert form.status_code == 200 and "回车分段" in form.get_data(as_text=True)
    preview = post(secretary, county["liaoyuan"], action="preview")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "党员在微信里看到的样子" in text
    assert "第一段：党章总纲。\n\n第二段：党员的义务。" in text
    assert session.scalars(select(StudyItem)).all() == []  # a preview posts nothing
    answer = post(secretary, county["liaoyuan"], images=[(BytesIO(png_bytes()), "a.png")])
    assert answer.status_code == 302, answer.get_data(as_text=True)
    page = secretary.get(answer.location).get_data(as_text=True)
    session.rollback()
    item = session.scalars(select(StudyItem)).one()
    assert f"已发布（编号 {item.id}）：《学习党章》，面向辽原村党支部" in page
    assert item.body == "第一段：党章总纲。\n\n第二段：党员的义务。"
    assert "还没学（3）" in page  # one branch: its names straight away
    [image] = item.images
    assert image.pic_url.startswith("http://localhost/admin/study-image/")
    served = app.test_client().get(image.pic_url.removeprefix("http://localhost"))
    assert served.status_code == 200 and same_picture(served.data, png_bytes())  # no login
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    reply = chat.say("o-zm", "学习")
    assert "学习党章" in reply and "第二段：党员的义务。" in reply and image.pic_url in reply
    chat.say("o-zm", "已学")
    chat.say("o-zm", "学了党章总纲，要时刻对照检查自己。")
    page = secretary.get(f"/admin/study/{item.id}").get_data(as_text=True)
    assert "还没学（2）" in page and "张明" in page.split("心得（1）")[1]
    assert "要时刻对照检查自己" in page
    listing = secretary.get(f"/admin/org/{county['liaoyuan']}/study").get_data(as_text=True)
    assert "1/3" in listing
    session.rollback()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.surface == "console")).one()
    assert entry.action == "study.publish" and entry.after["images"] == 1


def test_the_form_refuses_bad_input_and_keeps_what_was_typed(app, session, county, clock):
    secretary = logged_in(app, "liaoyuan")
    branch = county["liaoyuan"]
    script = post(secretary, branch, images=[(BytesIO(b"<?php echo 1; ?>"), "a.jpg")])
    assert script.status_code == 400 and "JPG 或 PNG" in script.get_data(as_text=True)
    assert "第二段：党员的义务。" in script.get_data(as_text=True)
    long_title = post(secretary, branch, title="长" * 65)
    assert long_title.status_code == 400 and "标题" in long_title.get_data(as_text=True)
    bad_link = post(secretary, branch, link="javascript:alert(1)")
    assert bad_link.status_code == 400
    yesterday = (clock() - timedelta(days=1)).strftime("%Y-%m-%d")
    past = post(secretary, branch, day=yesterday, time="09:00")
    assert past.status_code == 400
    assert session.scalars(select(StudyItem)).all() == []


def test_a_repeat_needs_confirming_and_a_scheduled_post_waits(app, session, county, clock):
    secretary = logged_in(app, "liaoyuan")
    branch = county["liaoyuan"]
    assert post(secretary, branch).status_code == 302
    repeat = post(secretary, branch)
    assert repeat.status_code == 409 and "确认再发一次" in repeat.get_data(as_text=True)
    assert post(secretary, branch, confirm="yes").status_code == 302
    tomorrow = (clock() + timedelta(days=2)).strftime("%Y-%m-%d")
    assert post(secretary, branch, title="下周学习", day=tomorrow, time="20:00").status_code \
        == 302
    session.rollback()
    items = session.scalars(select(StudyItem).order_by(StudyItem.id)).all()
    assert len(items) == 3 and items[2].publish_at > clock()
    listing = secretary.get(f"/admin/org/{branch}/study").get_data(as_text=True)
    assert "定时" in listing


def test_withdraw_and_push_now_use_the_chats_rules(app, session, county, chat: Chat):
    secretary = logged_in(app, "liaoyuan")
    post(secretary, county["liaoyuan"], images=[(BytesIO(png_bytes()), "a.png")])
    session.rollback()
    item = session.scalars(select(StudyItem)).one()
    pushed = secretary.post(f"/admin/study/{item.id}/push", data={"csrf_token": secretary.token})
    assert "一分钟内推送给大家" in secretary.get(pushed.location).get_data(as_text=True)
    gone = secretary.post(f"/admin/study/{item.id}/withdraw",
                          data={"csrf_token": secretary.token})
    assert f"已撤回第{item.id}期《学习党章》" in secretary.get(gone.location).get_data(as_text=True)
    again = secretary.post(f"/admin/study/{item.id}/withdraw",
                           data={"csrf_token": secretary.token})
    assert "已经撤回过了" in secretary.get(again.location).get_data(as_text=True)
    session.rollback()
    [image] = session.get(StudyItem, item.id).images
    assert app.test_client().get(image.pic_url.removeprefix("http://localhost")).status_code \
        == 404  # a withdrawn item's photos are no longer served
    assert "学习党章" not in chat.say("o-zm", "学习")
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["study.publish", "study.push", "study.withdraw"]


def test_township_items_per_branch_and_scope(app, session, county, chat: Chat):
    east = session.scalars(select(Org).where(Org.name == "东乡党委")).one()
    second = Org(name="新村党支部", kind=OrgKind.BRANCH, parent_id=east.id)
    session.add(second)
    session.commit()
    township = logged_in(app, "east-it")
    assert post(township, east.id, title="全乡学习").status_code == 302
    session.rollback()
    item = session.scalars(select(StudyItem)).one()
    page = township.get(f"/admin/study/{item.id}").get_data(as_text=True)
    assert "辽原村党支部" in page and "新村党支部" in page and "谁没学" in page
    one = township.get(f"/admin/study/{item.id}?branch={county['liaoyuan']}")
    assert "辽原村党支部 还没学（3）" in one.get_data(as_text=True)
    # the secretary sees the township's item for their branch, but cannot change it
    secretary = logged_in(app, "liaoyuan")
    seen = secretary.get(f"/admin/study/{item.id}").get_data(as_text=True)
    assert "还没学（3）" in seen and "新村党支部" not in seen and "撤回" not in seen
    assert secretary.post(f"/admin/study/{item.id}/withdraw",
                          data={"csrf_token": secretary.token}).status_code == 404
    assert secretary.get(f"/admin/org/{east.id}/study/new").status_code == 404
    west = logged_in(app, "west-it")
    for path in (f"/admin/study/{item.id}", f"/admin/org/{county['liaoyuan']}/study",
                 f"/admin/org/{county['liaoyuan']}/study/new"):
        assert west.get(path).status_code == 404, path
    assert post(west, county["liaoyuan"]).status_code == 404
    assert west.post(f"/admin/study/{item.id}/push",
                     data={"csrf_token": west.token}).status_code == 404
    assert township.post(f"/admin/study/{item.id}/withdraw").status_code == 400  # no CSRF


def test_the_township_sees_what_its_branches_posted_themselves(app, session, county,
                                                                chat: Chat):
    secretary = logged_in(app, "liaoyuan")
    assert post(secretary, county["liaoyuan"], title="本村学习：秋收互助").status_code == 302
    session.rollback()
    item = session.scalars(select(StudyItem)).one()
    chat.say("o-zm", f"学习 {item.id}")
    chat.say("o-zm", "学完了")
    east = session.scalars(select(Org).where(Org.name == "东乡党委")).one()
    township = logged_in(app, "east-it")
    page = township.get(f"/admin/org/{east.id}/study").get_data(as_text=True)
    below = page[page.index("下级组织自己发布的"):]
    assert "本村学习：秋收互助" in below and "辽原村党支部" in below
    session.rollback()
    from models.study.tables import StudyRecord

    assert len(session.scalars(select(StudyRecord)).all()) == 1
    assert "<td>1/3</td>" in below  # 张明 of the branch's three
    # the branch's own page lists it among its items, with no such section
    own = secretary.get(f"/admin/org/{county['liaoyuan']}/study").get_data(as_text=True)
    assert "本村学习：秋收互助" in own and "下级组织自己发布的" not in own
    # another township sees none of it
    west = session.scalars(select(Org).where(Org.name == "西乡党委")).one()
    other = logged_in(app, "west-it").get(f"/admin/org/{west.id}/study").get_data(
        as_text=True)
    assert "本村学习" not in other

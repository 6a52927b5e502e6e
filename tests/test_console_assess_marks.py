"""The console's marks page (自查 / 巡查 forms, evidence links, scope) and the survey
pages (open, close, results only to the org above, never to the branch itself)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from models.actors import Actor
from models.assessment.actions import load_scheme
from models.assessment.mark_actions import add_inspector
from models.assessment.marks import AssessmentMark
from models.members.tables import Member
from models.survey.tables import Survey
from tests.county_year import build_county
from tests.test_assessment_marks import SCHEME, YEAR
from tests.test_console_meetings import logged_in, png_bytes


@pytest.fixture
def c(session, clock):  # type: ignore[no-untyped-def]
    found = build_county(session, clock())
    load_scheme(session, Actor.cli("root"), SCHEME, clock())
    add_inspector(session, Actor.cli("root"), clock(),
                  member=session.get(Member, found["inspector"]))
    session.commit()
    return found


def page(browser, url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    got = browser.get(url)
    return got.status_code, got.get_data(as_text=True)


def test_the_branch_scores_itself_with_a_photo(app, session, c):
    secretary = logged_in(app, "liaoyuan")
    url = f"/admin/assess/marks/{YEAR}/org/{c['liaoyuan']}"
    status, html = page(secretary, url)
    assert status == 200 and "班子自查" in html and "巡查班子运转" in html
    assert html.count('name="source"') == 1  # only the self-check form: not an inspector
    sent = secretary.post(url, data={
        "csrf_token": secretary.token, "source": "self_check", "clause": "team-self",
        "score": "5", "note": "班子分工明确",
        "evidence": (BytesIO(png_bytes()), "班子.png")}, content_type="multipart/form-data")
    assert sent.status_code == 302
    status, html = page(secretary, sent.location)
    assert "已保存：班子自查 5 分" in html and "班子分工明确" in html and "照片 1" in html
    session.rollback()
    mark = session.scalar(select(AssessmentMark))
    link = f"/admin/assess/marks/evidence/{mark.id}/"
    name = html.split(link, 1)[1].split('"', 1)[0]
    photo = secretary.get(link + name)
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    # too many points: refused, nothing changed
    again = secretary.post(url, data={"csrf_token": secretary.token, "source": "self_check",
                                      "clause": "team-self", "score": "7", "note": ""})
    assert "0 到 6 分之间" in page(secretary, again.location)[1]
    # h22's sheet shows the mark and links each marked clause to its form
    sheet = page(secretary, f"/admin/assess/{YEAR}/org/{c['liaoyuan']}")[1]
    assert "班子分工明确" in sheet and f"{url}#self_check-team-self" in sheet
    # another branch's page and its evidence: 404
    assert page(secretary, f"/admin/assess/marks/{YEAR}/org/{c['far']}")[0] == 404
    west = logged_in(app, "west-it")
    assert west.get(link + name).status_code == 404
    assert page(west, url)[0] == 404


def test_the_inspector_scores_any_org_of_the_county(app, session, c):
    inspector = logged_in(app, "inspector")
    status, html = page(inspector, f"/admin/assess/marks/{YEAR}")
    assert status == 200 and "远山村党支部" in html and "红光乡党委" in html
    url = f"/admin/assess/marks/{YEAR}/org/{c['far']}"
    status, html = page(inspector, url)
    assert 'value="inspection"' in html and 'value="self_check"' not in html
    sent = inspector.post(url, data={"csrf_token": inspector.token, "source": "inspection",
                                     "clause": "team-visit", "score": "3.5",
                                     "note": "走访三户党员，台账规范"})
    html = page(inspector, sent.location)[1]
    assert "已保存：巡查班子运转 3.5 分" in html and "走访三户党员" in html
    assert "<dt>打分人</dt><dd>inspector</dd>" in html  # the account that gave it
    # a township secretary cannot give an inspection mark, even within its scope
    east = logged_in(app, "east-it")
    url = f"/admin/assess/marks/{YEAR}/org/{c['liaoyuan']}"
    refused = east.post(url, data={"csrf_token": east.token, "source": "inspection",
                                   "clause": "team-visit", "score": "3", "note": ""})
    assert "只有巡视组成员" in page(east, refused.location)[1]


def _open(app, clock, login: str = "east-it") -> None:  # type: ignore[no-untyped-def]
    staff = logged_in(app, login)
    today = clock().date()
    sent = staff.post("/admin/survey", data={
        "csrf_token": staff.token, "title": "2026年度党员满意度测评",
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=5)).isoformat(), "quorum": "60",
        "questions": "对支部班子是否满意\n对三会一课是否满意"})
    assert "已发起满意度测评" in page(staff, sent.location)[1]


def test_survey_results_go_only_upward(app, session, clock, c, chat):
    _open(app, clock)
    from models.delivery.outbox import Outbox

    told = session.scalars(select(Outbox).where(Outbox.kind == "survey_open")).all()
    assert len(told) == 5 + 3  # the members of 辽原村 and 红光村 (east only), one each
    assert "回复「满意度」就能匿名作答" in told[0].payload["text"]
    for openid in ("o-li", "o-ly2", "o-ly3"):
        assert "谢谢" in chat.say(openid, "满意度 12")
    session.rollback()
    survey = session.scalar(select(Survey))
    url = f"/admin/survey/{survey.id}"
    status, html = page(logged_in(app, "east-it"), url)
    assert status == 200 and "辽原村党支部" in html and "红光村党支部" in html
    assert "3 / 5 人已答" in html and "未达法定人数" in html  # 红光村: 0 of 3
    assert "远山村党支部" not in html  # west is not under east
    assert html.count("<h2>各支部</h2>") == 1 and html.count("<details") == 1  # one township
    status, html = page(logged_in(app, "county-it"), url)
    assert status == 200 and "辽原村党支部" in html
    assert page(logged_in(app, "liaoyuan"), url)[0] == 404  # never the branch itself
    assert page(logged_in(app, "west-it"), url)[0] == 404  # another township
    listing = page(logged_in(app, "liaoyuan"), "/admin/survey")[1]
    assert "发起满意度测评" not in listing  # a branch cannot open one
    east = logged_in(app, "east-it")
    closed = east.post(f"/admin/survey/{survey.id}/close", data={"csrf_token": east.token})
    assert "已结束满意度测评" in page(east, closed.location)[1]
    assert "不在进行中" in chat.say("o-ly4", "满意度 11") or "没有" in chat.say("o-ly4", "满意度")


def test_the_county_chooses_which_branches_answer(app, session, clock, c):
    from models.survey.tables import SurveyTarget

    county = logged_in(app, "county-it")
    form = page(county, "/admin/survey")[1]
    assert "远山村党支部" in form and "县财政局党支部" in form  # every branch and office
    today = clock().date()
    sent = county.post("/admin/survey", data={
        "csrf_token": county.token, "title": "县直机关满意度", "quorum": "50",
        "opens_on": today.isoformat(), "closes_on": today.isoformat(),
        "questions": "对机关党建是否满意", "branch": [str(c["office"]), str(c["far"])]})
    assert "2 个支部参加" in page(county, sent.location)[1]
    session.rollback()
    assert sorted(session.scalars(select(SurveyTarget.org_id))) == sorted([c["office"],
                                                                          c["far"]])
    east = logged_in(app, "east-it")  # a township's staff choose only their own branches
    refused = east.post("/admin/survey", data={
        "csrf_token": east.token, "title": "越界", "quorum": "50",
        "opens_on": today.isoformat(), "closes_on": today.isoformat(),
        "questions": "满意吗", "branch": [str(c["far"])]})
    assert "只能选「红光乡党委」下面的支部" in page(east, refused.location)[1]


def test_a_pdf_is_kept_as_evidence_and_other_files_are_refused(app, session, c):
    east = logged_in(app, "east-it")  # the township scores its own self-check clause
    url = f"/admin/assess/marks/{YEAR}/org/{c['east']}"
    form = {"csrf_token": east.token, "source": "self_check", "clause": "team-self",
            "score": "4", "note": "见会议记录"}
    bad = east.post(url, data={**form, "evidence": (BytesIO(b"MZ\x90\x00 not a pdf"),
                                                     "x.pdf")},
                    content_type="multipart/form-data")
    assert "照片" in page(east, bad.location)[1]  # refused with the photo rules' sentence
    session.rollback()
    assert session.scalars(select(AssessmentMark)).all() == []  # nothing kept
    sent = east.post(url, data={**form, "evidence": (BytesIO(b"%PDF-1.4\n%fake\n"),
                                                      "记录.pdf")},
                     content_type="multipart/form-data")
    html = page(east, sent.location)[1]
    assert "PDF 文件 1" in html
    session.rollback()
    mark = session.scalar(select(AssessmentMark))
    link = f"/admin/assess/marks/evidence/{mark.id}/"
    name = html.split(link, 1)[1].split('"', 1)[0]
    got = east.get(link + name)
    assert got.mimetype == "application/pdf" and got.data.startswith(b"%PDF-")
    assert logged_in(app, "liaoyuan").get(link + name).status_code == 404  # the branch below

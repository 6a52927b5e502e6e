"""Sentences of the member pages (/m/): login, binding, the frame around every page.
The binding's answers themselves are the chat's (general.py BIND_*): the same rules,
the same words."""

PAGES_OAUTH_FAILED = "没能从微信确认你的身份（{reason}）。请关掉这个页面，从公众号的菜单或消息里重新打开。"
PAGES_FORM_EXPIRED = "页面停留太久已经失效，请返回后刷新页面再试一次。"
PAGES_BIND_NAME = "请填写名册上的姓名（2到20个字）。"
PAGES_BIND_NUMBER = "请填写手机后四位（4个数字），整个11位手机号也可以。"
PAGES_NO_STUDY = "还没有学习内容。"
PAGES_NO_MEETING = "近期没有要参加的会议。"
PAGES_MEETING_HOST = "主持：{name}"
PAGES_ERROR_TITLE = "出错了"
PAGES_NOT_FOUND = "没有找到这个页面：可能已经撤回，或者不是你所在支部的。"
PAGES_NEWEST_STUDY = "最新的学习"
PAGES_TODAYS_STUDY = "今天的学习"
# 会议 (/m/meetings)
PAGES_MEETINGS_PAST_NONE = "今年还没有开过的会议。"
PAGES_MEETINGS_SHOWN = "只列出最近的{count}个会议。"
PAGES_CHECKIN_OPENS_AT = "会议开始前 1 小时（{time}）开放签到。"
PAGES_LOCATION_OFF = "这里不能按位置签到，请填签到码签到。"
PAGES_CODE_EMPTY = "请填写签到码（会场公布的4位数字）。"
PAGES_CODE_DIGITS = "签到码是会场公布的数字，请再看一下。"
PAGES_LEAVE_REASON_EMPTY = "请写明请假原因，例如：外出务工。"
PAGES_LEAVE_REASON_LONG = "请假原因请写在{limit}个字以内。"
PAGES_STATE_PRESENT = "已签到（{method}，{time}）"
PAGES_STATE_PROXY = "{name}已替你签到（{time}）"
PAGES_STATE_LEAVE = "已请假，原因：{reason}"
PAGES_STATE_LEAVE_BY = "{name}已替你请假，原因：{reason}"
PAGES_STATE_NONE = "还没有签到"
PAGES_PAST_PROXY = "{name}代签"
PAGES_PAST_BACKFILLED = "{name}补录"
PAGES_PAST_BACKFILLED_NOBODY = "管理员补录"
PAGES_PAST_REASON = "原因：{reason}"
PAGES_PAST_NOT_CLOSED = "会议还没结束登记"
PAGES_PAST_CANCELLED = "会议已取消"

# What a member page says for an error that no page view answered (an unknown address,
# too large an upload, a fault): plain words, no codes.
PAGES_ERROR_SENTENCES = {
    400: "页面停留太久或内容不完整，请返回刷新后再试。",
    405: "请在页面上点按钮操作。",
    413: "照片太大了，请换一张小一些的再试。",
    429: "操作太频繁，请稍等一会儿再试。",
    500: "出了点问题，已经记下来了。请稍后再试。",
}
PAGES_ERROR_OTHER = "这个页面暂时打不开，请稍后再试。"

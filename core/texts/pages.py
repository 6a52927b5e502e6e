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

# 我的 (/m/me): who acted on every line, and what a list says when it is empty.
PAGES_ME_YEAR = "{year}年"
PAGES_BY_SELF = "本人"
PAGES_BY_SELF_CHECKIN = "本人{method}签到"
PAGES_BY_SOMEONE = "{name}记录"
PAGES_BY_HELPER_STUDY = "帮扶人{name}帮学"
PAGES_BY_HELPER_CHECKIN = "帮扶人{name}代签"
PAGES_BY_HELPER_LEAVE = "帮扶人{name}代请假"
PAGES_BY_ADMIN = "管理员{name}补录"
PAGES_BY_CLOSING = "会议结束时记录"
PAGES_LEAVE_WITH_REASON = "请假（{reason}）"
PAGES_STUDY_PUBLISHED = "{when}发布"
PAGES_RELAYED_BY = "帮扶人{name}已转达"
PAGES_MY_HELPER = "我的帮扶人：{name}"
PAGES_ME_COUNTS_HELPED = "其中帮扶人帮学{studied}次、代签{present}次。"
PAGES_ME_UPCOMING = "还有{count}次会议待参加。"
PAGES_ME_NO_STUDY = "这一年还没有学习内容。"
PAGES_ME_NO_MEETINGS = "这一年还没有会议。"
PAGES_ME_NO_LEAVE = "这一年没有请过假。"
PAGES_ME_NO_RELAYS = "这一年帮扶人还没有替你转达过内容。"
PAGES_ME_MORE = "只显示最近{shown}条，共{total}条。"
PAGES_NOTICES_LATER = "选择接收哪些微信通知的设置即将开放。字号可以在页面顶部随时切换。"

# 帮扶 (/m/helper): the helpers' page.
PAGES_HELPER_ONLY = "帮扶页面只对帮扶人开放。如需结对帮扶，请联系支部管理员。"
PAGES_HELPER_INTRO = "把内容读给或讲给党员后，点「已转达」；会议签到时间内可以替他代签。"
PAGES_HELPER_NEEDS = "需要帮扶：{reason}"
PAGES_HELPER_PHONE = "电话尾号{tail}"
PAGES_HELPER_NO_WECHAT = "没有绑定微信：通知都靠你转达"
PAGES_HELPER_ALSO_STUDY = "同时记为已学：《{title}》"
PAGES_HELPER_STUDY_ONLY = "把《{title}》讲给{name}后，点「帮学完成」记为已学。"
PAGES_HELPER_ON_LEAVE = "已请假；代签后改为出席。"
PAGES_HELPER_WAITING = "待转达（{count}条）"
PAGES_RELAY_ALREADY = "这一条已经记录为转达过了。"
PAGES_LEAVE_REASON_HINT = "请假原因，例如：腿脚不便"
PAGES_WITHDRAWN_TITLE = "{title}（已撤回）"
PAGES_ME_RANGE = "第{first}至{last}条，共{total}条。"

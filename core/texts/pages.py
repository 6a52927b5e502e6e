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

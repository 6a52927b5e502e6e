"""Personal data on request (PIPL): a member's data as a workbook, forgetting a member,
and the retention of old rows."""

# The pseudonym that replaces a forgotten member's name (models.members.forget).
FORGOTTEN_NAME = "已注销成员-{tag}"
FORGOTTEN_TEXT = "（已注销）"  # a 心得 / question / leave reason that went with them

# `partybot member export` / `forget`
CLI_EXPORT_DONE = "已导出「{name}」（{branch}）的个人数据：{path}"
CLI_FORGET_CONFIRM = "确定注销「{name}」（{branch}）的个人数据吗？此操作无法撤销"
CLI_FORGET_DONE = "已注销「{name}」：现在显示为「{pseudonym}」，删除了 {files} 个照片文件"
CLI_FORGET_ALREADY = "「{name}」已经注销过了"
CLI_FORGET_CANCELLED = "已取消，没有做任何改动"

# The console's 注销个人数据 button (county staff only)
CONSOLE_FORGET_DONE = "已注销该党员的个人数据，现在显示为「{pseudonym}」"
CONSOLE_FORGET_ALREADY = "该党员已经注销过了"

# The export workbook: one sheet per area, headers in Chinese
PD_SHEET_PROFILE = "基本信息"
PD_SHEET_BINDINGS = "绑定与角色"
PD_SHEET_ATTENDANCE = "会议考勤"
PD_SHEET_LEAVE = "请假申请"
PD_SHEET_STUDY = "学习记录"
PD_SHEET_FEEDBACK = "学习反馈"
PD_SHEET_RELAYS = "一帮一转达"
PD_SHEET_PAIRS = "帮扶结对"
PD_SHEET_QUESTIONS = "提问"
PD_SHEET_PREFERENCES = "页面设置"
PD_SHEET_SUBSCRIPTIONS = "订阅通知"
PD_SHEET_INBOUND = "收到的消息"
PD_SHEET_AUDIT = "操作记录"

PD_FIELD = "项目"
PD_VALUE = "内容"
PD_PROFILE_FIELDS = {
    "id": "编号", "name": "姓名", "branch": "支部", "group": "党小组", "phone": "手机",
    "roles": "角色", "committee_posts": "支委职务", "needs_help": "需帮扶",
    "address": "住址", "latitude": "纬度", "longitude": "经度", "created_at": "加入系统时间",
}
PD_BINDING_FIELDS = {
    "openid": "公众号 openid", "unionid": "unionid", "bound_at": "绑定时间",
    "subscribed": "关注公众号", "miniprogram": "小程序 openid", "api_tokens": "小程序登录凭证数",
    "console_accounts": "电脑端账号", "org_admin": "上级党组织管理员", "menu_role": "菜单身份",
}
PD_ATTENDANCE_HEADERS = ("会议", "类型", "开始时间", "地点", "状态", "方式", "原因", "代记录人",
                         "记录时间", "补录")
PD_LEAVE_HEADERS = ("会议", "原因", "申请时间")
PD_STUDY_HEADERS = ("学习内容", "学习时间", "方式", "帮学人")
PD_FEEDBACK_HEADERS = ("学习内容", "类型", "文字", "照片或语音", "发送时间")
PD_RELAY_HEADERS = ("身份", "对方", "通知", "内容", "产生时间", "确认时间")
PD_PAIR_HEADERS = ("身份", "对方", "开始", "结束")
PD_QUESTION_HEADERS = ("身份", "提问人", "问题", "提问时间", "回答", "回答时间")
PD_PREFERENCE_HEADERS = ("字号", "修改时间")
PD_SUBSCRIPTION_HEADERS = ("应用", "模板", "状态", "剩余次数", "修改时间")
PD_INBOUND_HEADERS = ("消息类型", "收到时间", "回复")
PD_AUDIT_HEADERS = ("时间", "操作人", "途径", "操作", "对象", "之前", "之后")
PD_ROLE_HELPER = "帮扶人"
PD_ROLE_HELPED = "帮扶对象"
PD_ROLE_ASKED = "提问"
PD_ROLE_ANSWERED = "回答"
PD_YES = "是"
PD_NO = "否"
PD_FILE_SUFFIX = "个人数据"

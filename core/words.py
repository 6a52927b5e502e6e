"""The vocabulary: words people type or read as labels (the catalog's other half).

Sentences live in core.texts; this module holds the single words and labels they are
built from and that input is matched against: meeting kinds, attendance states, roster
headers, roles, reasons for needing help, separators. Keys are the code's own names
(DESIGN.md section 2); values are what members see and type.
"""

WEEKDAYS = "一二三四五六日"
LIST_SEP = "、"  # between names in a list
ITEM_SEP = "；"  # between items in a list
AND = "和"
ETC = "等"

# 三会一课: the kinds as shown, and the words admins may type in 新建会议.
MEETING_KIND_NAMES = {
    "branch_assembly": "支部党员大会",
    "committee_meeting": "支部委员会会议",
    "group_meeting": "党小组会",
    "party_lecture": "党课",
    "theme_day": "主题党日",
    "life_meeting": "组织生活会",
    "other": "其他会议",
}
MEETING_KIND_WORDS = {
    "党员大会": "branch_assembly", "支部党员大会": "branch_assembly",
    "支委会": "committee_meeting", "支部委员会": "committee_meeting",
    "支部委员会会议": "committee_meeting",
    "党小组会": "group_meeting", "党课": "party_lecture",
    "主题党日": "theme_day", "组织生活会": "life_meeting",
    "其他": "other",
}
DEFAULT_PLACE = "会议地点"

# Attendance: what 补录 accepts, how a state is named, and the ledger's marks.
ATTENDANCE_WORDS = {"出席": "present", "签到": "present", "请假": "leave", "缺席": "absent"}
ATTENDANCE_NAMES = {"present": "出席", "leave": "请假", "absent": "缺席"}
ATTENDANCE_MARKS = {"present": "✓", "leave": "假", "absent": "缺"}
MY_STATE_PRESENT = "已签到"
MY_STATE_LEAVE = "已请假"
MY_STATE_NONE = "未签到"

# Reasons a member needs a helper (需帮扶), as the roster writes them.
NEEDS_HELP_OLD_PHONE = "老式手机"
NEEDS_HELP_LIMITED_MOBILITY = "行动不便"
NEEDS_HELP_NO_WECHAT_SKILLS = "不会用微信"
NEEDS_HELP_NO_PHONE = "无手机"

# The roster file (DESIGN.md section 5).
ROSTER_COLUMNS = ("姓名", "支部", "党小组", "手机", "角色", "需帮扶", "住址")
ROSTER_OPTIONAL_COLUMNS = ("纬度", "经度")
ROSTER_REQUIRED = ("姓名", "支部")
ROSTER_ALIASES = {
    "党支部": "支部", "所在支部": "支部", "小组": "党小组", "手机号": "手机", "手机号码": "手机",
    "电话": "手机", "联系电话": "手机", "地址": "住址", "家庭住址": "住址", "身份": "角色",
}
(COL_NAME, COL_BRANCH, COL_GROUP, COL_PHONE, COL_ROLE, COL_NEEDS_HELP,
 COL_ADDRESS) = ROSTER_COLUMNS
COL_LATITUDE, COL_LONGITUDE = ROSTER_OPTIONAL_COLUMNS
ROLE_MEMBER = "党员"
ROLE_ADMIN = "管理员"
ROLE_HELPER = "帮扶人"
ROLE_ORG_ADMIN = "乡镇组织管理员"
ROLE_BRANCH_ADMIN = "支部管理员"
ROLE_SEPARATORS = r"[、,，/;；\s]+"

# 发布: labelled lines in a post.
POST_WORD = "发布"
POST_VIDEO = "视频"
POST_AUDIO = "音频"
POST_SOURCE = "来源"
POST_SCHEDULE = "定时"
DONE_WORD = "完成"  # 帮学 <姓名> 完成

# 一帮一 matching: why a helper was suggested, or none was.
MATCH_CLOSE = "同一党小组或住址"
MATCH_SAME_BRANCH = "同一支部"
MATCH_DISTANCE = "相距{km:.1f}公里"
MATCH_HELPERS_FULL = "本支部的帮扶人都已满员"
MATCH_NO_HELPERS = "本支部没有帮扶人"

# Command words the menu's buttons run (the handlers register the same words).
CMD_STUDY = "学习"
CMD_MEETINGS = "会议"
CMD_HELPING = "帮学"
CMD_STATS = "统计"
CMD_MINE = "我的"
CMD_HELP = "帮助"

# The account menu (bot/menu.py): button names.
MENU_STUDY = "学习"
MENU_ORG_LIFE = "组织生活"
MENU_MY_MEETINGS = "我的会议"
MENU_HELPING = "帮学"
MENU_STATS = "支部统计"
MENU_MINE = "我的"
MENU_MY_RECORD = "我的记录"
MENU_HELP = "帮助"

# The 台账 workbook.
LEDGER_MEETINGS_SHEET = "会议记录"
LEDGER_MATRIX_SHEET = "出勤表"
LEDGER_COLUMNS = ["序号", "会议类型", "主题", "时间", "地点", "主持人", "记录人", "应到", "实到",
                  "请假", "缺席", "补录"]
LEDGER_NAME = "姓名"
LEDGER_TIMES_PRESENT = "出席次数"
LEDGER_NOT_CLOSED = "未结束"
LEDGER_BACKFILLED = "有"

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
ATTENDANCE_NOT_YET = "未签到"
METHOD_NAMES = {"code": "签到码", "qr": "扫码", "location": "位置", "admin": "管理员登记",
                "helper": "帮扶人代签"}
MEETING_STATUS_NAMES = {"planned": "待召开", "held": "已召开", "cancelled": "已取消"}
AUDIENCE_EVERYONE = "全体党员"
AUDIENCE_COMMITTEE = "支委会成员"
MY_STATE_PRESENT = "已签到"
MY_STATE_LEAVE = "已请假"
MY_STATE_NONE = "未签到"

# Reasons a member needs a helper (需帮扶), as the roster writes them.
NEEDS_HELP_OLD_PHONE = "老式手机"
NEEDS_HELP_LIMITED_MOBILITY = "行动不便"
NEEDS_HELP_NO_WECHAT_SKILLS = "不会用微信"
NEEDS_HELP_NO_PHONE = "无手机"
NEEDS_HELP_OTHER = "其他"  # free words no rule maps: kept as the note
# Free words in the 需帮扶 column, mapped to a reason by what they contain (first match
# wins); the words themselves are kept as the member's note.
NEEDS_HELP_KEYWORDS = (
    (("没有智能手机", "没智能手机", "无智能手机", "没有手机", "没手机", "无手机"),
     NEEDS_HELP_NO_PHONE),
    (("老人机", "老年机", "老式手机", "非智能", "按键机", "老手机"), NEEDS_HELP_OLD_PHONE),
    (("腿", "行动", "瘫", "卧床", "轮椅", "残疾", "走不动", "走路", "出不了门", "不便"),
     NEEDS_HELP_LIMITED_MOBILITY),
    (("不识字", "不认字", "文盲", "眼睛", "视力", "看不清", "耳背", "听不见", "不会用",
      "不会微信", "不会上网", "不会操作", "年纪大", "年老", "高龄"), NEEDS_HELP_NO_WECHAT_SKILLS),
)
# A 需帮扶 cell that says "no" is empty.
NEEDS_HELP_NONE = ("否", "无", "不需要", "不用", "没有", "-", "—", "/", "no", "n")
# 角色: posts on the branch committee (支委会 invites these members).
COMMITTEE_POSTS = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "青年委员", "委员")

# The org tree: kinds as shown, and what a name ends with says its kind (the longest
# endings first: 党总支部 ends with 支部 too).
ORG_KIND_NAMES = {"committee": "党委", "general_branch": "党总支", "branch": "党支部",
                  "group": "党小组"}
ORG_KIND_SUFFIXES = (
    (("小组",), "group"),
    (("总支", "总支部", "总支委员会"), "general_branch"),
    (("支部", "支部委员会"), "branch"),
)
ORG_TOP = "最上层"
INDENT = "\u3000"  # a full-width space: indents the tree in a <select>

# How a console message (an answer) will reach a member, by the outbox row's status.
REACH_HOW = {
    "pending": "一分钟内送到他的微信",
    "held": "他48小时内没有和公众号互动，消息先存着，他下次发消息时送到",
    "relayed": "由他的帮扶人转告",
    "undeliverable": "微信联系不上他（未绑定或已取消关注），请当面或打电话告诉他",
}

# Notice kinds as the console's delivery page names them.
NOTICE_KIND_NAMES = {
    "meeting_notice": "会议通知", "meeting_reminder": "会议提醒", "meeting_cancelled": "会议取消",
    "study_push": "学习提醒", "relay_digest": "转达提醒", "weekly_digest": "每周汇总",
    "compliance_warning": "三会一课预警", "question_answer": "提问回复", "account": "账号通知",
    "draft": "草稿提醒",
}

# The member list export (the roster's columns plus these).
EXPORT_WECHAT = "微信"
EXPORT_HELPER = "帮扶人"
EXPORT_BOUND = "已绑定"
EXPORT_NOT_BOUND = "未绑定"
EXPORT_MEMBERS_SHEET = "党员名册"
EXPORT_MEMBERS_SUFFIX = "党员名册"

# 心得 kinds as the console lists them.
FEEDBACK_KIND_NAMES = {"text": "文字", "image": "照片", "voice": "语音"}

# The audit log's actions as the console shows them.
# Who acted, in the audit log, when it was not a person with a name in the roster.
ACTOR_CLI = "命令行"
ACTOR_JOB = "定时任务"
# The surfaces a change can come from (models.actors.Surface), as the audit page names them.
SURFACE_NAMES = {"chat": "微信对话", "console": "管理后台", "cli": "命令行", "job": "定时任务",
                 "page": "党员页面", "api": "小程序"}

AUDIT_ACTION_NAMES = {
    "meeting.create": "安排会议", "meeting.change": "修改会议", "meeting.cancel": "取消会议",
    "meeting.close": "结束会议",
    "meeting.record": "会议记录", "meeting.photo": "上传照片", "attendance.backfill": "补录签到",
    "question.answer": "回复提问", "question.close": "当面答复",
    "study.publish": "发布学习内容", "study.withdraw": "撤回学习内容", "study.push": "立即推送",
    "pair.apply": "确认结对", "pair.reject": "放弃结对建议", "pair.end": "解除结对",
    "pair.suggest": "生成结对建议",
    "member.unbind": "解绑微信",
    "org.create": "新建组织", "org.rename": "组织改名", "org.move": "调整隶属",
    "roster.import": "导入名册",
}

# The roster file (DESIGN.md section 5).
ROSTER_COLUMNS = ("姓名", "支部", "党小组", "手机", "角色", "需帮扶", "住址")
ROSTER_OPTIONAL_COLUMNS = ("上级党组织", "纬度", "经度")
ROSTER_REQUIRED = ("姓名", "支部")
ROSTER_ALIASES = {
    "党支部": "支部", "所在支部": "支部", "小组": "党小组", "手机号": "手机", "手机号码": "手机",
    "电话": "手机", "联系电话": "手机", "地址": "住址", "家庭住址": "住址", "身份": "角色",
    "上级组织": "上级党组织", "上级党委": "上级党组织", "所属党委": "上级党组织",
}
(COL_NAME, COL_BRANCH, COL_GROUP, COL_PHONE, COL_ROLE, COL_NEEDS_HELP,
 COL_ADDRESS) = ROSTER_COLUMNS
COL_COMMITTEE, COL_LATITUDE, COL_LONGITUDE = ROSTER_OPTIONAL_COLUMNS
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
CMD_BIND = "绑定"
STATS_OWN_BRANCH = ("本支部", "支部")  # 统计 本支部: an org admin's own branch
CMD_CHECK_IN = "签到"
CMD_LEAVE = "请假"
CMD_UNSTUDIED = "未学"
CMD_POST = "发布"
CMD_NEW_MEETING = "新建会议"

# The account menu (bot/menu.py): button names.
# The menus (bot/menu.py): one per role, chosen by WeChat from the member's tag.
MENU_STUDY = "学习"
MENU_CHECK_IN = "签到"
MENU_MINE = "我的"
MENU_MY_MEETINGS = "我的会议"
MENU_MY_RECORD = "学习记录"
MENU_LEAVE_HELP = "怎么请假"
MENU_HELP = "帮助"
MENU_HELPING = "帮扶"
MENU_RELAYS = "帮学清单"
MENU_MANAGE = "管理"
MENU_STATS = "支部统计"
MENU_UNSTUDIED = "谁还没学"
MENU_POST_HELP = "怎么发布"
MENU_MEETING_HELP = "怎么开会"
MENU_BIND = "绑定身份"
MENU_ABOUT = "使用说明"
# The user tags that choose a menu (created on WeChat by `partybot menu publish`).
MENU_TAG_NAMES = {"member": "党员", "helper": "帮扶人", "admin": "支部管理员"}

# The 台账 workbook.
LEDGER_MEETINGS_SHEET = "会议记录"
LEDGER_SUMMARY_SHEET = "汇总"
LEDGER_FILE_NAME = "三会一课台账-{org}-{period}.xlsx"
LEDGER_SUMMARY_FIRST = ["序号", "党支部", "党员数"]
LEDGER_SUMMARY_LAST = ["会议合计", "应到人次", "实到", "请假", "缺席", "出勤率"]
LEDGER_MATRIX_SHEET = "出勤表"
LEDGER_COLUMNS = ["序号", "会议类型", "主题", "时间", "地点", "主持人", "记录人", "应到", "实到",
                  "请假", "缺席", "补录"]
LEDGER_NAME = "姓名"
LEDGER_TIMES_PRESENT = "出席次数"
LEDGER_NOT_CLOSED = "未结束"
LEDGER_BACKFILLED = "有"
DEMO_HISTORY_TOPIC = "学习党的二十大精神"
LEDGER_BOOK_SHEET = "会议记录本"
LEDGER_BOOK_LABELS = {
    "kind": "会议类型", "status": "会议状态", "time": "时间", "place": "地点",
    "host": "主持人", "recorder": "记录人", "lecturer": "授课人", "number": "会议编号",
    "topic": "会议主题", "expected": "应到人数", "present": "实到人数", "leave": "请假人数",
    "absent": "缺席人数", "present_names": "出席人员", "leave_names": "请假人员及原因",
    "absent_names": "缺席人员", "backfilled": "补录情况", "minutes": "会议内容（纪要）",
    "photos": "会议照片", "recorder_sign": "记录人签字", "host_sign": "主持人签字",
}
LEDGER_BOOK_NONE = "无"
LEDGER_BOOK_NO_REASON = "未说明原因"
LEDGER_BOOK_NO_MINUTES = "（未填写会议纪要）"

# The tolerant reader (core/reading.py): what people type for a command word.
# Misspellings (same sound, neighbouring key) and spoken forms, read at the start of a
# message like the command word itself.
COMMAND_ALIASES = {
    "签道": "签到", "签倒": "签到", "前到": "签到", "我要签到": "签到", "我签到": "签到",
    "清假": "请假", "情假": "请假", "我要请假": "请假", "我请假": "请假",
    "以学": "已学", "己学": "已学", "巳学": "已学",
    "帮组": "帮助", "帮住": "帮助",
    "代签到": "代签", "带签": "代签", "待签": "代签", "带请假": "代请假",
    "绑订": "绑定", "帮定": "绑定", "会义": "会议",
}
# Phrases that mean a command when they are the whole message (after trailing
# punctuation): "学习了党章，很受教育" is a 心得, "学习了" is 已学.
COMMAND_PHRASES = {
    "已学习": "已学", "学习了": "已学", "学完了": "已学", "学好了": "已学", "学过了": "已学",
    "看完了": "已学", "我学完了": "已学", "已经学了": "已学", "已经学习了": "已学",
    "已经学完了": "已学", "我已学": "已学", "我学习了": "已学", "学完": "已学",
    "菜单": "帮助", "怎么用": "帮助", "开会": "会议", "有什么会": "会议",
    "今天学什么": "学习", "学习内容": "学习", "我要学习": "学习",
}
# Chinese numerals, read in codes and numbers ("签到一二三四", "学习 十二").
DIGIT_NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9}
UNIT_NUMERALS = {"十": 10, "百": 100, "千": 1000}
# Trailing punctuation people add to a command ("签到 1234。"); between a command word
# and its arguments, these separate like a space ("签到：1234", "签到，一二三四").
TRAILING_PUNCTUATION = "。.，,！!？?~～、；;…"
ARGUMENT_SEPARATORS = ",，、：:；;。"

# Small talk (core/conversation.py): what people say that is not a command. Kinds pick
# the first half of the answer; the second half is the member's most useful next step.
SMALL_TALK = {
    "greeting": ("你好", "您好", "你们好", "大家好", "在吗", "在不在", "早", "早上好", "上午好",
                 "中午好", "下午好", "晚上好", "hello", "hi", "哈喽"),
    "thanks": ("谢谢", "谢谢你", "谢谢您", "多谢", "感谢", "辛苦了", "辛苦", "谢了", "thanks"),
    "ack": ("收到", "好", "好的", "好滴", "嗯", "嗯嗯", "哦", "噢", "知道了", "明白", "明白了",
            "ok", "okay", "行", "可以", "是的", "对", "没问题", "了解", "收到了", "好嘞"),
    "bye": ("再见", "拜拜", "晚安", "bye"),
}
# A question: these words, or a question mark. "我学了没有" ends in 没有; "在哪" asks.
QUESTION_MARKERS = ("怎么", "怎样", "如何", "什么", "哪", "几点", "几号", "多少", "为啥",
                    "为什么", "是不是", "是否", "能不能", "可不可以", "有没有", "吗", "呢")
QUESTION_ENDINGS = ("没有", "吗", "呢", "么", "没")
TRAILING_PARTICLES = "~～啊呀啦哈了的吧"  # "好的呀！" is "好的"
# What a question is about → the command whose help answers it (first match wins).
# Commands marked in QUESTION_RUNS are answered by running them ("会议什么时候开").
QUESTION_TOPICS = (
    (("代签",), "代签"), (("代请假",), "代请假"), (("签到", "签码", "签到码"), "签到"),
    (("请假", "不能来", "来不了", "去不了"), "请假"),
    (("学了没", "学没学", "学过没", "我的记录", "记录"), "我的"),
    (("会", "开会"), "会议"), (("心得",), "已学"), (("学",), "学习"),
    (("绑定", "绑"), "绑定"), (("帮扶", "帮学", "转达"), "帮学"), (("发布",), "发布"),
    (("统计",), "统计"),
)
QUESTION_RUNS = ("会议", "我的")

# Dates as people write them (core/dates.py).
RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
WEEK_WORDS = ("周", "星期", "礼拜")
NEXT_WEEK = "下"  # 下周五
WEEKDAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                   "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
# Parts of the day: a "3点" after these is 15:00.
AFTERNOON_WORDS = ("下午", "晚上", "傍晚", "晚")
MORNING_WORDS = ("上午", "早上", "早晨", "凌晨", "清早", "早")
NOON_WORDS = ("中午",)
DATE_WORDS = {"year": "年", "month": "月", "days": "日号", "hour": "点时", "half": "半",
              "minute": "分"}

# 帮助: the commands shown first for each role (8 lines at most; 帮助 <命令> for the rest).
HELP_FOR_STRANGER = ("绑定", "帮助")
HELP_FOR_MEMBER = ("签到", "请假", "学习", "已学", "会议", "我的")
HELP_FOR_HELPER = ("帮学", "代签", "代请假", "签到", "学习", "已学")
HELP_FOR_ADMIN = ("新建会议", "改会议", "结束会议", "发布", "统计", "未学")
HELP_FOR_ORG_ADMIN = ("发布", "学习", "签到", "会议", "我的", "请假")
HELP_ALL = "全部"  # 帮助 全部: every command this person may use
MORE_WORD = "更多"  # the next page of a long reply
# While a draft is open these still act as commands; any other text joins the draft.
DRAFT_WORDS = ("预览", "发送", "取消", "帮助", "更多", "发布")

# Issue 24 (members, the org tree, console accounts): the audit log's names for their changes.
AUDIT_ACTION_NAMES.update({
    "member.bind": "绑定微信", "member.unsubscribe": "取消关注", "org.admin": "任命组织管理员",
    "console_user.add": "新建控制台账号", "console_user.password": "修改控制台密码",
})

# Issue 24 (pairing): the audit log's names for the 一帮一 changes every surface makes.
AUDIT_ACTION_NAMES.update({
    "pair.create": "结对", "relay.confirm": "确认已转达", "relay.proof": "转达凭证",
    "relay.escalate": "转达逾期上报",
})

# Issue 24 (study and questions): the audit log's names for their changes.
AUDIT_ACTION_NAMES.update({
    "study.edit": "修改学习内容", "study.studied": "已学", "study.feedback": "学习心得",
    "study.draft_expire": "草稿过期作废", "question.ask": "党员提问",
})

# Issue 24 (meetings): the audit log's names for the meeting actions added with it.
AUDIT_ACTION_NAMES.update({
    "meeting.invitees": "调整参会人员", "attendance.check_in": "代签到",
    "attendance.leave": "代请假",
})

# Issue 24 (audit page): the date fields, as the filter's messages name them
AUDIT_FILTER_SINCE = "从"
AUDIT_FILTER_UNTIL = "到"

# Issue 24 (jobs): the scheduled push, now an action like the others.
AUDIT_ACTION_NAMES.update({"study.pushed": "定时推送学习内容"})
AUDIT_FIELD_NAMES_PUSHED = {"told": "通知人数"}  # merged into AUDIT_FIELD_NAMES below

# Issue 25 (console org form): the kind an org's name suggests. The name's own ending
# first (…党支部 says it); else the place it is named after: a village or a community
# has a 党支部, a township, a town or a street office a 党委 (first match wins).
ORG_KIND_NAMED = (
    (("小组",), "group"),
    (("总支", "总支部", "总支委员会"), "general_branch"),
    (("支部", "支部委员会"), "branch"),
    (("党委", "工委", "党组", "党工委", "委员会", "县委", "市委", "区委"), "committee"),
)
ORG_KIND_PLACES = (
    (("村", "社区", "居委会", "村委会", "组", "队", "屯", "庄", "公司", "厂", "学校", "小学",
      "中学", "医院", "卫生院", "站", "所", "中心", "合作社", "协会"), "branch"),
    (("镇", "乡", "街道", "街道办", "县", "区", "市", "局", "委"), "committee"),
)
# Issue 25 (removing an org): what still hangs on an org, by table, as the refusal names it.
ORG_HOLDS = {
    "org": "下级组织", "member": "党员", "meeting": "会议", "meeting_invite": "联合会议",
    "study_item": "学习内容", "pending_post": "待发布的内容", "post_draft": "学习草稿",
    "question": "党员提问",
    "console_user": "后台账号", "org_admin": "组织管理员", "stored_file": "上传的文件",
    "roster_import": "名册导入记录",
}
ORG_HOLDS_OTHER = "其他记录"
AUDIT_ACTION_NAMES.update({"org.remove": "删除组织"})

# Issue 25 (audit page): the fields the actions keep before and after a change, as the
# audit page names them (models.console.audit_display); a field not named here is shown
# by its own name rather than hidden.
AUDIT_FIELD_NAMES = {
    # meetings and attendance
    "kind": "类型", "starts_at": "开始时间", "ends_at": "结束时间", "place": "地点",
    "topic": "主题", "status": "状态", "code": "签到码", "invitees": "参会人员",
    "present": "出席人数", "leave": "请假人数", "absent": "缺席人数", "minutes": "会议纪要",
    "recorder_id": "记录人", "lecturer_id": "授课人", "photo": "照片", "bytes": "大小",
    "member": "党员", "method": "方式", "reason": "原因",
    # 一帮一
    "helper": "帮扶人", "needing": "需帮扶人数", "suggested": "建议结对", "unmatched": "未配上",
    "relays": "转达条数", "study": "学习内容", "members": "党员", "pieces": "份数",
    # members, the org tree, console accounts
    "wechat": "微信", "name": "名称", "parent": "上级组织", "admin": "管理员",
    "login": "账号", "org": "组织", "sessions_ended": "结束的登录",
    # the roster
    "added": "新增", "changed": "修改", "moved": "换了支部", "removed": "移除",
    "unchanged": "未变", "orgs_created": "新建组织", "orgs_moved": "调整隶属的组织",
    # study and questions
    "title": "标题", "body": "正文", "link": "链接", "images": "图片", "push_at": "推送时间",
    "publish_at": "发布时间", "dropped": "取消的推送", "answer": "回复",
}
# Coded values, by the field that holds them (kinds of meetings, 心得 and orgs never share
# a code, nor do meeting and attendance states).
AUDIT_VALUE_NAMES = {
    "kind": {**MEETING_KIND_NAMES, **FEEDBACK_KIND_NAMES, **ORG_KIND_NAMES},
    "status": {**MEETING_STATUS_NAMES, **ATTENDANCE_NAMES},
    "method": METHOD_NAMES,
}
AUDIT_MEMBER_FIELDS = ("recorder_id", "lecturer_id")  # member ids: shown by name
AUDIT_EMPTY = "（空）"
AUDIT_YES = "是"
AUDIT_NO = "否"
AUDIT_REMOVED = "（已删除）"
AUDIT_BYTES = "{kb} KB"
AUDIT_FIELD_VALUE = "{field}：{value}"  # a field inside a stored value

AUDIT_FIELD_NAMES.update(AUDIT_FIELD_NAMES_PUSHED)

# Issue 25: township staff asking which branches are behind (core/branch_questions.py):
# a word for falling behind, and a word for branches (or "which", "who").
LAGGING_WORDS = ("落后", "掉队", "拖后腿", "没开", "未开", "没有开", "没召开", "未召开",
                 "没完成", "未完成", "没有完成", "没落实", "未落实", "没有落实", "不达标",
                 "没达标", "差的", "最差")
LAGGING_UNITS = ("支部", "村", "哪些", "哪个", "哪几个", "哪家", "谁家", "谁")
LAGGING_ALL_KINDS = ("三会一课", "开会", "会议", "会")
# 统计 <支部名>: words after 统计 that mean the whole org, not one branch
STATS_WHOLE_ORG = ("全部", "全乡", "全镇", "全县", "所有", "所有支部", "全部支部", "总体", "汇总")
STATS_FILLERS = ("一下", "下", "看看", "看")  # 统计一下辽原村
BRANCH_NAME_SUFFIXES = ("党支部", "支部", "党总支")
LAGGING_OPEN_WORDS = ("没开", "未开", "没有开", "没召开", "未召开")
LAGGING_MEETING_HINTS = ("会", "课", "党日")

# Issue 25, item 5: the short name of each meeting kind, for a change notice's first line
# and its template keyword (20 characters with the old time: "组织生活会改期，原12月19日19:00")
MEETING_KIND_SHORT_NAMES = {
    "branch_assembly": "党员大会", "committee_meeting": "支委会", "group_meeting": "党小组会",
    "party_lecture": "党课", "theme_day": "主题党日", "life_meeting": "组织生活会",
    "other": "会议",
}
# 改会议: the words that say a meeting moves or changes place ("改到", "推迟到" …), and
# those that name what changes
MEETING_CHANGE_VERBS = ("改到", "改为", "改成", "改在", "改至", "推迟到", "推到", "延期到",
                        "延到", "提前到", "挪到", "换到", "调到", "调整到", "调整为", "移到")
MEETING_CHANGE_PLACE_WORDS = ("地点", "会场", "开会地点")
MEETING_CHANGE_TIME_WORDS = ("时间", "开会时间")
MEETING_CHANGE_CONFIRM = "确认"
# Words that show a text meant a time (then a missing hour is asked for, not taken as a
# place): days, parts of the day, clock words
MEETING_TIME_HINTS = ("今天", "明天", "后天", "周", "星期", "礼拜", "月", "号", "点", "上午",
                      "下午", "晚上", "早上", "中午", "凌晨", "傍晚", "夜里", ":")
MEETING_CHANGE_SEPARATORS = " ：:，,。、"
MEETING_CHANGE_LEADING = ("把", "将", "改", "在")  # "把…", "改在…", "在党员活动室"
MEETING_CHANGE_AFTER_WHAT = ("为", "是")  # "地点为…", "时间是…"
MEETING_CHANGE_BEFORE_CODE = ("把", "将", "会议")  # "把4587…", "会议4587…"
MEETING_CHANGE_AFTER_CODE = ("号", "的", "会议", "会")  # "4587号会议…", "4587的会…"
DAY_MARKS = "月号日"  # "12号", "10日"
MEETING_CHANGE_WORD = "改"  # "改地点…", "改时间…"

# Issue 25 (branch questions): a place named with 会 that is no meeting ("村委会没开门")
LAGGING_PLACE_NOT_MEETING = "村委会"
LAGGING_BRANCH_WORD = "支部"  # a question naming a 支部 is about its meetings
STATS_ASKED_PARTICLES = "吗呢"  # "统计了吗", "统计呢": particles after 统计, not a name

# Issue 25 (心得 and small talk, core/conversation.py): what a reflection on a study item
# sounds like. A message in the 心得 window is kept when it uses these words or the
# item's own, or is long enough, and is no question, greeting or request.
REFLECTION_WORDS = (
    "学习", "学了", "学到", "学会", "读了", "看了", "听了", "体会", "心得", "收获", "感悟",
    "感受", "感想", "受教育", "受益", "启发", "启示", "认识到", "意识到", "明白了", "懂得",
    "深刻", "领会", "理解", "精神", "思想", "初心", "使命", "宗旨", "信念", "党性", "党章",
    "党史", "理论", "落实", "带头", "践行", "贯彻", "牢记", "坚定", "坚持", "不忘", "榜样",
    "模范", "先锋", "奉献", "担当", "为人民", "为民", "服务群众", "讲话", "总书记", "全会",
    "二十大", "文章", "讲得", "写得", "说得", "有道理", "记住",
    "记在心", "铭记", "努力", "争做", "作为党员", "作为一名", "今后", "更好地", "群众",
    "办实事",
)
# A reflection at least this many characters long needs none of those words.
REFLECTION_MIN_CHARS = 15
# Words that say a message is about something else: plans, errands, daily life,
# requests and troubles. Checked after the reflection words ("请假" alone is no 心得).
NOT_REFLECTION_WORDS = (
    "请假", "去不了", "来不了", "不去", "不来", "有事", "没空", "到了", "我到", "到家",
    "路上", "马上", "入党", "党费", "我要", "我想", "帮我", "帮忙", "麻烦", "请你", "天气",
    "下雨", "下雪", "吃饭", "没学", "没看", "还没", "看不清", "看不懂", "听不清", "打不开",
    "不会", "明天", "后天", "晚上", "放假", "回来", "丢了",
)
# Characters too common to make an item's words its own ("今天", "我们" are no topic).
ITEM_WORD_COMMON = "的了是在和与及我你他她它们这那有不也都就要会个一二上下中今天明年月日" \
                   "说去来好很吗呢吧啊把被给对从向到以为而之其第"
# Small talk beyond words.SMALL_TALK (as core.conversation compares them: without the
# trailing 了, 的, 啊 …): more greetings and thanks, the ways of addressing
# someone before them ("李书记你好"), the words that strengthen thanks ("太感谢了"),
# and greetings asked as questions ("吃了吗", "忙吗", "最近身体好吗": "care").
SMALL_TALK_MORE = {
    "greeting": ("新年好", "过年好", "节日好", "节日快乐", "新年快乐", "春节好", "好久不见",
                 "有人吗", "在么", "人呢", "在干嘛", "你在干嘛", "在干什么", "你在干什么",
                 "在忙什么", "你在忙什么", "你在干啥", "在干啥"),
    "thanks": ("麻烦", "麻烦你", "麻烦您", "辛苦你", "辛苦您", "感谢你", "感谢您", "谢谢你们",
               "谢谢大家", "感谢支部", "感谢组织", "多谢多谢", "谢谢谢谢", "感谢感谢", "劳驾",
               "费心"),
    "ack": ("没事", "没啥事", "没什么", "没什么事", "没关系", "不用", "不用谢", "行行", "中",
            "得嘞", "晓得", "懂"),
}
LAUGHTER = "哈呵嘿嘻"  # "哈哈", "呵呵呵": answered like an emoji
ADDRESS_TITLES = ("书记", "支书", "主任", "老师", "同志", "领导", "委员", "大家", "各位",
                  "大姐", "大哥", "叔", "姨", "您", "你")
THANKS_STRONGER = ("真是太", "实在", "非常", "十分", "特别", "万分", "真是", "太", "真", "好")
# A short question made of these, and of no command's topic, asks after you ("吃了吗").
CARE_STEMS = ("吃", "喝", "忙", "身体", "最近", "近来", "好吗", "好不好", "还好", "睡", "休息",
              "在家", "干嘛", "在吗", "在不")
CARE_MAX_CHARS = 8
# "吃什么" asks a fact; "我不去了好吗" asks leave: no greeting
CARE_NOT_WITH = ("什么", "哪", "几", "多少", "为", "谁", "怎么办", "啥", "我")
ADDRESS_GREETING = "好"  # "王书记好"
# "What should I do?": a doing word followed by a "what", or a word for a task.
TODO_VERBS = ("干", "做", "办", "弄")
TODO_WHAT = ("什么", "啥", "哪些", "些什么", "点什么", "点啥")
TODO_TASKS = ("任务", "安排", "要办", "要做", "要干", "要我")
TODO_OTHERS = ("他", "她", "它", "别人", "人家")  # asking about someone else is a question
TODO_MAX_CHARS = 14
# Question words beyond words.QUESTION_MARKERS ("入党申请书交给谁").
A_NOT_A = "不"  # "忙不忙", "开不开会": a question without a question word
QUESTION_MARKERS_MORE = ("谁", "咋", "啥", "几时", "多久", "要不要", "行不行", "对不对", "请问",
                         "想问", "问一下", "问问")

# Issue 25: the 心得 a member takes back, and questions dismissed in the console.
COMMAND_ALIASES.update({
    "撤销心得": "撤回心得", "删除心得": "撤回心得", "删掉心得": "撤回心得", "取消心得": "撤回心得",
    "心得撤回": "撤回心得", "撤回学习心得": "撤回心得", "删除学习心得": "撤回心得",
})
AUDIT_ACTION_NAMES.update({"study.feedback_withdraw": "撤回学习心得",
                           "question.dismiss": "忽略提问"})
# Issue 25: what a withdrawn 心得 said, in the audit log.
AUDIT_FIELD_NAMES.update({"text": "内容"})

# Issue 25 item 12 (core/dates.py): more of the ways secretaries write a meeting's time.
PAST_DAYS = {"昨天": -1, "昨日": -1, "前天": -2}  # read so the reply can say it has passed
THIS_WEEK = ("这", "本")  # 这周五, 本周五
# One word for a day and its part: 今晚8点 is 今天晚上8点.
DAY_AND_PART = {"今晚": ("今天", "晚上"), "今早": ("今天", "早上"), "明早": ("明天", "早上"),
                "明晚": ("明天", "晚上"), "昨晚": ("昨天", "晚上"), "后晚": ("后天", "晚上")}
NIGHT_WORDS = ("夜里", "半夜", "深夜", "夜间")  # 夜里11点 is 23:00, 半夜2点 is 02:00
QUARTER_HOURS = {"一刻": 15, "三刻": 45}  # 3点一刻
HOUR_SUFFIX = "钟"  # 3点钟
# Between the parts of 新建会议 people type commas as often as spaces.
MEETING_PART_SEPARATORS = ",，、；;:："
# Other words for 新建会议 (the console's button says 安排会议).
MEETING_NEW_ALIASES = {"安排会议": "新建会议", "创建会议": "新建会议", "新增会议": "新建会议",
                       "添加会议": "新建会议", "新开会议": "新建会议"}
COMMAND_ALIASES.update(MEETING_NEW_ALIASES)
# Answers that confirm what the bot asked ("回复「是」").
YES_WORDS = ("是", "是的", "对", "对的", "确认", "确定", "好", "好的", "可以", "没错", "嗯")
# The hour offered as an example when the secretary named only the part of the day.
EXAMPLE_HOURS = {"上午": 9, "早上": 8, "下午": 3, "中午": 12, "晚上": 7}
WEEKDAY_BRACKETS = ("（(", "）)")  # 12月10日（周四）
PLACE_ENDS = "，、；;："  # a place ends at these (and at an ASCII comma not before a digit)
# Labels copied from a notice ("时间：明天下午3点 地点：村委会 主题：学习党章"): skipped.
MEETING_LABELS = {"time": ("会议时间", "开会时间", "时间"),
                  "place": ("会议地点", "开会地点", "地点"),
                  "topic": ("会议主题", "会议内容", "主题", "内容", "议题")}
# 下个月5号, 本月20日: a day of this month or the next.
MONTH_OFFSETS = {"下个月": 1, "下月": 1, "本月": 0, "这个月": 0, "这月": 0}
# Said to a 新建会议 question: the meeting is not arranged after all.
MEETING_PENDING_DROP = ("取消", "算了", "不开了", "不安排了", "不要了", "取消会议", "先不开了")

# Issue 25 (words elderly members say, core/conversation.py): "I'm here" said any way.
# Who may be named before it, words that may stand between, what "here" may be.
ARRIVAL_SUBJECTS = ("我们", "我", "俺们", "俺", "咱们", "咱", "本人")
ARRIVAL_ADVERBS = ("已经", "早就", "刚刚", "已", "都", "刚", "现在", "也", "早", "准时")
ARRIVAL_VERBS = ("来参加会议", "来参加会", "来参会", "来开会", "来报到", "来签到", "赶到",
                 "到达", "到场", "到会", "到位", "来到", "报到", "报道", "签到", "过来", "到", "来")
# Particles said between and after the words ("到了到了", "我到了哦"): read past them.
ARRIVAL_PARTICLES = "了啦啊呀哦哈喽咯嘛"
ARRIVAL_PLACES = ("会场", "会议室", "现场", "村委会", "村部", "活动室", "党员活动室",
                  "党群服务中心", "这里", "这儿", "这边", "开会的地方")
ARRIVAL_ADDRESSES = ("书记", "主任", "同志", "领导", "老师", "组长", "委员")
# Leave said in sentences: asking for it, or saying one cannot come.
LEAVE_ASKED = r"请(?:个|一下|一天|天|半天|一次)?假|告(?:个)?假"
LEAVE_CANNOT = (r"(?:不能|没法|没办法|无法|不能够)(?:去|来|参加|到会|到场|出席|参会|过去|过来)"
                r"|(?:去|来|参加|到|出席|参会|赶|回|过去|过来|开)不(?:了|成|上|到|来|回来|过去)"
                r"|不(?:去|来|参加|出席|参会)了|走不开|脱不开身|抽不开身|抽不出(?:时间|空)"
                r"|没(?:时间|空)(?:去|来|参加|开会)")
LEAVE_MAX_CHARS = 60  # longer words are a 心得 or a letter, not a leave request
# Words around the reason that are not the reason ("我今天去不了了" has none).
LEAVE_FILLER = (r"我们|我|俺|咱|本人|今天|明天|后天|今晚|明晚|明早|今儿|明儿|晚上|上午|下午|"
                r"这次|这回|到时候|那天|的会议|的会|这个会|会议|开会|会|想|要|得|可能|恐怕|"
                r"估计|实在|真的|是|就|也|都|去|来|参加|了|啊|呀|啦|哦|吧|的|个|一下|因为|"
                r"由于|所以|因此|那个|这个|不好意思|抱歉|对不起|书记|请|假")
LEAVE_REASON_PREFIXES = ("因为", "由于", "原因是", "原因", "理由")
LEAVE_DAYS = {"今天": 0, "今晚": 0, "今儿": 0, "今日": 0, "今早": 0, "明天": 1, "明晚": 1,
              "明早": 1, "明儿": 1, "明日": 1, "后天": 2}
# "签到码是多少", "我忘了签到码": the code asked for or forgotten.
CODE_WORDS = ("签到码", "签码", "会议码", "签到号", "码")
CODE_FORGOTTEN_MARKERS = ("忘", "多少", "是什么", "是啥", "几", "哪", "不知道", "没有", "没收到",
                          "找不到", "记不", "想不起", "丢", "啥")
# Answers to 请假's "回复「是」确认".
LEAVE_YES_WORDS = ("是", "是的", "对", "对的", "确认", "确定", "好", "好的", "嗯", "嗯嗯", "行",
                   "可以", "要", "请假", "没错", "ok", "是啊", "对啊", "确认请假", "y", "yes")
NO_WORDS = ("不", "不是", "否", "不用", "不用了", "算了", "取消", "不请了", "不请假", "不要",
            "不了", "no", "n", "不对")
# Help's placeholders copied with the command ("请假 <4587> ‹家里有事>"): brackets to drop.
PLACEHOLDER_BRACKETS = "<>〈〉《》‹›«»【】[]「」『』"
PLACEHOLDER_COMMANDS = ("签到", "请假", "代签", "代请假", "绑定", "补录", "取消会议", "结束会议",
                        "帮学", "学习", "撤回", "推送", "结对", "解除结对", "解绑")
# Help's placeholder names, copied as if they were the arguments ("请假 签到码 原因").
PLACEHOLDER_NAMES = ("签到码", "原因", "姓名", "签到码或会议编号", "手机后四位", "编号")
# Between the clauses of a sentence ("我今天去不了了，家里有事"), and what trims a reason.
CLAUSE_SEPARATORS = "，,。.！!；;、"
CLAUSE_SEP = "，"
REASON_EDGES = " ：:我俺~～啊呀啦哈吧"
ARRIVAL_BEING_AT = ("已在", "在")  # "我在会场": only with a place
# A quote's own full stop before the sentence's ("「我到了。」。"): the quote's goes.
QUOTE_CLOSE = "」"
QUOTE_OWN_STOPS = "。.！!"
QUOTE_FOLLOWING_STOPS = "。，,"

# 绑定 as people write it (core/bind_reading.py): the words for "bind", what names the
# phone number before it ("手机尾号是0007"), and words around a name that are no name.
BIND_WORDS = ("绑定", "绑订", "帮定", "绑")
BIND_NUMBER_NAMES = ("联系电话", "手机号码", "手机号", "手机", "电话号码", "电话", "号码")
BIND_SUFFIX_NAMES = ("最后四位数字", "后四位数字", "最后四位", "后四位", "末四位", "尾号", "尾数")
BIND_SUFFIX_DIGIT_SPELLINGS = {"后4位": "后四位", "末4位": "末四位"}  # the 4 is no number
BIND_OF = "的"
BIND_IS = ("是", "为")
BIND_FILLERS = ("我的名字", "名字", "姓名", "我叫", "我是", "本人", "叫做", "请帮我", "帮我",
                "我要", "我想", "想要", "申请", "一下", "微信", "公众号", "身份", "党员", "怎么",
                "如何", "可以", "请", "吗", "呢")
BIND_NAME_PREFIXES = ("是", "叫", "为")  # "姓名是陈强", "名字叫陈强"
BIND_NOT_NAME_STARTS = "我你您他她这那"  # no name starts so: "我到了 1234" is no binding
BIND_PROMPT_MARK = "手机后四位"  # in every answer that asks a stranger to bind
PHONE_ONE = "幺"  # how a 1 is said in a phone number

# Traditional characters read as simplified (core/simplified.py): pairs "繁简", common
# characters of command words, surnames and given names; each traditional one once.
TRADITIONAL_SIMPLIFIED = """
綁绑 簽签 請请 學学 習习 會会 議议 幫帮 結结 對对 統统 計计 發发 佈布 領领 務务 時时 間间
點点 開开 關关 問问 題题 說说 話话 這这 個个 們们 來来 為为 麼么 嗎吗 還还 沒没 進进 過过
號号 碼码 機机 電电 數数 後后 黨党 員员 記记 錄录 轉转 達达 經经 聽听 謝谢 見见 現现 東东
車车 從从 動动 參参 與与 無无 變变 課课 組组 書书 處处 給给 讓让 認认 證证 識识 讀读 寫写
應应 該该 樣样 歲岁 兒儿 爺爷 媽妈 頭头 聯联 繫系 係系 門门 禮礼 體体 當当 歡欢 產产 氣气
實实 際际 義义 國国 華华 區区 縣县 鄉乡 鎮镇 長长 極极 績绩 勞劳 衛卫 資资 費费 錢钱 繳缴
帶带 輕轻 單单 雙双 選选 舉举 擇择 檢检 測测 網网 絡络 訊讯 掃扫 條条 愛爱 親亲 覺觉 導导
師师 歷历 曆历 歸归 壞坏 難难 幾几 萬万 億亿 兩两 剛刚 離离 頁页 週周 樓楼 層层 廳厅 廣广
場场 邊边 遠远 遲迟 總总 續续 須须 願愿 顧顾 類类 顯显 視视 頻频 圖图 聲声 響响 語语 訴诉
詢询 誰谁 練练 紅红 綠绿 藍蓝 黃黄 鐘钟 錶表 種种 裡里 裏里 臺台 夠够 趕赶 錯错 舊旧 換换
辦办 醫医 廠厂 幹干 準准 製制 適适 讚赞 衝冲 並并 別别 將将 稱称 溝沟 鬧闹 獲获 據据 範范
纔才 陳陈 張张 劉刘 趙赵 孫孙 鄭郑 馮冯 韓韩 吳吴 楊杨 許许 葉叶 蕭萧 鄧邓 盧卢 閻阎 羅罗
譚谭 湯汤 龔龚 賈贾 蔣蒋 蘇苏 韋韦 鍾钟 鄒邹 龍龙 嚴严 閆闫 賀贺 鄔邬 婁娄 歐欧 陸陆 馬马
喬乔 賴赖 鮑鲍 莊庄 鄺邝 聶聂 溫温 齊齐 紀纪 畢毕 魯鲁 談谈 諸诸 呂吕 強强 偉伟 軍军 麗丽
鳳凤 雲云 輝辉 亞亚 寶宝 貴贵 蘭兰 興兴 慶庆 鵬鹏 飛飞 濤涛 懷怀 寧宁 靜静 艷艳 鳴鸣 順顺
傑杰 濱滨 瑩莹 榮荣 勝胜 鋒锋 鐵铁 銀银 蓮莲 貞贞 樹树 權权 緒绪 維维 綱纲 環环 瓊琼 嬌娇
嬋婵 鶯莺 鵑鹃 曉晓 潔洁 燁烨 煒炜 淵渊 澤泽 滿满 漢汉 壽寿 祿禄 財财 傳传 賢贤 聖圣 鋼钢
紹绍 純纯 緯纬 彥彦 風风 鴻鸿 濟济 賓宾 倫伦 綺绮 詩诗 夢梦 婭娅 儀仪 瑤瑶 穎颖 頌颂 韻韵
嶺岭 穩稳 軒轩 陽阳 陰阴 鈞钧 錦锦 銘铭 錫锡 鏡镜 潤润 瀾澜 灣湾 躍跃 運运 連连 鄰邻 隊队
陣阵 頓顿 頂顶 顏颜 額额 養养 騰腾 驥骥 驍骁 鶴鹤 麥麦 齡龄 賽赛 贊赞 輪轮 農农 闖闯 靈灵
頤颐 飄飘 饒饶 驕骄 鮮鲜 鷹鹰 蕓芸 團团 揚扬 瑋玮 駿骏 鑒鉴 廈厦 島岛 嶽岳 彙汇 擔担 壇坛
傢家 捨舍 穀谷 麵面 鬆松 穫获 憶忆 戰战 戶户 擁拥 貧贫 窮穷 幣币 復复 驗验 簡简 辭辞 職职
軟软
"""

# Issue 26 (member pages /m/): the bottom bar and the font-size switch.
PAGE_NAV_HOME = "首页"
PAGE_NAV_STUDY = "学习"
PAGE_NAV_MEETINGS = "会议"
PAGE_NAV_ME = "我的"
PAGE_NAV_HELPER = "帮扶"
PAGE_FONT_SIZES = {"standard": "标准", "large": "大", "xlarge": "特大"}
# Issue 26: the 订阅通知 channel, as 统计, the console and the sandbox name it.
CHANNEL_SUBSCRIBE = "订阅通知"
# Issue 26: the audit log's name for a subscription changed for someone else.
AUDIT_ACTION_NAMES.update({"subscription.change": "订阅通知设置"})

# Issue 26 (我的 / 帮扶 pages): statuses and how a member checked in.
PAGE_ATTENDANCE = {"present": "出席", "leave": "请假", "absent": "缺席", "upcoming": "待参加"}
PAGE_CHECKIN_METHODS = {"code": "签到码", "qr": "扫码", "location": "定位"}
PAGE_LEAVE_STATES = {"before": "会议还没开", "granted": "已准假", "cancelled": "会议已取消"}
PAGE_STUDIED = "已学"
PAGE_NOT_STUDIED = "未学"
PAGE_MEETING_CANCELLED = "会议已取消"

# Issue 26: the role menus' VIEW buttons to the member pages (with PARTYBOT_PUBLIC_URL).
MENU_STUDY_PAGE = "学习内容"
MENU_MEETINGS_PAGE = "我的会议"
MENU_MY_YEAR = "我的记录"
MENU_HELPED_PAGE = "我帮扶的人"
# The sandbox chat page: open the chosen member's pages.
SANDBOX_MEMBER_PAGES = "这位成员的页面"
# Issue 26: the mini-program (models.api), in the audit log
AUDIT_FIELD_NAMES["miniprogram"] = "小程序"
# Issue 27 (personal data on request): the audit log's names for export and forget.
AUDIT_ACTION_NAMES.update({"member.export": "导出个人数据", "member.forget": "注销个人数据"})
# Issue 28 (整顿台账): the workbook's sheet and the audit log's names (models.rectification)
RECTIFY_SHEET = "整顿台账"
RECTIFY_SHEET_TITLE = "软弱涣散党组织整顿台账（{years}年）"
RECTIFY_COLUMNS = ["序号", "支部", "年度", "问题类别", "问题", "整改措施", "责任人", "挂点领导",
                   "整改时限", "状态", "销号时间", "销号人"]
RECTIFY_STATES = {"open": "整改中", "overdue": "已超期", "closed": "已销号",
                  "closed_late": "已销号（超期）"}
AUDIT_ACTION_NAMES.update({
    "rectify.mark": "列入软弱涣散", "rectify.problem": "登记整顿问题",
    "rectify.milestone": "整顿节点完成", "rectify.close": "整顿问题销号",
    "rectify.reopen": "整顿问题重新打开", "rectify.confirm": "确认整顿销号"})
NOTICE_KIND_NAMES["rectify_warning"] = "整顿提醒"
# The problem categories a county files its weak branches' problems under (the county
# report behind issue 28 used these six): models.rectification.tables.CATEGORIES. Edit
# to match the county's own rules; a category is stored as its text, so renaming one
# leaves older problems as they were.
RECTIFY_CATEGORIES = ("班子不强", "组织生活不规范", "党员管理松散", "作用发挥不明显",
                      "阵地建设薄弱", "群众基础差")
# Milestones counted back from a deadline (倒排): (name, days before the deadline).
RECTIFY_MILESTONES = (("方案", 60), ("中期", 30), ("验收", 7))
LIST_JOIN = "、"
MILESTONE_JOIN = "，"
# How a typed milestone list may be written: 「方案:60，中期:30」, 「方案：60、中期：30」
MILESTONE_SEPARATORS = {"，": ",", "、": ",", "：": ":"}
# Issue 28 (民主评议党员): the audit log's and the delivery page's names.
AUDIT_ACTION_NAMES.update({
    "evaluation.open": "开始民主评议", "evaluation.self": "代写自我评价",
    "evaluation.paper": "录入纸质选票", "evaluation.end_voting": "民主评议截止投票",
    "evaluation.determine": "民主评议认定", "evaluation.close": "结束民主评议"})
NOTICE_KIND_NAMES.update({"evaluation_open": "民主评议通知", "evaluation_result": "民主评议结果"})
AUDIT_FIELD_NAMES.update({"closes_on": "截止日期", "subjects": "被评议人数", "voters": "投票人数",
                          "rated": "评了几人", "determination": "认定",
                          "excellent": "优秀人数",
                          "over_cap_reason": "超过优秀比例的理由"})

# 述职评议 (models.reviews): the four grades, the posts that make a secretary, audit targets
REVIEW_GRADE_GOOD = "好"
REVIEW_GRADE_FAIRLY_GOOD = "较好"
REVIEW_GRADE_FAIR = "一般"
REVIEW_GRADE_POOR = "差"
REVIEW_SECRETARY_POST = "书记"
REVIEW_DEPUTY_POST = "副书记"
REVIEW_ROUND_TARGET = "{year}年述职评议"
REVIEW_REPORT_TARGET = "{year}年述职报告"
# Issue 28 (双联双促): the roster's optional column naming a branch's paired county office,
# and the audit log's names for the pairs' changes.
COL_LIAISON = "联系单位"
AUDIT_ACTION_NAMES.update({"joint.pair": "双联双促结对", "joint.unpair": "解除双联双促结对",
                           "joint.meeting": "联合开展组织生活", "joint.item": "添加联促事项",
                           "joint.item_close": "联促事项销号"})
JOINT_ITEM_TARGET = "联促 #{id}"  # a 联促 item in the audit log
# Issue 28 (marks, 巡视组, 满意度测评): the audit log's names for their changes.
AUDIT_ACTION_NAMES.update({
    "assessment.self_check": "自查打分", "assessment.inspection": "巡查打分",
    "inspector.add": "加入巡视组", "inspector.remove": "移出巡视组",
    "survey.open": "发起满意度测评", "survey.close": "结束满意度测评",
})
AUDIT_FIELD_NAMES.update({
    "score": "得分", "note": "说明", "source": "评分方式", "evidence": "佐证材料",
    "given_by": "打分人", "inspector": "巡视组成员", "questions": "问题",
    "branches": "参加的支部数", "quorum": "法定人数", "opens_on": "开始日期",
    "closes_on": "结束日期",
})

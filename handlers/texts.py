"""The message catalog: every user-facing sentence partybot says, in one place.

Placeholders use str.format names. Keep replies short: they are read on old phones.
"""

# General
SORRY = "抱歉，系统出了点问题，请稍后再试。如果一直不行，请联系支部管理员。"
NOT_UNDERSTOOD = "没有听懂「{text}」。发送「帮助」查看可以做什么。"
HELP_HEADER = "可以发送以下命令："
HELP_UNBOUND_HINT = "你还没有绑定党员身份，绑定后可使用更多功能。"
HELP_LINE = "· {usage}\n  {summary}"
NEED_BINDING = "请先绑定党员身份：发送「绑定 姓名 手机后四位」，例如：绑定 张三 1234"
NEED_HELPER = "这个命令只有帮扶人可以使用。"
NEED_ADMIN = "这个命令只有支部管理员可以使用。"

# Membership
WELCOME = (
    "欢迎关注！这里是党支部的组织生活助手。\n"
    "请先绑定党员身份：发送「绑定 姓名 手机后四位」，例如：绑定 张三 1234\n"
    "绑定后发送「帮助」查看可用功能。"
)
WELCOME_BACK = "欢迎回来，{name}！发送「帮助」查看可用功能。"
BIND_USAGE = "绑定格式：绑定 姓名 手机后四位，例如：绑定 张三 1234"
BIND_OK = "绑定成功！{name}，你已是{branch}的党员。发送「帮助」查看可用功能。"
BIND_ALREADY = "你已经绑定为{name}（{branch}），不用再绑定。"
BIND_OPENID_TAKEN = "这个微信已经绑定了{name}。如需更换，请联系支部管理员。"
BIND_MEMBER_TAKEN = "{name}已经绑定了另一个微信。如果不是你本人操作，请联系支部管理员。"
BIND_NO_MATCH = "没有找到姓名和手机尾号都对得上的党员，请核对后再试（还可以试{tries}次）。"
BIND_AMBIGUOUS = "名册里有多位党员对得上，无法自动绑定，请联系支部管理员。"
BIND_LOCKED = "尝试次数太多，请在{until}之后再试，或联系支部管理员。"
UNSUBSCRIBED = ""  # nobody reads a reply to an unfollow

# Meetings (三会一课)
MEETING_NEW_USAGE = (
    "新建会议格式：新建会议 类型 日期 时间 地点 [主题]\n"
    "例如：新建会议 党员大会 2026-12-05 09:00 村委会 学习二十届四中全会精神\n"
    "类型可以是：党员大会、支委会、党小组会、党课、主题党日、组织生活会"
)
MEETING_BAD_KIND = "不认识会议类型「{kind}」。类型可以是：党员大会、支委会、党小组会、党课、主题党日、组织生活会"
MEETING_BAD_TIME = "时间「{text}」看不懂，请写成 2026-12-05 09:00 这样"
MEETING_CREATED = (
    "会议已创建（会议编号 {id}）：\n{kind} {when}\n地点：{place}{topic}\n"
    "签到码：{code}\n党员到会后发送「签到 {code}」签到，也可以扫会议二维码或发送位置；"
    "不能参加的发送「请假 {code} 原因」。已通知{count}。"
)
MEETING_CANCELLED = "已取消：{kind} {when}，已通知{count}。"
MEETING_CLOSED = (
    "会议已结束（会议编号 {id}）：应到{expected}人，实到{present}人，请假{leave}人，缺席{absent}人。"
    "如有漏记，发送「补录 {id} 姓名 出席」补录。"
)
MEETING_CODE_USAGE = "请带上签到码，例如：{word} 1234"
MEETING_NO_SUCH_CODE = "没有找到签到码为 {code} 的会议，请核对签到码；会议可能已经结束或取消。"
MEETING_NOT_YOURS = "这场会议不是你所在支部的，不能操作。"
CHECKIN_OK = "签到成功！{kind} {when}，{place}。"
CHECKIN_REPLACED_LEAVE = "签到成功！已撤销你之前的请假。{kind} {when}，{place}。"
CHECKIN_ALREADY = "已签到，不用重复签到。"
LEAVE_OK = "请假成功：{kind} {when}。原因：{reason}"
LEAVE_ALREADY = "已请假（原因：{reason}）。"
LEAVE_USAGE = "请假格式：请假 签到码 原因，例如：请假 1234 外出务工"
LOCATION_NO_MEETING = "你附近 {radius} 米内没有正在签到的会议。"
LOCATION_NO_COORDINATES = "这场会议没有设置地点坐标，请用签到码签到：签到 签到码"
SCAN_NEED_BINDING = "欢迎！扫码签到前请先绑定党员身份：发送「绑定 姓名 手机后四位」，绑定后再扫一次码。"
MY_MEETINGS_NONE = "近期没有需要你参加的会议。"
MY_MEETINGS_HEADER = "你近期的会议："
MY_MEETING_LINE = "· {kind} {when}，{place}{topic}\n  签到码 {code}；{state}"
BACKFILL_USAGE = "补录格式：补录 会议编号 姓名 出席/请假/缺席 [原因]，例如：补录 17 张明 出席"
BACKFILL_OK = "已补录：{name} {status}（会议编号 {id}）。现在实到{present}人，请假{leave}人，缺席{absent}人。"
MEMBER_NOT_FOUND = "本支部没有叫「{name}」的党员。"
MEETING_NOT_FOUND = "没有找到会议编号 {id}。"

NOTIFIED = "{queued}名党员"
NOTIFIED_SOME_UNREACHABLE = "{queued}名党员（其中{unreachable}人暂时联系不上：没有可用的消息渠道，也没有帮扶人）"

# Notices (outbox)
NOTICE_MEETING_NEW = "【会议通知】{kind}\n时间：{when}\n地点：{place}{topic}\n签到码：{code}（到会后发送「签到 {code}」；不能参加请发送「请假 {code} 原因」）"
NOTICE_MEETING_CANCELLED = "【会议取消】原定{when}的{kind}已取消。"
NOTICE_MEETING_REMINDER = "【会议提醒】{lead}{kind}\n时间：{when}\n地点：{place}\n签到码：{code}"
NOTICE_RISK = "【三会一课提醒】{branch}{period}还没有召开{kind}，距本期结束还有{days}天。请尽快安排（发送「新建会议」）。"
NOTICE_RISK_UP = "【三会一课提醒】{branch}{period}还没有召开{kind}，距本期结束还有{days}天。"

# Compliance (统计)
STATS_HEADER = "{branch} 三会一课落实情况（截至{today}）："
STATS_KIND_DONE = "✓ {kind}：{period}已开{held}次"
STATS_KIND_RISK = "⚠ {kind}：{period}还没开（剩{days}天{planned}）"
STATS_KIND_MISSED = "✗ {kind}：{period}未开"
STATS_ATTENDANCE = "{period}出勤：应到{expected}人次，实到{present}，请假{leave}，缺席{absent}，出勤率{rate}"
STATS_NO_MEETINGS = "{period}还没有结束的会议，暂无出勤数据。"

# Study (学习)
POST_USAGE = (
    "发布格式：第一行「发布 标题」，下面几行写正文；链接单独一行（只支持 http/https）。\n"
    "例如：\n发布 学习二十届四中全会精神\n全会审议通过了……\nhttps://www.12371.cn/…\n"
    "可选：「视频：链接」「音频：链接」「来源：人民日报」「定时 2026-12-05 08:00」各占一行。"
)
POST_TITLE_TOO_LONG = "标题太长：最多 {limit} 个字，现在 {length} 个字。"
POST_BODY_TOO_LONG = "正文太长：微信单条消息最多约 2000 字节，正文最多 {limit} 个字，现在 {length} 个字。请分成几次发布。"
POST_BAD_LINK = "链接「{link}」不能用：只支持 http:// 或 https:// 开头、{limit} 个字符以内的网址。"
POST_BAD_TIME = "定时「{text}」看不懂或已经过去，请写成 定时 2026-12-05 08:00"
POST_DUPLICATE = "一天内已经发布过同样的内容（编号 {id}《{title}》）。如确实要再发一次，请在30分钟内发送「确认发布」。"
POST_NOTHING_PENDING = "没有等待确认的发布。"
POST_OK = "已发布（编号 {id}）：《{title}》，面向{org}。{when}会通知大家学习。"
POST_OK_NOW = "现在"
STUDY_NEWS_FOOTER = "学完后发送「已学」"
STUDY_TEXT = "【学习 第{id}期】{title}\n{body}{link}{media}\n\n学完后请发送「已学」，也可以再发一张照片或一段语音作为学习心得。"
STUDY_OLD_UNREAD = "今天没有新内容，这是你还没学的一期：\n"
STUDY_NOTHING_NEW = "今天没有新内容，已经发布的你都学过了。发送「学习 编号」可以再看以前的内容（最近一期是第{id}期）。"
STUDY_NOTHING_AT_ALL = "还没有发布学习内容。"
STUDY_NO_SUCH_ITEM = "没有找到第{id}期学习内容，或者它不是发给你所在支部的。"
STUDY_BAD_NUMBER = "编号要写数字，例如：学习 12"
STUDIED_OK = "已记录：你学习了《{title}》。10分钟内发一张照片、一段语音或几句话，可以作为学习心得留存。"
STUDIED_ALREADY = "你已经学过《{title}》了。"
FEEDBACK_OK = "学习心得已收到，记在《{title}》下。"
MY_RECORD = "{name}，你{year}年的记录：\n学习 {studies} 期（连续学习 {streak} 天）\n参加会议 {meetings} 次"
UNSTUDIED_HEADER = "本周学习内容的学习情况（{branch}）："
UNSTUDIED_ITEM = "《{title}》：已学 {done}/{total}{names}"
UNSTUDIED_NAMES = "，未学：{names}"
UNSTUDIED_NONE = "本周还没有发布学习内容。"

# Notices (study and digests)
NOTICE_STUDY = "【今日学习】{title}\n{summary}\n发送「学习」查看全文，学完发送「已学」。"
DIGEST_ORG_HEADER = "【周报】{org} {week}\n学习率 {study_rate}（{studied}/{expected}），本季度出勤率 {attendance_rate}"
DIGEST_ORG_BEHIND = "学习落后的支部："
DIGEST_ORG_LINE = "· {branch}：学习率 {study_rate}，出勤率 {attendance_rate}"
DIGEST_BRANCH_HEADER = "【支部周报】{branch} {week}"
DIGEST_BRANCH_STUDY = "上周学习：{done}/{total} 人次已学{names}"
DIGEST_BRANCH_UNREACHED = "上周联系不上的党员：{names}（请当面转告或安排帮扶人）"
DIGEST_BRANCH_ALL_REACHED = "上周的通知都送达了。"

# 一帮一 (pairing)
PAIR_NONE = "你现在没有帮扶对象。如需结对，请联系支部管理员。"
PAIR_LIST_HEADER = "你帮扶的党员（转达后发送「帮学 姓名 完成」）："
PAIR_LIST_LINE = "· {name}{reason}：{tasks}"
PAIR_LIST_NO_TASKS = "没有待转达的内容"
PAIR_LIST_TASKS = "{count}项待转达——{items}"
PAIR_NOT_YOURS = "{name}不是你帮扶的党员。"
PAIR_DONE_USAGE = "格式：帮学 姓名 完成，例如：帮学 赵大爷 完成"
PAIR_DONE_OK = "已记录：你向{name}转达了{what}。可以再发一张照片或一段语音作为凭证（10分钟内）。"
PAIR_DONE_STUDY = "《{title}》"
PAIR_DONE_NOTICES = "{count}条通知"
PAIR_DONE_NOTHING = "{name}现在没有需要转达的内容。"
PAIR_PROOF_OK = "凭证已收到，记在{name}的学习记录下。"
PROXY_USAGE = "格式：代签 姓名 签到码，例如：代签 赵大爷 1234"
PROXY_LEAVE_USAGE = "格式：代请假 姓名 签到码 原因，例如：代请假 赵大爷 1234 腿脚不便"
PROXY_CHECKIN_OK = "已替{name}签到：{kind} {when}，{place}。"
PROXY_LEAVE_OK = "已替{name}请假：{kind} {when}。原因：{reason}"
PAIR_MADE = "结对成功：{helper}帮扶{member}。以后发给{member}的通知会转给{helper}。"
PAIR_USAGE = "格式：结对 帮扶人姓名 对象姓名，例如：结对 王帮扶 赵大爷"
UNPAIR_USAGE = "格式：解除结对 对象姓名"
PAIR_ENDED = "已解除{member}和{helper}的结对。"
NOTICE_RELAY_DIGEST = "【帮学提醒】今天请帮以下党员转达（转达后发送「帮学 姓名 完成」）：\n{lines}"
NOTICE_RELAY_DIGEST_LINE = "· {name}：{items}"
NOTICE_RELAY_OVERDUE = "【帮学提醒】以下内容已经{days}天没有转达，请尽快：\n{lines}"
STATS_PAIRS = "一帮一：{pairs}对，本月转达完成 {done}/{total}（{rate}）"
STATS_NOT_REACHED = "本月还没联系上：{names}"
STATS_IDLE_HELPERS = "一个月没有确认转达的帮扶人：{names}（建议调整结对）"
DIGEST_BRANCH_OVERDUE = "超过{days}天没有转达：{items}"

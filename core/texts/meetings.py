"""三会一课: scheduling, check-in, leave, closing, compliance (统计)."""

# Meetings (三会一课)
MEETING_NEW_USAGE = (
    "新建会议格式：新建会议 类型 时间 地点 [主题]\n"
    "例如：新建会议 党员大会 12月5日上午9点 村委会 学习二十届四中全会精神\n"
    "类型可以是：党员大会、支委会、党小组会、党课、主题党日、组织生活会"
)
MEETING_BAD_KIND = "不认识会议类型「{kind}」。类型可以是：党员大会、支委会、党小组会、党课、主题党日、组织生活会"
MEETING_BAD_TIME = (
    "没看懂会议时间「{text}」。可以这样写：\n2026-12-06 09:00\n2026年12月6日 9:00\n"
    "12月6日9点\n12-06 09:00\n明天上午9点\n后天下午3点半\n周五晚上7点"
)
MEETING_JOINT_WITH = "；联合召开：{names}"
MEETING_BAD_JOINT = "联合召开只能邀请列表里的支部，请刷新页面后重新选择。"
MEETING_BAD_AUDIENCE = "请从列表里选参会人员（全体党员、支委会成员或某个党小组）。"
MEETING_NO_COMMITTEE = "名册里还没有本支部的支委。请在名册「角色」列填上书记、副书记、组织委员等，重新导入后再安排支委会。"
MEETING_WHICH_GROUP = "请写明是哪个党小组的会，例如在最后加上「{groups}」中的一个。"
MEETING_FOR_COMMITTEE = "\n参会：支部委员会（{count}人）。"
MEETING_FOR_GROUP = "\n参会：{group}。"
MEETING_NO_PLACE = "请在时间后面写上会议地点，例如：新建会议 党员大会 明天上午9点 村委会 学习党章"
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
MEETING_NO_SUCH_CODE = "没有找到签到码为 {code} 的会议（或你不在参会名单里），请核对签到码；会议也可能已经结束或取消。"
MEETING_CODE_LOCKED = "签到码输错太多次了，请 {minutes} 分钟后再试；如有疑问请联系支部管理员。"
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
MEETING_NOT_IN_BRANCH = "本支部没有签到码或会议编号为 {number} 的会议，请核对（发送「会议」查看近期会议）。"
MEETING_CLOSE_BEFORE_START = "会议还没开始，不能结束。如果不开了，请发送「取消会议 {code}」。"
CHECKIN_WHICH = "你有几场会议正在签到，请带上签到码："
CHECKIN_WHICH_LINE = "· 签到 {code}：{kind} {when}，{place}"
CHECKIN_NONE_OPEN_YET = "还没到签到时间：{kind} {when}，{place}。会议开始前 1 小时开放签到。"
CHECKIN_NONE_OPEN = "现在没有正在签到的会议。发送「会议」查看近期会议。"

NOTIFIED = "{queued}名党员"
NOTIFIED_HELD = "；{count}人暂时收不到：{names}（他们下次给公众号发消息时自动补发，急事请当面通知）"
NOTIFIED_UNREACHABLE = "；{count}人联系不上：{names}（没有绑定微信，也没有帮扶人，请当面通知）"


# Compliance (统计)
STATS_HEADER = "{branch} 三会一课落实情况（截至{today}）："
STATS_KIND_DONE = "✓ {kind}：{period}已开{held}次"
STATS_KIND_RISK = "⚠ {kind}：{period}还没开（剩{days}天{planned}）"
STATS_KIND_MISSED = "✗ {kind}：{period}未开"
STATS_ATTENDANCE = "{period}出勤：应到{expected}人次，实到{present}，请假{leave}，缺席{absent}，出勤率{rate}"
STATS_ORG_HEADER = "{org}（截至{today}）：{branches}个支部，三会一课 ✓ 都开了{on_track}个，⚠ 还有会没开{at_risk}个，✗ 有会未开{missed}个。"
STATS_ORG_ATTENDANCE = "{period}出勤率{rate}{lagging}"
STATS_ORG_LAGGING = "；最落后：{names}"
STATS_ORG_CONSOLE = "每个支部的情况：{url}"
STATS_ORG_CONSOLE_LOCAL = "每个支部的情况请在电脑上打开管理后台（/admin）查看。"
STATS_ORG_OWN_BRANCH = "看你所在支部，请发送「统计 本支部」。"
STATS_NO_MEETINGS = "{period}还没有结束的会议，暂无出勤数据。"

# Issue 25: what is arranged, one branch by name, the branches behind (统计 for staff)
STATS_PLANNED_ON = "，已安排在{when}"
STATS_NOT_PLANNED = "，还没安排"
STATS_ORG_UNARRANGED = "其中{count}个还有会没安排。"
STATS_ORG_EMPTY = "另有{count}个支部还没有党员，不计入：{names}。"
STATS_ORG_ASK_MORE = "看一个支部请发送「统计 支部名」，看落后的支部请发送「哪些支部落后了」。"
STATS_BRANCH_NOT_FOUND = "{org}下面没有叫「{name}」的支部。下面的支部有：{names}。"
STATS_BRANCH_SEVERAL = "{org}下面有几个支部的名字里有「{name}」：{names}。请把名字写全，例如「统计 {example}」。"
LAGGING_HEADER = "{org}三会一课落后的支部（截至{today}，{count}个）："
LAGGING_HEADER_KIND = "{org}还没开{kind}的支部（截至{today}，{count}个）："
LAGGING_LINE = "{number}. {branch}：{missing}"
LAGGING_MISSED = "✗{kind}{period}未开"
LAGGING_UNARRANGED = "⚠{kind}未安排（剩{days}天）"
LAGGING_NONE = "{org}下面的支部三会一课都没有落后（截至{today}）。"
LAGGING_NONE_KIND = "{org}下面的支部{kind}都开了或已安排（截至{today}）。"
LAGGING_ARRANGED = "已安排、还没开：{names}"
LAGGING_EMPTY = "还没有党员、不计入：{names}"
LAGGING_FOOTER = "看一个支部的详情，请发送「统计 支部名」，例如「统计 {example}」。"
LAGGING_SEP = "；"


# Issue 25, item 5: 改会议 — changing a meeting's time or place in chat
MEETING_CHANGE_USAGE = (
    "改会议格式：改会议 签到码 新时间或新地点\n"
    "例如：改会议 4587 下周四下午3点\n改会议 4587 地点改为党员活动室\n"
    "也可以说：把4587的会改到明天下午3点"
)
MEETING_CHANGED = "已修改{kind}（会议编号 {id}）：\n{changes}\n签到码不变：{code}，已通知{count}。"
MEETING_CHANGE_NOTHING = "时间地点都和原来一样，没有改动，没有发通知。"
MEETING_CHANGE_NEEDS_HOUR = "请说清楚改到几点，例如：改会议 {code} {example}。这次没有改动，没有发通知。"
MEETING_CHANGE_HOUR_EXAMPLE = "明天下午3点"
MEETING_CHANGE_NIGHT = (
    "新时间是夜里：{when}。夜里一般不开会，这次没有改动，也没有通知党员。"
    "如果确实是这个时间，请发送：改会议 {code} {typed} 确认"
)
MEETING_CHANGE_CANCELLED = "这次会议已经取消了，不能再改。要重新开，请发送「新建会议 …」安排一次新的。"
MEETING_CHANGE_HELD = "这次会议已经开过了，不能再改时间地点。"
MEETING_ALREADY_CANCELLED = "这次会议已经取消了（{kind} {when}），不用再取消，也不会再通知党员。"

# Issue 25 items 1 and 12: 新建会议 asks for the one thing it is missing, and confirms a
# start at night before anyone is told.
MEETING_ASK_TIME = "{kind}：{day}，地点：{place}。请问几点开？直接回复时间，例如「下午3点」或「9:00」。"
MEETING_ASK_HOUR = "{kind}：{day}{part}，地点：{place}。请问{part}几点开？直接回复，例如「{part}{example}点」。"
MEETING_ASK_HALF_DAY = (
    "{kind}：{day}{time}，地点：{place}。是上午{time}还是晚上{time}？"
    "请回复「上午」或「晚上」（也可以回复完整时间，例如「上午{time}」）。"
)
MEETING_ASK_NIGHT = (
    "{kind} {when}，地点：{place}——这是夜里的时间，还没有通知任何人。"
    "确定这个时间开会吗？回复「是」就安排并通知；时间写错了就直接回复正确的时间，例如「下午2点」；"
    "不开了回复「算了」。"
)
MEETING_AFTERNOON_ASSUMED = "\n「{time}」按下午{hour}点（{clock}）安排；不对的话，发送「改会议 {code} 正确的时间」修改。"
MEETING_PENDING_LAPSED = "刚才的会议没有安排（回复超时了），请重新发送「新建会议」。"
MEETING_ANSWER_UNCLEAR = "没看懂「{text}」。{question}"
MY_MEETINGS_MORE = "还有{count}个会议，发送「会议 {page}」看下一页。"
MY_MEETINGS_NO_MORE = "没有更多会议了。发送「会议」看最近的会议。"
CONSOLE_MEETING_NIGHT = "开始时间 {when} 是夜里（22:00—次日6:00）。确定这个时间开会吗？确认后才会通知参会人员；时间填错了请直接改。"
CONSOLE_MEETING_NIGHT_CONFIRM = "确定在这个时间开会"
MEETING_TODAY = "今天"
MEETING_PENDING_DROPPED = "好的，这次{kind}不安排了，没有通知任何人。"

# Issue 25: leave without a code, leave said in sentences, a forgotten 签到码.
LEAVE_PROPOSE = "请假参加 {kind} {when}（{place}）吗？原因：{reason}\n回复「是」确认；不请假回复「不」。"
LEAVE_ASK_REASON = "请假参加 {kind} {when}（{place}）吗？请说一下原因，例如「家里有事」；不请假回复「不」。"
LEAVE_WHICH = "你近期有几场会议，请说明请哪一场，例如「请假 {code} {reason}」："
LEAVE_WHICH_LINE = "· 请假 {code}：{kind} {when}，{place}"
LEAVE_NO_MEETING = "近期没有需要你参加的会议，不用请假。发送「会议」查看近期会议。"
LEAVE_NO_MEETING_THAT_DAY = "那天没有需要你参加的会议。你近期的会议："
LEAVE_NOT_ASKED = "好的，没有请假。"
LEAVE_REASON_EXAMPLE = "原因"
CODE_NOT_NEEDED = (
    "不用签到码也能签到：会议开始前1小时到会议结束，到了会场发「我到了」或「签到」就行；"
    "也可以扫会场的二维码，或者请支部书记帮你登记。"
)
CODE_OF_MEETING = "\n你的会议：{kind} {when}，{place}，签到码 {code}。"
LEAVE_FOR_HELPED = "要替{name}请假，请发「代请假 {name} 签到码 原因」（签到码发「会议」可以查看）。"

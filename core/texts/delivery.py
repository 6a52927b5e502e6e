"""Notices on their way: the outbox's texts, held and combined notices, why a notice
failed, and the template-message titles, keywords and verdicts."""

# Notices (outbox)
NOTICE_MEETING_NEW = "【会议通知】{kind}\n时间：{when}\n地点：{place}{topic}\n签到码：{code}（到会后发送「签到 {code}」；不能参加请发送「请假 {code} 原因」）"
NOTICE_MEETING_CANCELLED = "【会议取消】原定{when}的{kind}已取消。"
NOTICE_MEETING_UNINVITED = "【参会调整】原定{when}的{kind}调整了参会人员，您不用参加这次会议了。"
NOTICE_MEETING_REMINDER = "【会议提醒】{lead}{kind}\n时间：{when}\n地点：{place}\n签到码：{code}"
NOTICE_RISK = "【三会一课提醒】{branch}{period}还没有召开{kind}，距本期结束还有{days}天。请尽快安排（发送「新建会议」）。"
NOTICE_RISK_UP = "【三会一课提醒】{branch}{period}还没有召开{kind}，距本期结束还有{days}天。"


# Held notices, combined into one message when the member next writes (models.delivery.held).
HELD_HEAD = "您有{count}条通知之前没能发给您（最新的在前）："
HELD_ITEM = "【{when}】{text}"
HELD_CONTINUED = "（接上条）"
NOTICE_RELAY_OVERDUE = "【帮学提醒】以下内容已经{days}天没有转达，请尽快：\n{lines}"
STATS_REACH = "近{days}天的通知：模板消息送达{template}条，客服消息{custom}条，帮扶人转达{helper}条{more}"
STATS_REACH_IN_FLIGHT = "，发送中{count}条"
STATS_REACH_DROPPED = "，过时未发{count}条"
STATS_REACH_HELD = "暂未送达{count}人：{names}（他们下次给公众号发消息时自动补发）"
STATS_REACH_UNREACHABLE = "现在联系不上{count}人：{names}（没有绑定微信或已取消关注，也没有帮扶人，请当面通知或安排帮扶人）"
STATS_REACH_FAILED = "发送失败{count}条：{reasons}"
STATS_REACH_REASON = "{reason}{count}条"


# Why a notice failed (models.delivery.reach.failure_reason), in words an admin understands.
FAILURE_REASONS = {
    "43004": "未关注公众号", "40003": "微信账号无效", "43019": "已把公众号拉黑",
    "47003": "模板内容不合要求", "40037": "模板ID无效", "45047": "客服消息超过条数",
    "45015": "客服消息超过时限", "45002": "消息太长", "45009": "当天发送额度用完",
    "report:failed:user block": "用户拒收", "report:failed: system failed": "微信发送失败",
    "gave_up": "多次重试仍失败", "unknown": "结果不明（未重发）", "other": "其他原因",
}
FAILURE_REASON_CODE = "微信错误{code}"
STATS_PAIRS = "一帮一：{pairs}对，本月转达完成 {done}/{total}（{rate}）"
STATS_NOT_REACHED = "本月还没联系上：{names}"
STATS_QUESTIONS = "党员的提问待回复{count}条："
STATS_QUESTION_LINE = "· {name}（{when}）：{text}"
STATS_QUESTIONS_MORE = "· 另有{count}条，在管理后台查看"
STATS_IDLE_HELPERS = "一个月没有确认转达的帮扶人：{names}（建议调整结对）"
DIGEST_BRANCH_OVERDUE = "超过{days}天没有转达：{items}"


# Templates (core.template_messages): titles and keyword names as a county would pick them in
# WeChat's console, sample notices for `partybot templates check`, its verdicts.
TEMPLATE_TITLES = {
    "meeting_notice": "会议通知", "meeting_reminder": "会议提醒",
    "meeting_cancelled": "会议取消通知", "study_push": "学习提醒",
    "relay_digest": "帮学提醒", "weekly_digest": "工作周报", "compliance_warning": "工作提醒",
}
FIELD_NAMES = {
    "meeting": "会议名称", "kind": "会议类型", "topic": "会议主题", "time": "会议时间",
    "place": "会议地点", "code": "签到码", "text": "通知内容", "title": "学习内容",
    "summary": "内容摘要", "count": "待办事项", "members": "帮扶对象", "period": "统计周期",
    "org": "组织名称", "branch": "支部名称", "days": "剩余天数",
}
TEMPLATE_SAMPLE_MEETING = {
    "meeting": "支部党员大会：学习贯彻党的二十届三中全会精神", "kind": "支部党员大会",
    "topic": "学习贯彻党的二十届三中全会精神", "time": "2026年12月5日 09:00",
    "place": "红光村村委会二楼会议室", "code": "4821",
    "text": "【会议通知】支部党员大会 12月5日（周六）09:00",
}
TEMPLATE_SAMPLE_STUDY = {
    "title": "学习《中国共产党农村基层组织工作条例》第一章", "summary": "总则：党的农村基层组织是党在农村全部工作和战斗力的基础",
    "text": "【今日学习】学习《中国共产党农村基层组织工作条例》第一章",
}
TEMPLATE_SAMPLE_RELAY = {"count": "3项待转达", "members": "赵大爷、孙奶奶",
                         "text": "【帮学提醒】今天请帮以下党员转达"}
TEMPLATE_SAMPLE_DIGEST = {"period": "11月16日至11月22日", "org": "红光乡党委",
                          "text": "【学习周报】红光乡党委 11月16日至11月22日"}
TEMPLATE_SAMPLE_WARNING = {"branch": "红光村党支部", "kind": "党课", "period": "2026年第四季度",
                           "days": "10", "text": "【提醒】红光村党支部本季度还没有上党课"}
TEMPLATE_CHECK_UNKNOWN_KIND = "partybot 不发送这种通知（拼写错误？）"
TEMPLATE_CHECK_RETIRED = "first/remark 自2023年5月起已取消，不能再用"
TEMPLATE_CHECK_NOT_KEYWORD = "不是类目模板的关键词（应为 thing1、time2 这样的类型加编号）"
TEMPLATE_CHECK_NO_FIELD = "这种通知没有这个字段；可用：{fields}"
TEMPLATE_CHECK_CANNOT_FIT = "{type} 类型放不下这个值（例：{sample}）"
TEMPLATE_CHECK_HEADER = ("通知类型", "模板ID", "关键词", "名称", "字段", "示例值", "结果")
TEMPLATE_CHECK_NOT_SET = "未配置：用客服消息或帮扶人转达"
TEMPLATE_CHECK_OK = "可用"
TEMPLATE_CHECK_SUMMARY = "{kinds}种通知已配置模板，{problems}处问题。"
SANDBOX_TEMPLATE_LINE = "{name}：{value}"
SANDBOX_TEMPLATE_UNTITLED = "模板消息"
# Issue 25: a news card's picture, as the sandbox and the terminal chat show it
SANDBOX_NEWS_PICTURE = "图片：{url}"

STATS_REACH_UNDELIVERABLE = "，发送时联系不上{count}条"



# Issue 25, item 5: a change of meeting reads as a change — what changed, from what to
# what — in the full text, the helper's list (its first line) and the template keywords.
NOTICE_MEETING_CHANGE = "【会议变更】{summary}\n{changes}\n签到码不变：{code}。以本通知为准，之前通知的时间地点作废。"
CHANGE_SUMMARY_TIME = "{kind}改期，原{old}"
CHANGE_SUMMARY_PLACE = "{kind}改地点"
CHANGE_SUMMARY_TOPIC = "{kind}改主题"
CHANGE_LINE_TIME = "时间：{old} 改为 {new}"
CHANGE_LINE_PLACE = "地点：{old} 改为 {new}"
CHANGE_LINE_TOPIC = "主题：{old} 改为 {new}"
CHANGE_LINE_SAME_TIME = "时间：{when}（不变）"
CHANGE_LINE_SAME_PLACE = "地点：{place}（不变）"
CHANGE_NO_TOPIC = "（无）"
SHORT_WHEN = "{month}月{day}日{clock}"
TEMPLATE_PLACE_CHANGED = "{new}（原{old}）"
TEMPLATE_PLACE_CHANGED_SHORT = "{new}（地点已改）"
CHANGE_SUMMARY_OTHER = "{kind}有变更"

# Issue 26, 订阅通知: `partybot templates check` on the subscription templates, the
# sandbox's buttons, and 统计.
SUBSCRIBE_CHECK_PAGE_URL = "公众号订阅通知的 page 要写 http(s):// 开头的网址"
SUBSCRIBE_CHECK_PAGE_PATH = "小程序订阅消息的 page 要写小程序页面路径，不是网址"
SUBSCRIBE_CHECK_SUMMARY = "{kinds}种通知已配置订阅通知模板。"
STATS_REACH_SUBSCRIPTION = "，订阅通知{count}条"
SANDBOX_SUBSCRIBE_UNKNOWN = "不认识的订阅事件：{what}"
SANDBOX_SUBSCRIBE_NOTHING_SENT = "这个模板还没有给这位用户发过订阅通知"

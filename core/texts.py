"""The message catalog: every user-facing sentence partybot says, in one place.

Placeholders use str.format names. Keep replies short: they are read on old phones.
"""

# General
SORRY = "抱歉，系统出了点问题，请稍后再试。如果一直不行，请联系支部管理员。"
DATABASE_DOWN = "系统正在维护，你的消息这次没有记下，请过几分钟再发一次。"
NOT_UNDERSTOOD = "没有听懂「{text}」。发送「帮助」查看可以做什么。"
HELP_HEADER = "可以发送以下命令："
HELP_UNBOUND_HINT = "你还没有绑定党员身份，绑定后可使用更多功能。"
HELP_LINE = "· {usage}\n  {summary}"
MORE_FOOTER = "……（还有，回复「更多」看后面的）"
MORE_NOTHING = "没有更多了。"
HELP_SHORT_LINE = "· {usage}：{summary}"
HELP_MORE = "发送「帮助 签到」这样看一个命令的说明，「帮助 全部」看全部命令。"
HELP_NO_TOPIC = "没有「{topic}」这个命令。发送「帮助 全部」看全部命令。"
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
UNBIND_USAGE = "格式：解绑 姓名，例如：解绑 张明（党员换了手机时用）"
UNBIND_OK = "已解除{name}原来的微信。请{name}用新微信关注公众号，发送「绑定 姓名 手机后四位」重新绑定。"
UNBIND_NOT_BOUND = "{name}还没有绑定微信，可以直接用新微信绑定。"
UNBIND_NOTICE = "支部管理员已解除{name}和这个微信的绑定。如果换了新手机，请用新微信关注公众号并发送「绑定 姓名 手机后四位」。"
CLI_NOT_MIGRATED = "数据库还没有建好或需要升级：请先运行 partybot db upgrade（部署新版本后也要运行一次）。"
CLI_QR_NO_MEETING = "没有编号为 {id} 的会议（或它已经结束、取消），不能生成签到二维码。"
CLI_UNBIND_DONE = "已解除{name}（{branch}）的微信绑定。"
CLI_UNBIND_NOT_BOUND = "{name}（{branch}）没有绑定微信。"
BIND_USAGE = "绑定格式：绑定 姓名 手机后四位，例如：绑定 张三 1234"
BIND_OK = "绑定成功！{name}，你已是{branch}的党员。发送「帮助」查看可用功能。"
BIND_ALREADY = "你已经绑定为{name}（{branch}），不用再绑定。"
BIND_OPENID_TAKEN = "这个微信已经绑定了{name}。如需更换，请联系支部管理员。"
BIND_MEMBER_TAKEN = "{name}已经绑定了另一个微信。如果换了手机，请支部管理员发送「解绑 {name}」后再绑定；如果不是你本人操作，请联系支部管理员。"
BIND_NO_MATCH = "没有找到姓名和手机尾号都对得上的党员，请核对后再试（还可以试{tries}次）。"
BIND_AMBIGUOUS = "名册里有多位党员对得上，无法自动绑定，请联系支部管理员。"
BIND_LOCKED = "尝试次数太多，请在{until}之后再试，或联系支部管理员。"
UNSUBSCRIBED = ""  # nobody reads a reply to an unfollow

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

# Notices (outbox)
NOTICE_MEETING_NEW = "【会议通知】{kind}\n时间：{when}\n地点：{place}{topic}\n签到码：{code}（到会后发送「签到 {code}」；不能参加请发送「请假 {code} 原因」）"
NOTICE_MEETING_CHANGED = "【会议变更】{kind}改为：\n时间：{when}\n地点：{place}{topic}\n签到码不变：{code}"
NOTICE_MEETING_CANCELLED = "【会议取消】原定{when}的{kind}已取消。"
NOTICE_MEETING_UNINVITED = "【参会调整】原定{when}的{kind}调整了参会人员，您不用参加这次会议了。"
NOTICE_MEETING_REMINDER = "【会议提醒】{lead}{kind}\n时间：{when}\n地点：{place}\n签到码：{code}"
NOTICE_RISK = "【三会一课提醒】{branch}{period}还没有召开{kind}，距本期结束还有{days}天。请尽快安排（发送「新建会议」）。"
NOTICE_RISK_UP = "【三会一课提醒】{branch}{period}还没有召开{kind}，距本期结束还有{days}天。"

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

# Study (学习)
POST_USAGE = (
    "发布格式：先发「发布 标题」，再接着发正文、照片或转发文章，最后回复「发送」。\n"
    "也可以一条消息写完：第一行「发布 标题」，下面几行写正文；链接单独一行（只支持 http/https）。\n"
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
DRAFT_OPENED = (
    "好的，开始写《{title}》。接着发正文、照片或转发文章，都会加进来；"
    "发完回复「预览」看一看，回复「发送」发布，回复「取消」不发了。")
DRAFT_ADDED = "已加进《{title}》：{summary}。继续发，或回复「预览」「发送」「取消」。"
DRAFT_ADDED_COMMAND = "（「{text}」当作正文加进去了；要用命令，请先回复「发送」或「取消」。）"
DRAFT_COMMAND_NOT_ADDED = "你正在写《{title}》，「{text}」没有加进正文。要用这个命令，请先回复「发送」或「取消」。"
DRAFT_SUMMARY_BODY = "正文{count}字"
DRAFT_SUMMARY_IMAGES = "照片{count}张"
DRAFT_SUMMARY_LINK = "文章链接"
DRAFT_SUMMARY_EMPTY = "还没有内容"
DRAFT_PREVIEW_HEADER = "【预览】面向{org}：\n《{title}》"
DRAFT_PREVIEW_IMAGES = "\n（附照片{count}张）"
DRAFT_PREVIEW_FOOTER = "\n\n回复「发送」发布，回复「取消」不发了。"
DRAFT_NONE = "现在没有在写的内容。发布请先发「发布 标题」。"
DRAFT_CANCELLED = "好的，《{title}》不发了，已删除草稿。"
DRAFT_ALREADY_OPEN = "你还有一篇《{title}》没写完。请先回复「发送」发布它，或「取消」删掉它，再开始新的。"
DRAFT_BODY_FULL = "这一段没有加进去：正文最多 {limit} 个字，已有 {length} 个字，这段 {adding} 个字。可以先「发送」，剩下的另发一期。"
DRAFT_IMAGES_FULL = "这张照片没有加进去：一期最多 {limit} 张照片。"
DRAFT_EMPTY = "《{title}》还没有正文、照片或链接。请先发内容，再回复「发送」。"
DRAFT_DUPLICATE = "一天内已经发布过同样的内容（编号 {id}《{title}》）。确实要再发一次，请再回复一次「发送」；不发了回复「取消」。"
DRAFT_EXPIRED = "《{title}》30分钟没有继续，草稿已作废（照片{images}张未发）。写过的内容如下，需要时复制后重新「发布」：\n{body}"
LINK_UNTITLED = "转发的文章"
LINK_OFFER = (
    "收到文章《{title}》。要把它作为学习内容发给{org}吗？回复「发送」发布，回复「取消」不发；"
    "也可以先补充几句话或照片。")
WITHDRAW_USAGE = "格式：撤回 编号，例如：撤回 12（还没学的人就不会再收到第12期）"
WITHDRAW_OK = "已撤回第{id}期《{title}》：还没学的人不会再看到或收到它{dropped}；已学的记录保留。"
WITHDRAW_DROPPED = "（{count}条待发通知已取消）"
STUDY_ALREADY_WITHDRAWN = "第{id}期《{title}》已经撤回过了。"
STUDY_WITHDRAWN = "第{id}期《{title}》已被撤回，不用学了。"
STUDY_IMAGE_LINE = "\n照片{number}：{url}"
STUDY_IMAGES_NO_URL = "\n（附照片{count}张）"
PUSH_USAGE = "格式：推送 编号，例如：推送 12（马上通知大家学习第12期）"
PUSH_OK = "好的，第{id}期《{title}》一分钟内推送给大家。"
STUDY_NOT_YOURS = "没有找到你发布的第{id}期。"
STUDY_ALREADY_PUSHED = "第{id}期《{title}》已经推送过了。"
STUDY_NEWS_FOOTER = "学完后发送「已学」"
STUDY_TEXT = "【学习 第{id}期】{title}\n{body}{link}{media}\n\n学完后请发送「已学」，也可以再发一张照片或一段语音作为学习心得。"
STUDY_OLD_UNREAD = "今天没有新内容，这是你还没学的一期：\n"
STUDY_NOTHING_NEW = "今天没有新内容，已经发布的你都学过了。发送「学习 编号」可以再看以前的内容（最近一期是第{id}期）。"
STUDY_NOTHING_AT_ALL = "还没有发布学习内容。"
STUDY_NO_SUCH_ITEM = "没有找到第{id}期学习内容，或者它不是发给你所在支部的。"
STUDY_BAD_NUMBER = "编号要写数字，例如：学习 12"
STUDIED_OK = "已记录：你学习了《{title}》。10分钟内发一张照片、一段语音或几句话，可以作为学习心得留存。"
STUDIED_ALREADY = "你已经学过《{title}》了。"
# Conversation (handlers/conversation.py): small talk, questions, voice, media.
SMALL_TALK_ANSWERS = {
    "greeting": "你好！", "thanks": "不客气！", "ack": "好的。", "bye": "再见！", "emoji": "👍 ",
}
NEXT_BIND = "发送「绑定 姓名 手机后四位」绑定党员身份，就能签到、学习。"
NEXT_CHECK_IN = "{kind}（{when}）正在签到，回复「签到」即可签到。"
NEXT_RELAYS = "你有{count}项待转达，回复「帮学」查看。"
NEXT_STUDY = "还有《{title}》没学，回复「学习」查看。"
NEXT_MEETING = "近期会议：{kind} {when}，回复「会议」查看。"
NEXT_HELP = "回复「帮助」看看能做什么。"
QUESTION_FORWARDED = "这个问题已转给支部管理员（{admins}），他们会尽快回复你。"
QUESTION_ANSWER = "你在{when}问的「{question}」，{admin}回复：\n{answer}"
PAIR_SUGGESTION_GONE = "这条建议已经处理过了，请刷新页面。"
QUESTION_ANSWER_EMPTY = "请写下回复的内容。"
QUESTION_ANSWER_TOO_LONG = "回复最多 {limit} 个字（现在 {length} 个字），请分两次发。"
QUESTION_ALREADY_ANSWERED = "这个问题已经回复过了。"
QUESTION_NEED_BINDING = "绑定党员身份后可以向支部提问。发送「绑定 姓名 手机后四位」绑定。"
BRANCH_ADMIN = "支部管理员"
VOICE_RAN = "（听到：{text}）\n"
VOICE_HEARD = "听到你说：「{text}」。"
VOICE_NOT_A_COMMAND = "这不是一条命令。签到请说「签到」加签到码，其他事发送「帮助」查看。"
VOICE_NOT_RECOGNISED = "收到语音，但没能听出文字。签到请说或打「签到」和签到码；其他事请打字，或发送「帮助」。"
PHOTO_OUTSIDE_WINDOW = "收到照片。如果是学习心得，请先发送「已学」，再在10分钟内发照片。"
VIDEO_RECEIVED = "收到视频（公众号不保存视频）。"
LINK_FROM_MEMBER = "收到文章，谢谢分享。学习内容由支部管理员发布。"
HELP_EXAMPLE = "\n  例如：{example}"
COMMAND_EXAMPLES = {
    "签到": "签到 1234（只有一场会在签到时，发「签到」就行）",
    "请假": "请假 1234 外出务工",
    "学习": "学习 12",
    "已学": "已学",
    "绑定": "绑定 张三 1234",
    "代签": "代签 赵大爷 1234",
    "代请假": "代请假 赵大爷 1234 腿脚不便",
    "帮学": "帮学 赵大爷 完成",
    "新建会议": "新建会议 党员大会 12月6日上午9点 村委会 学习党章",
    "补录": "补录 1234 张明 出席",
    "发布": "发布 学习党章第一章",
}
FEEDBACK_OK = "学习心得已收到，记在《{title}》下。"
FEEDBACK_MORE = "又收到一份学习心得，记在《{title}》下（共{count}份）。"
MY_RECORD = "{name}，你{year}年的记录：\n学习 {studies} 期（连续学习 {streak} 天）\n参加会议 {meetings} 次"
UNSTUDIED_HEADER = "本周学习内容的学习情况（{branch}）："
UNSTUDIED_ITEM = "《{title}》：已学 {done}/{total}{names}"
UNSTUDIED_NAMES = "，未学：{names}"
UNSTUDIED_NONE = "本周还没有发布学习内容。"

# Notices (study and digests)
NOTICE_STUDY = "【今日学习】{title}\n{summary}\n发送「学习」查看全文，学完发送「已学」。"
DIGEST_ORG_HEADER = "【周报】{org} {week}\n学习率 {study_rate}（{studied}/{expected}），本季度出勤率 {attendance_rate}"
DIGEST_CONSOLE_LINK = "每个支部的详细情况：{url}"
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
RELAY_ITEM = "{when} {what}"
NOTICE_RELAY_URGENT = "【紧急转达】以下会议24小时内召开，请马上转告（转达后发送「帮学 姓名 完成」）：\n{lines}"
# Held notices, combined into one message when the member next writes (models.delivery.held).
HELD_HEAD = "您有{count}条通知之前没能发给您（最新的在前）："
HELD_ITEM = "【{when}】{text}"
HELD_CONTINUED = "（接上条）"
NOTICE_RELAY_OVERDUE = "【帮学提醒】以下内容已经{days}天没有转达，请尽快：\n{lines}"
STATS_REACH = "近{days}天的通知：模板消息送达{template}条，客服消息{custom}条，帮扶人转达{helper}条{more}"
STATS_REACH_IN_FLIGHT = "，发送中{count}条"
STATS_REACH_DROPPED = "，过时未发{count}条"
STATS_REACH_HELD = "暂未送达{count}人：{names}（他们下次给公众号发消息时自动补发）"
STATS_REACH_UNREACHABLE = "联系不上{count}人：{names}（没有绑定微信，也没有帮扶人，请当面通知或安排帮扶人）"
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

# Time and periods (core.localtime)
WHEN = "{month}月{day}日（周{weekday}）{clock}"
YEAR_PREFIX = "{year}年"
DAY = "{year}年{month}月{day}日"
PERIOD_MONTH = "{year}年{month}月"
PERIOD_QUARTER = "{year}年第{quarter}季度"
PERIOD_YEAR = "{year}年"
WEEK_LABEL = "{month}月{day}日—{last_day}日"
DATE_RANGE = "{start}至{end}"

# Usage and refusals raised as domain errors (models.errors: key + fields)
MEETING_CODES_EXHAUSTED = "签到码用完了，请稍后再试"
MEETING_IN_PAST = "会议时间已经过去了，请填写将来的时间"
MEETING_END_BEFORE_START = "结束时间要晚于开始时间"
MEETING_CLASH = "这个时间已经安排了一场{kind}（会议编号 {id}）"
MEETING_NOT_OPEN = "这场会议已经结束或取消了"
CHECKIN_NOT_YET = "还没到签到时间：会议开始前 1 小时开放签到"
CHECKIN_OVER = "会议已经结束，不能再签到了；如需补录请联系支部管理员"
NOT_INVITED = "你不在这场会议的参会名单里，如有疑问请联系支部管理员"
MEMBER_NOT_INVITED = "{name}不在这场会议的参会名单里"
LEAVE_NEEDS_REASON = "请写明请假原因，例如：请假 1234 外出务工"
LEAVE_OVER = "会议已经结束，不能再请假了；如需补录请联系支部管理员"
LEAVE_AFTER_CHECKIN = "你已经签到了，不用请假"
CHANGE_ONLY_PLANNED = "只有还没开的会议可以修改"
CHANGE_STARTED = "会议已经开始了，不能再改时间地点"
CHANGE_INVITEES_STARTED = "会议已经开始了，不能再改参会人员"
CANCEL_ONLY_PLANNED = "只有还没开的会议可以取消"
BACKFILL_ONLY_HELD = "补录只用于已经结束的会议；会议进行中请直接签到"
BACKFILL_LEAVE_NEEDS_REASON = "补录请假时请写明原因"
MEMBER_AMBIGUOUS = "本支部有{count}位叫「{name}」的党员，无法确定是哪一位，请在电脑端或联系县里处理。"
PAIR_SELF = "不能和自己结对"
PAIR_MEMBER_HAS_HELPER = "{name}已经有帮扶人了，请先「解除结对 {name}」"
PAIR_HELPER_IS_HELPED = "{name}自己也在接受帮扶，不能当帮扶人"
PAIR_HELPER_FULL = "{name}已经帮扶{load}人，达到上限"
PAIR_NO_HELPER = "{name}现在没有帮扶人"
MEETING_TOPIC_LINE = "\n主题：{topic}"
MEETING_TITLE_WITH_TOPIC = "{kind}：{topic}"
REMIND_LEAD_HOURS = "{hours}小时后召开："
REMIND_LEAD_SOON = "即将召开："
STUDY_NEWS_TITLE = "【第{id}期】{title}"
STUDY_MEDIA_LINE = "\n视频/音频：{link}"
PAIR_LIST_REASON = "（{reason}）"
RELAY_TEMPLATE_COUNT = "{count}项待转达"
OVERDUE_ITEM = "{helper}→{member}「{what}」"
PLANNED_SUFFIX = "，已安排"
MORE_NAMES = "{names}等"

# Roster import (models.members.roster, bot.roster.importing)
ROSTER_ROW = "第 {line} 行：{message}"
ROSTER_UNKNOWN_COLUMN = "忽略未知的列「{name}」"
ROSTER_DUPLICATE_COLUMN = "表头里「{name}」出现了两次"
ROSTER_MISSING_COLUMNS = "表头缺少必填列：{missing}（表头应为：{columns}）"
ROSTER_NAME_EMPTY = "姓名为空"
ROSTER_NAME_TOO_LONG = "姓名太长（最多 {limit} 个字）"
ROSTER_BRANCH_EMPTY = "支部为空"
ROSTER_BRANCH_TOO_LONG = "支部名称太长（最多 {limit} 个字）"
ROSTER_GROUP_TOO_LONG = "党小组名称太长（最多 {limit} 个字）"
ROSTER_BAD_PHONE = "手机号「{phone}」不是有效的号码"
ROSTER_BAD_ROLE = "角色「{roles}」无法识别（可填：空、管理员、帮扶人）"
ROSTER_ADDRESS_TOO_LONG = "住址太长（最多 {limit} 个字）"
ROSTER_HALF_COORDINATES = "纬度和经度要么都填，要么都不填"
ROSTER_BAD_COORDINATE = "坐标「{text}」不是数字"
ROSTER_COORDINATE_RANGE = "坐标「{text}」超出范围"
ROSTER_SAME_PERSON = "与第 {first} 行是同一人（姓名和手机号相同）"
ROSTER_AMBIGUOUS_BRANCH = "系统里有 {count} 个叫「{name}」的支部，无法确定是哪一个"
ROSTER_STAGE_VALIDATE = "校验"
ROSTER_STAGE_WRITE = "写入"
ROSTER_BAD_TYPE = "不支持的文件类型「{suffix}」：请用 .csv 或 .xlsx"
ROSTER_BAD_ENCODING = "无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV"
ROSTER_EMPTY_FILE = "文件是空的"
ROSTER_EMPTY_SHEET = "工作表是空的"
ROSTER_BAD_XLSX = "无法打开 Excel 文件：{error}"
ROSTER_ROWS_WRONG = "{count} 行有错误"
ROSTER_TOO_MANY_ROWS = "文件超过 {limit} 行：请按乡镇或支部拆成几个文件分别导入"
ROSTER_TOO_MANY_COLUMNS = "超过 {limit} 列：名册最多 {limit} 列，请删掉多余的列"
ROSTER_FILE_TOO_BIG = "文件太大（{size} MB，最多 {limit} MB）：请拆成几个文件分别导入"
ROSTER_XLSX_TOO_BIG = "Excel 文件解压后太大（{part} 有 {size} MB，最多 {limit} MB）：请另存为 CSV，或拆成几个文件"
ROSTER_FIELD_TOO_LONG = "有一格超过 {limit} 个字（也可能是这一行的引号没有配对）"
ROSTER_UNCLOSED_QUOTE = "引号没有配对：从这一行起到文件末尾都被当成了一格，请检查这一行的引号"
ROSTER_BAD_CSV_LINE = "这一行无法按 CSV 读取（{error}），请检查引号和逗号"
ROSTER_CONTROL_CHARACTER = "「{column}」含有看不见的控制字符（如 NUL），请重新输入这一格"
ROSTER_IMPORT_BUSY = "另一个名册正在导入，请等它完成后再试"
ROSTER_STAGE_STAGE = "暂存"
ROSTER_RESUMED = "上次导入的「{file}」在写入途中中断，已经继续写完"
ROSTER_DISCARDED = "上次导入的「{file}」在暂存时中断，还没有写入任何数据，已经丢弃"
ROSTER_NO_PARENT = "找不到上级组织「{name}」"
ROSTER_MANY_PARENTS = "有 {count} 个组织叫「{name}」"
ROSTER_COMMITTEE_TOO_LONG = "上级党组织名称太长（最多 {limit} 个字）"
ROSTER_COMMITTEE_NOT_ABOVE = "上级党组织「{name}」应是党委或党总支，不能是党支部或党小组"
ROSTER_COMMITTEE_DIFFERS = "「{branch}」的上级党组织第 {first} 行写的是「{earlier}」，这里是「{name}」"
ROSTER_AMBIGUOUS_COMMITTEE = "系统里有 {count} 个叫「{name}」的党委或党总支，无法确定是哪一个"
ROSTER_ORG_MOVED = "「{branch}」从「{old}」移到「{new}」下"

# The org tree (models/members/org_tree.py)
ORG_NAME_EMPTY = "组织名称不能为空"
ORG_NAME_BAD = "组织名称最多 {limit} 个字，且不能含控制字符"
ORG_WRONG_PARENT = "{kind}不能放在「{parent}」下（党委下可设党委、党总支、党支部，党总支下设党支部，党支部下设党小组）"
ORG_NAME_TAKEN = "「{parent}」下已经有叫「{name}」的组织"
ORG_GROUP_STAYS = "党小组「{name}」不能单独移动：它的党员属于所在支部。请在名册里改「党小组」一列后重新导入。"
ORG_MOVE_INTO_ITSELF = "不能把「{name}」移到它自己下面的「{parent}」里"

# The command line (bot/cli.py, bot/cli/admin.py)
CLI_PROGRESS = "  {stage} {done}/{total} 行…"
CLI_IMPORT_FILE_ERROR = "{file}：{error}。没有写入任何数据。"
CLI_IMPORT_ROWS_ERROR = "{file} 有 {count} 行错误，没有写入任何数据："
CLI_IMPORT_MORE_ERRORS = "  …另有 {count} 行错误"
CLI_NOTE = "注意：{text}"
CLI_IMPORT_DONE = "导入完成：新增 {created} 人，更新 {updated} 人，未变 {unchanged} 人；新建组织 {orgs} 个。"
CLI_ORG_CREATED = "  新建组织：{name}"
CLI_ORG_MOVED = "  调整隶属：{text}"
CLI_ORG_ADDED = "已新建{kind}「{name}」，隶属：{parent}。"
CLI_ORG_TREE_LINE = "{indent}{name}（{kind}，{members} 名党员）"
CLI_MENU_UNKNOWN_COMMAND = "注意：菜单里的「{word}」还没有对应的命令，点了会提示“没有听懂”"
CLI_MENU_PUBLISHED = "菜单已发布：默认菜单（未绑定的人看到）和按标签的个性化菜单：{tags}。"
CLI_MENU_TAG = "{name}（标签 {id}）"
CLI_MENU_TAGGING = "  已给 {tagged} 人打上角色标签（失败 {failed}）……"
CLI_MENU_TAGGED = "角色标签：{tagged} 人已打上，{failed} 人失败（原因见日志，一天后重试）。以后角色变化时，调度进程每分钟自动更新。"
CLI_QR_SAVED = "二维码已保存：{path}（场景 {scene}，{validity}）"
CLI_QR_PERMANENT = "永久"
CLI_QR_DAYS = "{days} 天有效"
CLI_NO_ORG = "找不到组织「{name}」"
CLI_MANY_ORGS = "有 {count} 个组织叫「{name}」，无法确定是哪一个"
CLI_LEDGER_DATES = "--to 不能早于 --from"
CLI_LEDGER_SUFFIX = "--out 请用 .xlsx 文件名"
CLI_LEDGER_NEEDS_BRANCH = "台账按党支部导出；「{name}」下的支部有：{below}"
CLI_NONE = "（无）"
CLI_LEDGER_DONE = "台账已导出：{path}（{branch}，{meetings} 次会议，{members} 名党员）"
CLI_ORG_ADMIN_DONE = "{member} 现在是「{org}」的管理员。"
CLI_PAIRS_SUMMARY = "需要帮扶、还没有帮扶人的党员 {needing} 人；可用帮扶人 {helpers} 人。建议结对 {suggested} 对，无法匹配 {unmatched} 人。"
CLI_PAIR_LINE = "  {helper} → {member}（{reason}）"
CLI_PAIR_UNMATCHED = "  无法匹配：{member}（{reason}）"
CLI_PAIRS_CONFIRM = "确认无误后运行 `partybot pairs apply` 生效。"
CLI_PAIRS_APPLIED = "已结对 {made} 对，跳过 {skipped} 人。"
CLI_PAIR_SKIPPED = "  跳过 {member}：{why}"
CLI_DEMO_TRY = "      试试：{hint}"
DEMO_TRY = {
    "demo-admin": "统计、未学、新建会议 支委会 明天上午9点 村委会、帮助 全部",
    "demo-helper": "帮学、代签 赵大爷 {code}、帮学 赵大爷 完成",
    "demo-member": "签到（或 {code}）、学习、已学、会议、你好、怎么请假",
    "demo-member-2": "请假 {code} 家里有事、学习、我的",
    "demo-township": "统计、发布 标题（再发正文、照片，最后「发送」）、帮助",
}
CLI_DEMO_CONSOLE = "管理后台在 /admin：登录页二维码下面点「用他的微信扫一扫」（沙盒里代替手机扫码），选李书记或何委员即可进入。也可以建一个乡镇的密码账号（密码从标准输入读，至少10个字符）：\n  echo '换成你自己的密码至少十个字' | .venv/bin/partybot console-user add 乡里 --org {org}"
CLI_DEMO_USER = "  partybot chat --openid {openid:<14} # {name}，{role}，{branch}"

# The terminal chat (bot/cli/chat.py)
CHAT_INTRO = """在下面输入文字，就像在微信里给公众号发消息（一条消息里要换行就写 \\n，
例如：发布 标题\\n正文第一行\\nhttps://…）。其他操作：
  /subscribe  /unsubscribe   关注 / 取消关注
  /click KEY                 点击菜单
  /scan SCENE                扫描带参数二维码
  /location 纬度 经度         发送位置
  /image [图片网址]           发送图片
  /voice [听到的话]          发送语音（可写上微信语音识别听到的话）
  /link 网址 标题             转发一篇文章
  /quit                      退出"""
CHAT_MY_LOCATION = "我的位置"
CHAT_PUSHED = "[推送] {text}"
CHAT_UNKNOWN_ACTION = "无法识别的操作；输入 /help 查看说明"
CHAT_CANNOT_CONNECT = "无法连接 {url}：{error}。服务是否已启动（partybot run）？"
CHAT_NO_REPLY = "（没有回复）"
CHAT_PROMPT = "你> "

# The 台账 workbook (bot/ledger.py)
LEDGER_TITLE = "{branch} 三会一课台账（{period}）"
LEDGER_SUMMARY_TITLE = "{org} 三会一课台账汇总（{period}）"
LEDGER_MATRIX_TITLE = "{branch} 党员出勤表（{period}）"
LEDGER_BOOK_TITLE = "{branch}会议记录（第{number}次）"
LEDGER_BOOK_LEAVE = "{name}（{reason}）"
LEDGER_BOOK_BACKFILL = "{name} {status}（{by}于{when}补录）"
LEDGER_BOOK_PHOTOS = "{count}张（在管理后台的会议页面查看）"
LEDGER_LEGEND = "说明：✓ 出席，假 请假，缺 缺席，空白 不在该次参会名单中或会议未结束"

# The sandbox
SANDBOX_USER = "用户{openid}"
SANDBOX_EMPTY = "openid 和消息都不能为空"
SANDBOX_QR_EXPIRED = "这个二维码已过期（或不是这个沙盒生成的），请刷新页面换一个。"
SANDBOX_UNKNOWN_ACTION = "无法识别的操作"
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

# The console (/admin)
CONSOLE_LOGIN_EMPTY = "请填写账号和密码。"
CONSOLE_LOGIN_WRONG = "账号或密码不对。"
CONSOLE_LOGIN_LOCKED = "这个账号输错密码次数太多，已锁定，请在 {until} 以后再试。"
CONSOLE_BAD_LOGIN = "账号要写 1 到 {limit} 个字符，不能有空格。"
CONSOLE_PASSWORD_SHORT = "密码至少要 {minimum} 个字符。"
CONSOLE_LOGIN_TAKEN = "账号「{login}」已经有人用了。"
CONSOLE_FORM_TIME = "请填写会议的日期和开始时间（例如 2026-12-05 和 09:00）。"
CONSOLE_FORM_END = "结束时间要晚于开始时间。"
CONSOLE_FORM_PLACE = "请填写会议地点。"
CONSOLE_FORM_KIND = "请选择会议类型。"
CONSOLE_FORM_MEMBER = "请从列表里选择本支部的党员。"
CONSOLE_FORM_STATUS = "请选择出席、请假或缺席。"
CONSOLE_MEETING_CREATED = "已安排{kind}，签到码 {code}。已通知{notified}。"
CONSOLE_MEETING_CHANGED = "已修改会议，已通知{notified}。"
CONSOLE_MEETING_INVITED = "新邀请的人已收到会议通知：{notified}。"
CONSOLE_MEETING_UNINVITED = "不再参会的人已收到参会调整通知：{notified}。"
CONSOLE_MEETING_UNCHANGED = "没有改动，没有发通知。"
CONSOLE_MEETING_CANCELLED = "已取消这次会议，已通知{notified}。"
CONSOLE_MEETING_CLOSED = "会议已结束：应到{expected}人，出席{present}人，请假{leave}人，缺席{absent}人。"
CONSOLE_BACKFILLED = "已补录：{name} {status}。"
CONSOLE_MINUTES_SAVED = "会议记录已保存。"
CONSOLE_PHOTO_SAVED = "照片已上传。"
CONSOLE_PHOTO_BAD = "只能上传 JPG 或 PNG 照片，每张不超过 {mb} MB。"
CONSOLE_PHOTO_TOO_MANY = "每次会议最多 {limit} 张照片。"
CONSOLE_ORGS_STAFF_ONLY = "组织架构只能由乡镇和县里的管理员调整。"
CONSOLE_ORG_PICK_PARENT = "请从列表里选择上级组织。"
CONSOLE_ORG_OWN_ROOT = "不能移动自己所在的组织。"
CONSOLE_ORG_ADDED = "已在「{parent}」下新建{kind}「{name}」。"
CONSOLE_ORG_RENAMED = "已把「{old}」改名为「{name}」。"
CONSOLE_ORG_MOVED = "已把「{name}」移到「{parent}」下。"
CONSOLE_STUDY_IMAGES = "图片最多 {limit} 张，每张是不超过 {mb} MB 的 JPG 或 PNG。"
CONSOLE_PAIRS_SUGGESTED = "需要帮扶、还没有帮扶人的党员 {needing} 人：建议结对 {suggested} 对，无法匹配 {unmatched} 人。请逐条确认。"
CONSOLE_PAIRS_NONE_NEEDED = "每位需要帮扶的党员都已经有帮扶人了，没有新的建议。"
CONSOLE_PAIR_MADE = "已结对：{helper} 帮 {member}。"
CONSOLE_PAIR_REJECTED = "已放弃这条建议。"
CONSOLE_PAIR_ENDED = "已解除 {helper} 和 {member} 的结对。"
CONSOLE_ROSTER_OWN_BRANCH = "这里只能导入本支部（{branch}）的党员，「支部」一列都要写「{branch}」，「上级党组织」一列留空"
CONSOLE_ROSTER_OUTSIDE = "「{name}」不在你管理的范围内"
CONSOLE_ROSTER_DONE = "导入完成：新增 {created} 人，更新 {updated} 人，未变 {unchanged} 人；新建组织 {orgs} 个。"
CONSOLE_ROSTER_REJECTED = "{count} 行有错误，没有导入任何数据。请改好后重新上传："
CONSOLE_ROSTER_FAILED = "文件没有导入：{error}。没有写入任何数据。"
CONSOLE_ROSTER_NO_FILE = "请选择名册文件（.xlsx 或 .csv）。"
CONSOLE_ROSTER_PROGRESS = "{stage} {done}/{total} 行…"
CONSOLE_ANSWER_SENT = "已回复{name}：{how}。"
CONSOLE_MARKED_ANSWERED = "已标记为当面答复，不再列在待回复里。"
CONSOLE_SCAN_EXPIRED = "这个登录二维码已过期或已经用过了。请在电脑上刷新登录页，再扫新的二维码。"
CONSOLE_SCAN_NOT_ADMIN = "只有支部管理员和乡镇、县委的工作人员可以登录电脑端管理后台。"
CONSOLE_SCAN_NEED_BINDING = "登录电脑端管理后台前，请先绑定党员身份：发送「绑定 姓名 手机后四位」，绑定后再扫一次码。"
CONSOLE_QR_UNAVAILABLE = "扫码登录暂时用不了（连不上微信），请稍后刷新，或用账号密码登录。"
CONSOLE_QR_EXPIRED = "二维码已过期，点这里换一个"
CONSOLE_OAUTH_NOT_ADMIN = "你的微信没有绑定为支部管理员或乡镇、县委工作人员，不能进入管理后台。请先在公众号里绑定身份，或请县里管理系统的同志开通。"
CONSOLE_OAUTH_FAILED = "微信授权没有成功（{reason}），请关掉页面后从公众号的链接重新打开。"
CLI_CONSOLE_USER_ADDED = "控制台账号「{login}」已建好，能看到：{org}及以下。登录地址：{url}"
CLI_CONSOLE_PASSWORD_PROMPT = "请输入密码（至少 {minimum} 个字符，输入时不显示）："
CLI_CONSOLE_PASSWORD_EMPTY = "没有读到密码：请从标准输入提供（例如 echo 密码 | partybot console-user add …）"

# Issue 23 item 8: upload quotas, downscaled photos (console uploads)
UPLOAD_DAILY_FULL = "照片没有保存：本组织今天已上传 {used} MB 照片，每天最多 {limit} MB（这次 {adding} MB）。请明天再传，或少传几张。"
UPLOAD_TOTAL_FULL = "照片没有保存：本组织已存 {used} MB 照片，一共最多 {limit} MB（这次 {adding} MB）。请撤回不用的学习内容，或请县里管理系统的同志调高上限。"
CONSOLE_PHOTO_PIXELS = "照片像素太多（最多 {mp} 百万像素），请在手机相册里把它改小后再上传。"
CONSOLE_PHOTO_BROKEN = "照片打不开（文件不完整或已损坏），请重新选择或重新拍一张。"
CONSOLE_PHOTO_CANCELLED = "已取消的会议不能再上传照片。"
UPLOAD_DISK_FULL = "服务器磁盘快满了，照片暂时没有保存。请告诉县里管理系统的同志清理磁盘。"

# Issue 23, items 1 and 10: a roster import stays within the importing account's scope.
ROSTER_MEMBER_OUTSIDE = "「{name}」{phone}是你管理范围以外的党员，不能在这里修改（要调动请找上级组织）"
ROSTER_PHONE_SHOWN = "（手机 {phone}）"
ROSTER_AUDIT_MORE = "{shown}…（共 {count} 个）"
CONSOLE_ROSTER_SCOPE_NOTE = "已经登记在你管理范围以外的党员（姓名和手机号相同）不能在这里修改，调动请找上级组织。每次导入都记入「操作记录」。"

# Issue 23 item 4: console sessions on the server, scan login confirmed on the phone.
CONSOLE_LOG_OUT_EVERYWHERE = "退出所有设备"
CONSOLE_LOGGED_OUT_EVERYWHERE = "已退出所有设备（结束了 {count} 个登录）。"
CONSOLE_SCAN_CONFIRM = "电脑端请求登录管理后台（{org}），时间 {time}。是你本人在电脑前扫的码吗？是，请回复「确认登录」；不是，请回复「不是我」。别人发给你的登录二维码不要扫。"
CONSOLE_SCAN_OK = "已登录电脑端管理后台（{org}），时间 {time}。如果不是你本人在电脑前操作，请马上回复「退出电脑端」，并告诉县里管理系统的同志。"
CONSOLE_SCAN_NOTHING_PENDING = "没有等待确认的电脑端登录。要登录，请在电脑上打开登录页，用微信扫页面上的二维码（2 分钟内有效）。"
CONSOLE_SCAN_CANCELLED = "已取消这次电脑端登录，那台电脑不会进入管理后台。如果有人让你扫码，请告诉县里管理系统的同志。"
CONSOLE_PHONE_LOGGED_OUT = "已退出电脑端管理后台的 {count} 个登录。"
CONSOLE_NO_SUCH_LOGIN = "没有账号「{login}」。"
CLI_CONSOLE_PASSWORD_CHANGED = "账号「{login}」的密码已改好；它在各处的 {ended} 个登录都已退出。"

# Issue 23, item 7: an XLSX cell over the field limit is refused as it is read.
ROSTER_CELL_TOO_LONG = "单元格 {cell} 超过 {limit} 个字：名册每一格最多 {limit} 个字，请检查这一格"
ROSTER_XLSX_TOO_MUCH_TEXT = "到这一行，表格里的文字已超过 {limit} 万字（一个名册文件最多这么多）：请拆成几个文件分别导入"

# Issue 23, items 5 and 9: sandbox mode on a public address; login QR codes rationed.
CLI_SANDBOX_LOOPBACK_ONLY = "沙盒模式：聊天页、/wechat 和登录页的「用他的微信扫一扫」只对本机开放，别的电脑只能用密码登录管理后台。用域名或局域网地址打开时，请把这个名字写进 PARTYBOT_ALLOWED_HOSTS（多个用逗号分隔）。"
CONSOLE_QR_TOO_MANY = "这台电脑获取登录二维码太频繁了，请一分钟后再刷新页面，或用账号密码登录。"

# Issue 23, items 11 and 12: requests refused before any view runs.
REQUEST_CONTROL_CHARACTERS = "输入里有不能保存的控制字符（例如从别处复制来的隐藏字符）。请删掉后重新输入。"
REQUEST_TOO_LARGE = "提交的内容太大（上限 {limit}）。照片请压缩后再传，名册请分成几个文件。"
CONSOLE_BAD_QUARTER = "没有这个季度：请用页面上的“上一季度/下一季度”链接（格式如 2026-4）。"
CONSOLE_LOGIN_BUSY = "正在为别的登录核对密码，请过两三秒再点一次“登录”。"
ROSTER_XLSX_LONG_TAG = "Excel 文件里有一段超长的内容（一个标记超过 {limit} KB），不像正常的名册，没有导入。请用 Excel 或 WPS 重新另存为 .xlsx 后再试"
SANDBOX_BAD_TEXT = "这段文字里有微信发不出的字符，请重新输入。"

# Issue 24 (members, the org tree, console accounts): a member named anywhere in the roster.
MEMBER_NOT_FOUND_ANYWHERE = "名册里没有叫「{name}」的党员（有手机号时，也要和名册里的对得上）。"
MEMBER_AMBIGUOUS_ANYWHERE = "名册里有{count}位叫「{name}」的党员，无法确定是哪一位，请加上手机号（或手机后四位）区分。"

# Issue 24 (study and questions): an item changed in the console.
STUDY_EDITED = "已修改第{id}期《{title}》。"
STUDY_EDIT_NOTHING = "第{id}期没有改动：标题、正文、链接和时间都和原来一样。"

# Issue 24 (audit page): filters the admin typed that could not be used
AUDIT_BAD_SURFACE = "没有这种来源，按全部来源显示。"
AUDIT_BAD_ORG = "这个组织不在你的管理范围内（或不存在），按全部组织显示。"
AUDIT_BAD_DATE = "“{field}”不是日期（应写成 2026-05-01 这样），这一项没有用上。"
AUDIT_DATES_REVERSED = "开始日期在结束日期之后，这段时间里没有记录。"

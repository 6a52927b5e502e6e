"""Small talk, questions for the branch admin, voice and media (handlers/conversation.py)."""

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
VOICE_NOT_RECOGNISED = "收到语音，但没能听出文字。到了会场请打「我到了」或「签到」；其他事请打字，或发送「帮助」。"
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
    "改会议": "改会议 4587 下周四下午3点（或：改会议 4587 地点改为党员活动室）",
}
MY_RECORD = "{name}，你{year}年的记录：\n学习 {studies} 期（连续学习 {streak} 天）\n参加会议 {meetings} 次"
UNSTUDIED_HEADER = "本周学习内容的学习情况（{branch}）："
UNSTUDIED_ITEM = "《{title}》：已学 {done}/{total}{names}"
UNSTUDIED_NAMES = "，未学：{names}"
UNSTUDIED_NONE = "本周还没有发布学习内容。"

# Issue 25: a question from someone whose branch has no admin named (township staff)
QUESTION_FORWARDED_NO_ADMIN = "这个问题已记下，支部管理员或上级党组织的同志会尽快回复你。"

# Issue 25: what was kept as a 心得 and how to take it back; greetings asked as questions;
# "what should I do?".
FEEDBACK_KEPT = "已记为学习心得（《{title}》）。发「撤回心得」可以撤回。"
FEEDBACK_KEPT_MORE = "已记为学习心得（《{title}》，共{count}份）。发「撤回心得」可以撤回这一份。"
FEEDBACK_WITHDRAWN = "已撤回你在《{title}》下的学习心得：{what}。"
FEEDBACK_WITHDRAWN_TEXT = "「{text}」"
FEEDBACK_WITHDRAWN_KINDS = {"image": "一张照片", "voice": "一段语音", "text": "一段文字"}
FEEDBACK_NOTHING_TO_WITHDRAW = "没有可以撤回的学习心得（只能撤回一天内发的）。"
FEEDBACK_NOT_KEPT_HINT = "\n（如果这是学习心得，请多写几句学习体会，或者发照片、语音。）"
SMALL_TALK_MORE_ANSWERS = {"care": "谢谢关心！"}
TODO_HEADER = "你现在可以做的事："
TODO_CHECK_IN = "· {kind}（{when}）正在签到，回复「签到」"
TODO_RELAYS = "· 有{count}项要转达给你帮扶的党员，回复「帮学」查看"
TODO_STUDY = "· 学习《{title}》，回复「学习」查看"
TODO_STUDY_MORE = "· 学习《{title}》等{count}期，回复「学习」查看"
TODO_MEETING = "· {kind}：{when}，{place}{state}"
TODO_MEETING_STATE = "（{state}）"
TODO_MEETINGS_FOOTER = "回复「会议」看会议详情；请假发「请假」加签到码和原因。"
TODO_NOTHING = "现在没有要办的事：学习内容都学完了，近期也没有你的会议。有问题可以直接问，会转给支部管理员。"

# Issue 25: a voice message that is no command says what can be said; "？" alone.
VOICE_WHAT_YOU_CAN_SAY = (
    "可以这样说：到了会场说「我到了」签到；去不了说「请假，家里有事」；"
    "说「学习」看学习内容；说「帮助」看全部。"
)
VOICE_WHAT_STRANGERS_CAN_SAY = "先发送「绑定 姓名 手机后四位」绑定党员身份，就能说「我到了」签到、说「学习」学习。"
EMPTY_MESSAGE_HELP = "有什么需要帮忙的？"
COMMAND_EXAMPLES.update({
    "请假": "请假 1234 外出务工（只有一场会时，发「请假 外出务工」就行）",
})
COMMAND_EXAMPLES.update({  # issue 28
    "满意度": "满意度 112（每题一个数字：1 满意，2 基本满意，3 不满意）",
})

"""一帮一: pairing, relays and the helpers' lists."""

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

# Issue 25 (who can help whom): the rule's refusals, and a 结对 written the wrong way round.
PAIR_REVERSED = "顺序好像反了：「结对」后面先写帮扶人，再写被帮扶的党员。{helper}{why}，不能当帮扶人；{member}是帮扶人。是要{member}帮扶{helper}吗？请发送「结对 {member} {helper}」。"
PAIR_HELPER_NEEDS_HELP = "{name}自己需要帮扶（{reason}），不能当帮扶人。"
PAIR_HELPER_NO_WECHAT = "{name}还没有绑定微信，不能当帮扶人（转达的内容要发到帮扶人的微信上）。"
PAIR_MEMBER_IS_HELPER = "{name}是帮扶人，不能再接受帮扶。"
PAIR_REVERSED_WHY = {"PAIR_HELPER_NEEDS_HELP": "自己需要帮扶（{reason}）",
                     "PAIR_HELPER_NO_WECHAT": "还没有绑定微信",
                     "PAIR_HELPER_IS_HELPED": "自己在接受帮扶"}

# Issue 26 (帮扶 page): 已转达 for one line of the relay list.
PAIR_RELAY_GONE = "这一条已经不在待转达的列表里了（可能已经不用转达），请看最新的列表。"

"""民主评议党员 (issue 28): the chat's replies, the notices, the pages' and console's
sentences, and the refusals."""

EVAL_GRADE_NAMES = {"excellent": "优秀", "qualified": "合格", "basic": "基本合格",
                    "unqualified": "不合格"}
# what members may type for a grade (longest first when read)
EVAL_GRADE_WORDS = {"基本合格": "basic", "不合格": "unqualified", "优秀": "excellent",
                    "合格": "qualified"}
# what may stand between the choices of 评议 / 纸质选票 ("张明 优秀，刘芳 合格。")
EVAL_CHOICE_PUNCTUATION = " ,，.。、"
EVAL_NO_GRADE = "—"
EVAL_TALLY = "优秀{}票、合格{}票、基本合格{}票、不合格{}票"
EVAL_AUDIT_TARGET = "{year}年民主评议党员"
EVAL_AUDIT_DETERMINED = "{year}年民主评议认定：{name}"
EVAL_AUDIT_PAPER = "纸质选票：{name}"
EVAL_METHOD_NAMES = {"online": "网上", "paper": "纸质"}

# notices
EVAL_NOTICE_OPEN = ("【民主评议党员】支部开始民主评议，{until}截止。\n"
                    "1. 请先写自我评价：发送「自评 」加上你的内容，或发「自评」后说一段语音；\n"
                    "2. 再给{count}位党员评等次（优秀/合格/基本合格/不合格，不记名）：发送「评议」看名单。")
EVAL_NOTICE_RESULT = ("【民主评议结果】你{year}年民主评议的结果：{grade}。\n"
                      "大家的评议：{votes}。{reason}这条消息只发给你本人。")
EVAL_NOTICE_RESULT_HELPED = ("【民主评议结果】你{year}年民主评议的结果出来了。结果只告诉你本人："
                             "请向支部书记当面了解，或在公众号发送「我的评议」查看。")
EVAL_RESULT_REASON = "支部委员会的说明：{reason}。"

# refusals
EVAL_NOT_IN_BRANCH = "选的党员不都是本支部的，请重新选择。"
EVAL_ALREADY_OPEN = "本支部的民主评议已经开始了，发送「评议进度」看进度。"
EVAL_BAD_DEADLINE = "截止日期要在今天以后、三个月以内，例如：开始评议 12月20日"
EVAL_TOO_FEW = "参加评议的党员太少，至少要两人。"
EVAL_CLOSED = "这次民主评议已经结束了。"
EVAL_VOTING_ENDED = "民主评议的投票已经截止了。"
EVAL_NOT_EVALUATED = "这次民主评议没有评你，不用写自我评价。"
EVAL_SELF_EMPTY = "请写上自我评价的内容，例如：自评 今年按时参加组织生活……"
EVAL_SELF_TOO_LONG = "自我评价太长了，请控制在{limit}字以内。"
EVAL_NOTHING_CHOSEN = "请选等次，例如：评议 1 合格"
EVAL_ONLY_YOURSELF = "只能本人投票。没有手机的党员请交纸质选票，由支部录入。"
EVAL_HELPER_CANNOT_ENTER = "你是{name}的帮扶人，不能替{name}投票或录入选票。请另一位支委录入{name}的纸质选票。"
EVAL_PAPER_NOT_OWN = "自己的票请自己在网上投，不用录纸质选票。"
EVAL_NOT_VOTER = "{name}不参加这次投票。"
EVAL_NOT_SELF = "不能给自己评等次，自己的情况请用「自评」写。"
EVAL_NOT_A_SUBJECT = "这位党员不在这次的评议名单里。"
EVAL_VOTED_ONLINE = "{name}已经在网上投过票了，不能再录纸质选票。"
EVAL_VOTED_ON_PAPER = "{name}已经交了纸质选票，不能再在网上投票。要改，请找支部书记重新录入。"
EVAL_STILL_VOTING = "投票还没截止，截止后才能看票数、作认定。要提前截止，请点「提前截止投票」。"
EVAL_REASON_TOO_LONG = "说明太长了，请控制在{limit}字以内。"
EVAL_REASON_NEEDED = "{name}：大家的评议是{votes}，支部认定为{grade}，请写上理由。"
EVAL_OVER_CAP = ("认定优秀的有{excellent}人，占{total}人的{share}%，超过了规定的{cap}%（最多{allowed}人）。"
                 "请调整认定；确需超过的，发送「结束评议 理由」或在管理后台写明理由。")
EVAL_NO_SUCH = "评议名单里没有「{name}」，发送「评议」看名单和序号。"

# chat
EVAL_NONE_OPEN = "本支部现在没有进行中的民主评议。"
EVAL_SELF_SAY = "请在10分钟内说一段语音作为自我评价，或者直接发送「自评 」加上文字。"
EVAL_SELF_KEPT = "自我评价已收到。截止前可以重新发送「自评 」修改。"
EVAL_SELF_VOICE_KEPT = "语音自我评价已收到。截止前可以重新发送修改。"
EVAL_LIST_HEADER = "{year}年民主评议（{until}截止，不记名，截止前可以改）。发送「评议 序号 等次」，例如：评议 1 合格"
EVAL_LIST_LINE = "{number}. {name}：{choice}"
EVAL_NOT_RATED = "未评"
EVAL_LIST_DONE = "你已经评完了{count}人，谢谢！"
EVAL_LIST_SELF_REMINDER = "你还没写自我评价：发送「自评 」加上内容，或发「自评」后说一段语音。"
EVAL_NOT_VOTING = "你不参加这次投票。"
EVAL_USAGE = "格式：评议 序号 等次，例如：评议 3 合格 或 评议 张明 优秀。等次：优秀、合格、基本合格、不合格"
EVAL_CAST_OK = "已记下：{lines}。还有{left}人没评。"
EVAL_CAST_ALL = "已记下：{lines}。你已经评完了，谢谢！截止前可以改。"
EVAL_CAST_LINE = "{name}{grade}"
# Kept instead of a reply naming the member's choices (a retry from WeChat gets it)
SECRET_REPLY_NOT_KEPT = "已收到。评议不记名，这条回复没有保存；发「我的评议」可以再看。"
EVAL_MINE_HEADER = "{year}年民主评议：{opened}开始，{until}截止。"
EVAL_MINE_SELF = "自我评价：{state}"
EVAL_MINE_SELF_NONE = "还没写（发送「自评 」加内容）"
EVAL_MINE_SELF_DONE = "已写"
EVAL_MINE_VOTES = "你已评{done}/{due}人：{lines}"
EVAL_MINE_RESULT = "{year}年民主评议的结果：{grade}（{votes}）{reason}"
EVAL_MINE_NOTHING = "你还没有民主评议的记录。"
EVAL_OPENED = "民主评议已开始，{until}截止：评{subjects}人，{voters}人投票。已通知全体党员写自我评价、投票。\n发送「评议进度」看进度；没有手机的党员，用「纸质选票」录入。"
EVAL_OPEN_USAGE = "格式：开始评议 截止日期，例如：开始评议 12月20日（不写日期就是两周后）"
EVAL_PROGRESS = "民主评议进度（{until}截止）：{voted}/{voters}人投完了票，{selves}/{subjects}人写了自我评价。"
EVAL_PROGRESS_WAITING = "还没投完：{names}"
EVAL_PROGRESS_NO_PHONE = "没有绑定微信（可录纸质选票）：{names}"
EVAL_PAPER_USAGE = "格式：纸质选票 投票人 被评人 等次 ……，例如：纸质选票 王大爷 3 优秀 5 合格（被评人写名字或「评议」名单的序号）"
EVAL_PAPER_OK = "已录入{voter}的纸质选票：{count}人。"
EVAL_CLOSED_OK = "民主评议已结束：{subjects}人，认定优秀{excellent}人。结果已分别发给本人，乡镇党委可以在管理后台看到。"

# console and member page
EVAL_CONSOLE_OPENED = "民主评议已开始，已通知党员。"
EVAL_CONSOLE_PAPER_OK = "已录入{voter}的纸质选票（{count}人）。"
EVAL_CONSOLE_SAVED = "已保存认定。"
EVAL_CONSOLE_ENDED = "投票已截止，可以看票数、作认定了。"
EVAL_CONSOLE_CLOSED = "民主评议已结束，结果已发给每位党员。"
EVAL_CONSOLE_BAD_DATE = "请选截止日期。"
EVAL_PAGE_SAVED = "已记下，截止前可以改。"
EVAL_PAGE_SELF_SAVED = "自我评价已保存。"

# 台账
EVAL_LEDGER_SHEET = "民主评议"
EVAL_LEDGER_TITLE = "{org}民主评议党员（{period}）"
EVAL_LEDGER_COLUMNS = ["支部", "年度", "序号", "姓名", "优秀票", "合格票", "基本合格票", "不合格票",
                       "认定", "认定理由", "自我评价"]
EVAL_LEDGER_SELF_TEXT = "已写"
EVAL_LEDGER_SELF_VOICE = "语音"
EVAL_LEDGER_SELF_NONE = "未写"
EVAL_LEDGER_CLOSED = "{branch}：{day}结束，{by}。"
EVAL_LEDGER_OVER_CAP = "优秀比例超过规定的理由：{reason}"

# 帮助 <命令>: an example each
from core.texts.conversation import COMMAND_EXAMPLES  # noqa: E402

COMMAND_EXAMPLES.update({
    "评议": "评议 3 合格（「评议」看名单和序号；一次可以评几个人：评议 张明 优秀 刘芳 合格）",
    "自评": "自评 今年按时参加组织生活，带头学习，不足是……",
    "开始评议": "开始评议 12月20日",
    "纸质选票": "纸质选票 王大爷 3 优秀 5 合格",
    "结束评议": "结束评议（优秀超过规定比例时：结束评议 写明理由）",
})
# the member home page's link while a round waits for this member (issue 28)
EVALUATION_HOME_LINK = "支部正在开展民主评议党员，去评议（匿名）"

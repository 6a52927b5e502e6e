"""整顿台账: the rectification ledger of weak branches (models.rectification)."""

RECTIFY_NOT_COUNTY = "只有县委组织部门可以做这一步。"
RECTIFY_NOT_ABOVE = "只有这个支部的上级党委（乡镇或县）可以做这一步。"
RECTIFY_NOT_BRANCH = "只能把村（社区）党支部列为软弱涣散党组织。"
RECTIFY_ALREADY_MARKED = "{branch}已列入{year}年软弱涣散党组织台账。"
RECTIFY_REASON_EMPTY = "请写明列为软弱涣散的原因。"
RECTIFY_BAD_YEAR = "年份不对：{year}。"
RECTIFY_BAD_CATEGORY = "问题类别只能是：{categories}。"
RECTIFY_PROBLEM_EMPTY = "请写明问题和整改措施。"
RECTIFY_OWNER_EMPTY = "请写明责任人。"
RECTIFY_BAD_DEADLINE = "整改时限不对：请写成 2026-06-30 这样的日期。"
RECTIFY_BAD_MILESTONES = "节点写法不对：每个写成「名称:提前天数」，如「方案:60，中期:30，验收:7」。"
RECTIFY_CONFIRMED_ALREADY = "{branch}已经确认整顿销号，不能再改。"
RECTIFY_ALREADY_CLOSED = "这个问题已经销号。"
RECTIFY_NOT_CLOSED = "这个问题还没有销号。"
RECTIFY_EVIDENCE_EMPTY = "销号要写明整改情况（佐证材料），也可以附上照片。"
RECTIFY_REOPEN_REASON_EMPTY = "重新打开要写明原因。"
RECTIFY_STILL_OPEN = "还有 {count} 个问题没有销号，不能确认整顿销号。"
RECTIFY_NO_PROBLEMS = "还没有登记问题，不能确认整顿销号。"
RECTIFY_MILESTONE_DONE = "这个节点已经完成。"

# Warnings the overdue sweep queues (schedules.rectification).
NOTICE_RECTIFY_MILESTONE = (
    "【整顿提醒】{branch}「{problem}」的{milestone}节点今天到期（整改时限 {deadline}）。"
    "责任人：{owner}。")
NOTICE_RECTIFY_OVERDUE = (
    "【整顿提醒】{branch}「{problem}」已超过整改时限（{deadline}），还没有销号。"
    "责任人：{owner}，请尽快整改并报请销号。")
NOTICE_RECTIFY_OVERDUE_UP = (
    "【整顿提醒】{branch}「{problem}」已超期 {days} 天（时限 {deadline}），还没有销号。"
    "责任人：{owner}，挂点领导：{leader}。")

RECTIFY_LIST_EMPTY = "{year}年没有列入软弱涣散的党组织。"
RECTIFY_LIST_LINE = "{branch}（{township}）：问题 {total} 个，未销号 {open}，超期 {overdue}{left}"
RECTIFY_LIST_LEFT = "，已确认整顿销号"

RECTIFY_LEADER_UNKNOWN = "找不到挂点领导「{name}」：请写花名册上的姓名（同名的请联系管理员）。"
CONSOLE_RECTIFY_MARKED = "已列入软弱涣散党组织台账。"
CONSOLE_RECTIFY_PROBLEM_ADDED = "问题已登记，节点已按时限倒排。"
CONSOLE_RECTIFY_CLOSED = "问题已销号。"
CONSOLE_RECTIFY_REOPENED = "问题已重新打开。"
CONSOLE_RECTIFY_CONFIRMED = "已确认整顿销号，该支部移出台账。"
CONSOLE_RECTIFY_MILESTONE_DONE = "节点已标记完成。"
RECTIFY_FILE_TOO_BIG = "佐证文件不能超过 {mb} MB。"

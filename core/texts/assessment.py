"""党建考核: the scheme file's problems, score sheets, loading and closing a year."""

# The scheme file (partybot assess check|load, the console's scheme page)
ASSESS_SCHEME_HEADER = ("考核项目", "细则", "问题")
ASSESS_SCHEME_NOT_TOML = "不是有效的 TOML：{error}"
ASSESS_SCHEME_PROBLEMS = "考核方案有 {count} 处问题，未载入。"
ASSESS_SCHEME_SUMMARY = "{year}年「{name}」：{items}个项目，{clauses}条细则，共{points}分。"
ASSESS_SCHEME_SOURCES = "计分方式：{sources}。"
ASSESS_SCHEME_LOADED = "已载入{year}年考核方案。"
ASSESS_SCHEME_OK = "方案没有问题（未载入）。"
ASSESS_WHOLE = "整个文件"
ASSESS_NO_ITEM = "—"
# what is wrong (one sentence each; the item and clause are the table's columns)
ASSESS_MISSING = "缺少「{field}」"
ASSESS_NOT_TEXT = "「{field}」应是文字"
ASSESS_NOT_NUMBER = "「{field}」应是数字"
ASSESS_NOT_LIST = "「{field}」应是列表"
ASSESS_BAD_YEAR = "year 应是 2000–2100 之间的年份"
ASSESS_UNKNOWN_FIELD = "不认识的字段「{field}」"
ASSESS_NO_ITEMS = "方案里没有 [[item]]"
ASSESS_NO_CLAUSES = "这个项目没有 [[item.clause]]"
ASSESS_DUPLICATE_ITEM = "项目 key「{key}」重复"
ASSESS_DUPLICATE_CLAUSE = "细则 key「{key}」在方案里重复（第一次在「{first}」）"
ASSESS_KEY_FORM = "key 只能用字母、数字、下划线和短横线，最长 40 个字符"
ASSESS_POINTS_POSITIVE = "points 应大于 0"
ASSESS_APPLIES_TO = "applies_to 只能是 {allowed}，写的是「{got}」"
ASSESS_APPLIES_EMPTY = "applies_to 不能为空"
ASSESS_SOURCE = "source 只能是 {allowed}，写的是「{got}」"
ASSESS_MEASURE_MISSING = "source 是 {source} 时要写 measure（可用：{known}）"
ASSESS_MEASURE_UNKNOWN = "不认识的 measure「{measure}」（可用：{known}）"
ASSESS_MEASURE_NOT_HERE = "source 是 {source} 时不用写 measure 和计分规则"
ASSESS_SCALE_MISSING = "要写 thresholds 或 linear 其中一个"
ASSESS_SCALE_BOTH = "thresholds 和 linear 只能写一个"
ASSESS_THRESHOLD_FORM = "thresholds 的每一项应是 [比例, 分数]，例如 [0.9, 10]"
ASSESS_THRESHOLD_SHARE = "thresholds 的比例 {share} 应在 0 到 1 之间"
ASSESS_THRESHOLD_POINTS = "thresholds 的分数 {score} 超出了本条的 {points} 分（或小于 0）"
ASSESS_LINEAR_FORM = "linear 应是 [下限, 上限]，0 ≤ 下限 < 上限 ≤ 1，例如 [0.5, 1.0]"
ASSESS_RULE_SHARE = "rules.excellent_share_max 应在 0 到 1 之间"

ASSESS_SOURCE_NAMES = {"computed": "系统计算", "self_check": "自查", "inspection": "巡查",
                       "survey": "满意度测评"}
ASSESS_LEVEL_NAMES = {"township": "乡镇党委", "branch": "村（社区）党支部",
                      "office": "机关党组织"}

# Score sheets
ASSESS_DETAIL_RATIO = "{done}/{due} = {percent}%"
ASSESS_DETAIL_NOTHING_DUE = "本期无应完成事项，不计入"
ASSESS_DETAIL_SURVEY_ABOVE = "测评结果报上级党委"  # a branch's own sheet: not its survey's counts
ASSESS_DETAIL_NO_MARK = "待评分"
ASSESS_DETAIL_MARK = "{note}（{who}）"
ASSESS_DETAIL_UNKNOWN_MEASURE = "指标「{measure}」未启用"
ASSESS_SHEET_TITLE = "{org} {year}年党建考核"
ASSESS_SHEET_HEADER = ("考核项目", "细则", "分值", "得分", "计分方式", "说明")
ASSESS_SHEET_TOTAL = "合计：{total} / {possible} 分"
ASSESS_SHEET_FROZEN = "（{year}年已关闭，得分已固定）"
ASSESS_SHEET_EMPTY = "{org}没有适用的考核细则。"
ASSESS_SHEET_WRITTEN = "已写入 {path}"

# Actions' refusals
ASSESS_SCHEME_INVALID = "考核方案有问题，未载入：\n{problems}"
ASSESS_YEAR_CLOSED = "{year}年的考核已关闭，不能再改方案。"
ASSESS_NO_SCHEME = "{year}年还没有载入考核方案。"
ASSESS_NESTED_TOO_DEEP = "括号嵌套太深"  # a TOML file of arrays nested thousands deep
ASSESS_BAD_PERIOD = "统计区间要在{year}年之内，并且 --from 不晚于 --to。"
ASSESS_ALREADY_CLOSED = "{year}年的考核已经关闭过了。"
ASSESS_NO_ORG_TREE = "还没有组织架构，先建立县委和乡镇党委。"
ASSESS_CLOSED = "已关闭{year}年考核：{orgs}个组织的得分已固定。"
ASSESS_NOT_COUNTY = "只有县委的账号可以这样做。"

# Console
ASSESS_CONSOLE_TITLE = "党建考核"
ASSESS_CONSOLE_NO_SCHEME = "还没有考核方案。"
ASSESS_CONSOLE_CLOSE_CONFIRM = "关闭后{year}年的得分不再随记录变化。确定关闭吗？"
ASSESS_WHERE = "{where}：{message}"
ASSESS_NTH_ITEM = "第{n}个项目"
ASSESS_NTH_CLAUSE = "第{n}条"
ASSESS_SHEET_TAB = "考核"
ASSESS_SOURCE_COUNT = "{source}{count}条"
ASSESS_LIST_SEPARATOR = "，"
ASSESS_ITEM_LINE = "  {title}（{points}分，{clauses}条）"

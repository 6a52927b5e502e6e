"""Members and the org tree: roster import, the org tree's rules, finding a member."""

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


# Issue 23, items 1 and 10: a roster import stays within the importing account's scope.
ROSTER_MEMBER_OUTSIDE = "「{name}」{phone}是你管理范围以外的党员，不能在这里修改（要调动请找上级组织）"
ROSTER_PHONE_SHOWN = "（手机 {phone}）"
ROSTER_AUDIT_MORE = "{shown}…（共 {count} 个）"
CONSOLE_ROSTER_SCOPE_NOTE = "已经登记在你管理范围以外的党员（姓名和手机号相同）不能在这里修改，调动请找上级组织。每次导入都记入「操作记录」。"


# Issue 23, item 7: an XLSX cell over the field limit is refused as it is read.
ROSTER_CELL_TOO_LONG = "单元格 {cell} 超过 {limit} 个字：名册每一格最多 {limit} 个字，请检查这一格"
ROSTER_XLSX_TOO_MUCH_TEXT = "到这一行，表格里的文字已超过 {limit} 万字（一个名册文件最多这么多）：请拆成几个文件分别导入"


# Issue 24 (members, the org tree, console accounts): a member named anywhere in the roster.
MEMBER_NOT_FOUND_ANYWHERE = "名册里没有叫「{name}」的党员（有手机号时，也要和名册里的对得上）。"
MEMBER_AMBIGUOUS_ANYWHERE = "名册里有{count}位叫「{name}」的党员，无法确定是哪一位，请加上手机号（或手机后四位）区分。"

# Issue 25 (console org form and removing an org)
ORG_KIND_NOT_CHOSEN = "请选择「{name}」的类型（党委、党总支还是党支部）：从名称看不出来。"
ORG_NOT_EMPTY = "「{name}」不能删除：下面还有{holds}。先把它们移走或删除，再删这个组织。"
ORG_TOP_STAYS = "「{name}」是最上层的组织，不能删除。"

# Issue 25 (binding over ordinary mistakes): what is missing or malformed, never a try.
BIND_ASK = "请发送你的姓名和手机后四位，例如：绑定 张三 1234（整个手机号也可以）。"
BIND_ASK_NAME = "请把姓名和手机后四位一起发来（先绑定党员身份），例如：绑定 张三 1234。"
BIND_ASK_NUMBER = "还差手机后四位：请发送「绑定 {name} 手机后四位」，例如：绑定 {name} 1234。"
BIND_BAD_NUMBER = "手机号没有看明白：请发手机后四位（4个数字）或整个11位手机号，例如：绑定 {name} 1234。"

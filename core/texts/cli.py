"""The command line: `partybot` commands, the terminal chat, the 台账 and the sandbox."""

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
CLI_PAIRS_CONFIRM = "确认无误后运行 `{command} pairs apply` 生效。"
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
CLI_DEMO_CONSOLE = "管理后台在 /admin：登录页二维码下面点「用他的微信扫一扫」（沙盒里代替手机扫码），选李书记或何委员即可进入。也可以建一个乡镇的密码账号（密码从标准输入读，至少10个字符）：\n  echo '换成你自己的密码至少十个字' | {command} console-user add 乡里 --org {org}"
CLI_DEMO_USER = "  {command} chat --openid {openid:<14} # {name}，{role}，{branch}"


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


# Backups (`partybot db backup` / `db restore`, models/db/backup.py): Chinese, then
# English for the IT person who reads either.
BACKUP_NOT_FOUND = "找不到备份文件 {file}。\nNo backup file {file}."
BACKUP_DAMAGED = ("备份文件 {file} 已损坏或不是 partybot 的备份（{why}），什么都没有改动。\n"
                  "The backup {file} is damaged or not a partybot backup ({why}); "
                  "nothing was changed.")
BACKUP_FORMAT_NEWER = ("这个备份的格式（第 {version} 版）比本程序新，请用新版 partybot 恢复。\n"
                       "This backup's format (version {version}) is newer than this "
                       "partybot: restore it with a newer one.")
BACKUP_NO_FOLDER = "没有文件夹 {folder}，请先建好。\nNo folder {folder}: create it first."
BACKUP_NO_DATABASE = "找不到数据库文件 {path}。\nNo database file at {path}."
BACKUP_KIND_UNSUPPORTED = ("不能备份或恢复这种数据库：{kind}（只支持 SQLite 文件和 PostgreSQL）。\n"
                           "Cannot back up or restore this database: {kind} (SQLite files "
                           "and PostgreSQL only).")
BACKUP_KIND_MISMATCH = ("这是 {backup} 的备份，而配置的数据库是 {target}：只能恢复到同一种数据库"
                        "（暂不支持 SQLite 与 PostgreSQL 互相恢复）。\n"
                        "This is a {backup} backup and the configured database is {target}: "
                        "a backup restores into the same kind only (SQLite to PostgreSQL "
                        "and back is not supported).")
BACKUP_PG_TOOL_MISSING = ("找不到 {tool}：PostgreSQL 的备份和恢复需要它（{major} 或更新的版本）。"
                          "在 Debian/Ubuntu 上安装：apt-get install postgresql-client。"
                          "没有生成备份。\n"
                          "{tool} was not found on PATH: PostgreSQL backups need it (version "
                          "{major} or newer). On Debian/Ubuntu: apt-get install "
                          "postgresql-client. No backup was made.")
BACKUP_PG_TOOL_OLD = ("{tool} 的版本太旧（{found}），数据库服务器是 {major} 版：请安装 {major} "
                      "或更新版本的 postgresql-client。\n"
                      "{tool} is too old ({found}) for the server (version {major}): install "
                      "postgresql-client {major} or newer.")
BACKUP_PG_FAILED = "{tool} 失败：{error}\n{tool} failed: {error}"
BACKUP_TARGET_NOT_EMPTY = ("配置的数据库不是空的（{count} 个表有数据，例如 {tables}）：备份只能恢复到"
                           "空数据库，什么都没有改动。请换一个新的数据库再恢复。\n"
                           "The configured database is not empty ({count} tables hold rows, "
                           "e.g. {tables}): a backup restores into an empty database only; "
                           "nothing was changed. Point partybot at a new database first.")
BACKUP_TARGET_NOT_PARTYBOT = ("配置的数据库里有别的表（{tables}），不像 partybot 的数据库，"
                              "什么都没有改动。\n"
                              "The configured database holds other tables ({tables}) and "
                              "does not look like partybot's; nothing was changed.")
BACKUP_TARGET_IN_USE = ("数据库 {path} 正在被使用：请先停止 partybot（网页服务和定时任务）再恢复。\n"
                        "The database {path} is open in another process: stop partybot "
                        "(web and scheduler) before restoring.")
BACKUP_UPLOADS_NOT_EMPTY = ("上传文件夹 {folder} 里已经有文件：只能恢复到空的文件夹，"
                            "什么都没有改动。\n"
                            "The uploads folder {folder} already holds files: a backup "
                            "restores into an empty one; nothing was changed.")
BACKUP_RESTORED_DIFFERS = ("恢复出的数据库与备份清单不符（{why}），请保留备份文件并检查。\n"
                           "The restored database does not match the backup's manifest "
                           "({why}); keep the backup file and check it.")
BACKUP_REVISION_NEWER = ("这个备份来自更新版本的 partybot（数据库版本 {revision}），本程序不认识："
                         "请先升级 partybot 再恢复。什么都没有改动。\n"
                         "This backup comes from a newer partybot (database revision "
                         "{revision}) than this one: upgrade partybot, then restore. "
                         "Nothing was changed.")
BACKUP_DONE = ("备份完成：{file}（{size} MB；{tables} 个表 {rows} 行，{files} 个上传文件）。\n"
               "Backup written: {file} ({size} MB; {tables} tables, {rows} rows, "
               "{files} uploaded files).")
BACKUP_RELEASED_SINCE = ("注意：有 {count} 个文件在数据库快照之后被正常清理（撤回或取消），"
                         "未包含在备份中。\n"
                         "Note: {count} files were let go after the database snapshot "
                         "(withdrawn or cancelled) and are not in the backup.")
BACKUP_RESTORED = ("恢复完成：{rows} 行数据，{files} 个上传文件。\n"
                   "Restored: {rows} rows and {files} uploaded files.")
BACKUP_RESTORED_UPGRADE = ("这个备份的数据库版本是 {revision}，比本程序旧：请运行 {command} db upgrade。\n"
                           "The backup's database is at revision {revision}, older than this "
                           "partybot: run {command} db upgrade.")

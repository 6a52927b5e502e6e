"""`partybot doctor`: what each check reports and what to do about it, in Chinese and
English side by side (the county's IT person may read either; the output shows both).

Each entry is a `Said` pair; placeholders use str.format names. A value that is itself a
`Said` is filled in the same language (`Said.format`).
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Said(NamedTuple):
    """One sentence in Chinese and in English."""

    zh: str
    en: str

    def format(self, **values: Any) -> Said:
        """Both sentences filled in; a `Said` value is taken in the matching language."""
        return Said(
            self.zh.format(**{k: v.zh if isinstance(v, Said) else v for k, v in values.items()}),
            self.en.format(**{k: v.en if isinstance(v, Said) else v for k, v in values.items()}))


# The checks, in the order they run (bot/doctor/checks.py).
CHECK_NAMES = {
    "config": Said("配置", "configuration"),
    "message": Said("消息加解密", "message signing"),
    "files": Said("文件权限", "file modes"),
    "disk": Said("磁盘空间", "disk space"),
    "database": Said("数据库连接", "database"),
    "migrations": Said("数据库结构", "migrations"),
    "writable": Said("数据库写入", "database writes"),
    "scheduler": Said("调度进程", "scheduler"),
    "outbox": Said("待发消息", "outbox"),
    "token": Said("接口令牌", "access token"),
    "clock": Said("时钟", "clock"),
    "templates": Said("模板消息", "templates"),
    "menus": Said("菜单", "menus"),
    "public_url": Said("公网地址", "public URL"),
}

MARK_OK, MARK_WARN, MARK_FAIL, MARK_SKIP = "✓", "!", "✗", "-"
FIX_ARROW = "  → "
HEADER = Said("partybot 体检：{target}", "partybot doctor: {target}")
SUMMARY = Said("共 {total} 项：{ok} 项正常，{warn} 项警告，{fail} 项失败，{skip} 项跳过。",
               "{total} checks: {ok} ok, {warn} warning(s), {fail} failed, {skip} skipped.")
VERDICT_FAIL = Said("有问题需要处理（退出码 1）。", "Something needs fixing (exit status 1).")
VERDICT_OK = Said("可以正常运行。", "Healthy.")
TOOK_TOO_LONG = Said("超过 {seconds} 秒没有结果，已放弃", "no answer within {seconds} s; gave up")
TOOK_TOO_LONG_FIX = Said("这一项卡住了：看上面的网络或数据库是否太慢",
                         "this check hung: is the network or the database slow?")
CRASHED = Said("检查本身出错：{error}", "the check itself failed: {error}")
CRASHED_FIX = Said("请把这一行报告给 partybot 的维护者", "report this line to partybot's maintainers")
LIST_SEP = Said("；", "; ")
NEEDS = Said("跳过：要先解决「{other}」", "skipped: fix '{other}' first")

# config
MODE_SAFE = Said("安全模式", "safe mode")
MODE_COMPATIBLE = Said("兼容模式", "compatible mode")
MODE_PLAIN = Said("明文模式", "plaintext mode")
CONFIG_ACCOUNT = Said("公众号 {app_id}，{mode}", "account {app_id}, {mode}")
CONFIG_SANDBOX = Said("沙盒模式（没有设置 WECHAT_APP_ID）", "sandbox mode (WECHAT_APP_ID not set)")
CONFIG_BAD = Said("配置有误：{error}", "configuration error: {error}")
CONFIG_BAD_FIX = Said("按提示改正 .env 或环境变量里的这一项",
                      "correct that setting in .env or the environment")

# message: the Token, EncodingAESKey and app id against a sample message
MESSAGE_OK_AES = Said(
    "按 Token、EncodingAESKey 和 AppID 加密签名的样例消息通过了 /wechat 的校验和解密",
    "a sample message signed and encrypted with the Token, EncodingAESKey and app id "
    "passes /wechat's checks and decrypts")
MESSAGE_OK_PLAIN = Said("按 Token 签名的样例消息通过了 /wechat 的校验",
                        "a sample message signed with the Token passes /wechat's checks")
MESSAGE_PLAIN_MODE = Said("明文模式：微信发来的消息不加密",
                          "plaintext mode: WeChat's messages are not encrypted")
MESSAGE_PLAIN_MODE_FIX = Said(
    "在公众平台「设置与开发 → 基本配置」选安全模式，把 EncodingAESKey 写进 WECHAT_ENCODING_AES_KEY",
    "choose safe mode in the admin console (Settings & Development → Basic configuration) "
    "and set WECHAT_ENCODING_AES_KEY to its EncodingAESKey")
AES_LENGTH = Said("EncodingAESKey 有 {length} 个字符，应为 43 个",
                  "EncodingAESKey has {length} characters; it must have 43")
AES_NOT_BASE64 = Said("EncodingAESKey 含有字母和数字以外的字符",
                      "EncodingAESKey holds characters other than letters and digits")
AES_FIX = Said(
    "从公众平台「设置与开发 → 基本配置」完整复制 EncodingAESKey，写进 WECHAT_ENCODING_AES_KEY",
    "copy the whole EncodingAESKey from the admin console (Settings & Development → Basic "
    "configuration) into WECHAT_ENCODING_AES_KEY")
TOKEN_FORM_BAD = Said("WECHAT_TOKEN 有 {length} 个字符或含有字母数字以外的字符：公众平台只接受 3–32 位字母和数字",
                      "WECHAT_TOKEN ({length} characters) is not 3–32 letters and digits, "
                      "the only Token WeChat's admin console accepts")
TOKEN_FORM_FIX = Said("把公众平台「基本配置」里的 Token 原样写进 WECHAT_TOKEN",
                      "set WECHAT_TOKEN to the Token shown in the admin console, exactly")
APP_ID_FORM_BAD = Said("WECHAT_APP_ID「{app_id}」不像公众号的 AppID（wx 加 16 位）",
                       "WECHAT_APP_ID {app_id!r} does not look like an app id (wx + 16 hex "
                       "digits)")
APP_ID_FORM_FIX = Said("从公众平台「基本配置」复制开发者ID(AppID)",
                       "copy the developer ID (AppID) from the admin console")
MESSAGE_REFUSED = Said("样例消息被 /wechat 拒绝（{status}）：{reason}",
                       "/wechat refused the sample message ({status}): {reason}")
MESSAGE_REFUSED_FIX = Said(
    "确认 WECHAT_TOKEN、WECHAT_ENCODING_AES_KEY、WECHAT_APP_ID 与公众平台上填的完全一致",
    "make WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID exactly what the admin "
    "console shows")

# files
FILES_OK = Said("实例目录、密钥、数据库和照片只有本用户能读",
                "the instance folder, secret key, database and photos are private to this user")
FILES_NO_INSTANCE = Said("实例目录 {path} 还没有建立", "the instance folder {path} does not exist yet")
FILES_OPEN = Said("{path} 的权限是 {mode}，其他用户能读{more}",
                  "{path} is mode {mode}: other users can read it{more}")
FILES_MORE = Said("（另有 {count} 处）", " ({count} more)")
FILES_FIX = Said("运行 {command}", "run {command}")

# disk
DISK_OK = Said("{where}所在磁盘剩 {free}（{percent}%）", "{where}: {free} free ({percent}%)")
DISK_LOW = Said("{where}所在磁盘只剩 {free}（{percent}%）", "{where}: only {free} free ({percent}%)")
DISK_FULL = Said("{where}所在磁盘只剩 {free}，新照片会被拒收（至少要留 {minimum}）",
                 "{where}: only {free} free; new photos are refused (at least {minimum} must "
                 "stay free)")
DISK_FIX = Said("清理或扩容 {path} 所在的磁盘", "free space on, or grow, the disk holding {path}")
DISK_WHERE_DATABASE = Said("数据库", "the database")
DISK_WHERE_UPLOADS = Said("照片目录", "photos")
DISK_WHERE_BOTH = Said("数据库和照片目录", "the database and photos")
DISK_PG = Said("（PostgreSQL 服务器的磁盘要在那台机器上查看）",
               " (check the PostgreSQL server's own disk on that machine)")

# database
DB_OK = Said("{url} 可以连接", "{url} answers")
DB_NO_FILE = Said("数据库文件 {path} 不存在", "there is no database file at {path}")
DB_OTHER_OWNER = Said("数据库文件 {path} 属于用户 {owner}，不是运行体检的用户",
                      "the database file {path} belongs to {owner}, not to the user running "
                      "the doctor")
DB_OTHER_OWNER_FIX = Said("以 {owner} 的身份运行：sudo -u {owner} {command} doctor",
                          "run it as {owner}: sudo -u {owner} {command} doctor")
DB_UNREACHABLE = Said("连不上数据库：{error}", "cannot reach the database: {error}")
DB_UNREACHABLE_FIX = Said("检查 PARTYBOT_DATABASE_URL，以及数据库服务是否在运行",
                          "check PARTYBOT_DATABASE_URL and that the database server runs")
UPGRADE_FIX = Said("运行 {command} db upgrade", "run {command} db upgrade")
MIGRATIONS_OK = Said("结构是最新的（{revision}）", "at the newest migration ({revision})")
MIGRATIONS_BEHIND = Said("数据库结构是 {current}，这个版本的程序需要 {head}",
                         "the database is at {current}; this version of partybot needs {head}")
MIGRATIONS_UNKNOWN = Said("数据库结构 {current} 比程序新：装的是旧版本的 partybot？",
                          "the database is at {current}, newer than this partybot: an old "
                          "version installed?")
MIGRATIONS_UNKNOWN_FIX = Said("安装与数据库相符的 partybot 版本",
                              "install the partybot version the database was upgraded by")
NO_REVISION = Said("空", "none")
WRITABLE_OK = Said("写入并提交成功（{ms} 毫秒）", "a write committed ({ms} ms)")
WRITABLE_FAIL = Said("写不进去：{error}", "writes fail: {error}")
WRITABLE_FIX = Said("检查磁盘空间、数据库文件的权限，数据库是否只读",
                    "check the disk space, the database file's permissions, and whether the "
                    "database is read-only")

# scheduler
SCHEDULER_OK = Said("有调度进程在值班", "a scheduler holds the leader lock")
SCHEDULER_NONE = Said("没有调度进程在运行：提醒、推送和消息都发不出去",
                      "no scheduler runs: no reminders, pushes or messages go out")
SCHEDULER_FIX = Said("启动 {command} scheduler（单机可用 {command} run）",
                     "start {command} scheduler (on one machine, {command} run)")

# outbox
OUTBOX_EMPTY = Said("没有到时待发的消息", "nothing due is waiting")
OUTBOX_OK = Said("{pending} 条到时待发，最早的等了 {age}",
                 "{pending} due, the oldest waiting {age}")
OUTBOX_SLOW = Said("{pending} 条到时待发，最早的已等了 {age}",
                   "{pending} due, the oldest has waited {age}")
OUTBOX_SLOW_FIX = Said("看调度进程的日志：微信接口是否报错或太慢",
                       "read the scheduler's log: is WeChat refusing, or slow?")
OUTBOX_STUCK_FIX = Said("确认调度进程在运行（{command} scheduler），再看它的日志",
                        "make sure the scheduler runs ({command} scheduler), then read its log")
OUTBOX_SENDING = Said("{count} 条消息卡在“发送中”已超过 {age}",
                      "{count} rows stuck in 'sending' for over {age}")
OUTBOX_PAUSED = Said("{channel} 通道暂停到 {until}（微信的当日额度用完）",
                     "the {channel} channel is paused until {until} (WeChat's daily quota)")
OUTBOX_PAUSED_FIX = Said("次日零点自动恢复；常常用完就向微信申请提高额度",
                         "it resumes at local midnight; if it happens often, ask WeChat for a "
                         "higher quota")
MINUTES = Said("{n} 分钟", "{n} min")
SECONDS = Said("{n} 秒", "{n} s")

# token
TOKEN_OK = Said("AppID 和 AppSecret 有效，令牌可用（还剩 {minutes} 分钟）",
                "app id and secret accepted; the token works ({minutes} min left)")
TOKEN_REFUSED = Said("微信拒绝取令牌：errcode {code} {message}",
                     "WeChat refused a token: errcode {code} {message}")
TOKEN_SECRET_FIX = Said(
    "AppSecret 不对：在公众平台「设置与开发 → 基本配置」重置 AppSecret，写进 WECHAT_APP_SECRET",
    "wrong AppSecret: reset it in the admin console (Settings & Development → Basic "
    "configuration) and set WECHAT_APP_SECRET")
TOKEN_APPID_FIX = Said("AppID 不对：核对 WECHAT_APP_ID（公众平台「基本配置」里的开发者ID）",
                       "wrong app id: compare WECHAT_APP_ID with the developer ID in the admin "
                       "console")
TOKEN_IP_FIX = Said("把这台服务器的出口 IP 加进公众平台「基本配置」的 IP 白名单",
                    "add this server's outgoing IP address to the IP whitelist in the admin "
                    "console")
TOKEN_OTHER_FIX = Said("按微信的错误码查公众平台文档", "look the errcode up in WeChat's documentation")
TOKEN_UNREACHABLE = Said("连不上微信接口 {base}：{error}", "cannot reach the WeChat API {base}: {error}")
TOKEN_UNREACHABLE_FIX = Said("检查网络、防火墙、代理和 WECHAT_API_BASE_URL",
                             "check the network, firewall, proxy and WECHAT_API_BASE_URL")
TOKEN_STORED_REFUSED = Said(
    "微信不认数据库里存的令牌（errcode {code}）：有别的程序用同一个 AppID 取了新令牌？",
    "WeChat refuses the stored token (errcode {code}): did another program fetch a token "
    "with the same app id?")
TOKEN_STORED_REFUSED_FIX = Said(
    "别让其他系统用这个 AppID 直接取令牌（每取一次旧的就作废）；partybot 下次调用时会自动换新",
    "keep other systems from fetching tokens with this app id (each fetch retires the last); "
    "partybot takes a new one on its next call")
TOKEN_SECRET_UNCHECKED = Said(
    "令牌可用（还剩 {minutes} 分钟），但没法不打扰正在运行的进程来核对 AppSecret",
    "the token works ({minutes} min left), but the secret cannot be checked without "
    "disturbing the running processes")
TOKEN_SECRET_UNCHECKED_FIX = Said("令牌到期前调度进程会重新取，看它的日志是否报错",
                                  "the scheduler fetches a new token before expiry: watch its log")
SANDBOX_NOT_SERVED = Said(
    "沙盒：模拟的微信接口由 {command} serve（或 run）提供，现在没有运行（{base}）",
    "sandbox: the fake WeChat API is served by {command} serve (or run), not running now "
    "({base})")

# clock
CLOCK_OK = Said("本机时间与微信服务器相差 {skew} 秒", "{skew} s from WeChat's clock")
CLOCK_OFF = Said("本机时间与微信服务器相差 {skew} 秒（超过 {limit} 秒的消息会被拒收）",
                 "{skew} s from WeChat's clock (messages more than {limit} s off are refused)")
CLOCK_FIX = Said("开启时间同步：timedatectl set-ntp true（或 chrony）",
                 "turn on time sync: timedatectl set-ntp true (or chrony)")
CLOCK_NO_DATE = Said("微信的应答里没有 Date，无法比较时间",
                     "WeChat's answer carried no Date header; cannot compare")
CLOCK_NO_DATE_FIX = Said("用 timedatectl 确认时间同步已开启", "check with timedatectl that time sync is on")

# templates
TEMPLATES_OK = Said("{kinds} 种通知配置了模板，没有问题", "{kinds} notice kinds have templates; no problems")
TEMPLATES_NONE = Said("没有配置模板消息：通知只能在 48 小时内用客服消息发，或由帮扶人转达",
                      "no templates configured: notices go only as customer-service messages "
                      "within 48 h, or through helpers")
TEMPLATES_NONE_FIX = Said("在公众平台添加类目模板，写进 PARTYBOT_TEMPLATES_FILE",
                          "add category templates in the admin console and list them in "
                          "PARTYBOT_TEMPLATES_FILE")
TEMPLATES_BAD = Said("{problems} 处问题，第一处：{kind} {keyword}：{problem}",
                     "{problems} problem(s); the first: {kind} {keyword}: {problem}")
TEMPLATES_FIX = Said("运行 {command} templates check 看完整的表",
                     "run {command} templates check for the whole table")

# menus
MENUS_OK = Said("默认菜单和 {roles} 个角色菜单与代码一致",
                "the default menu and {roles} role menus match the code")
MENUS_NONE = Said("微信上还没有菜单", "WeChat has no menu yet")
MENUS_DIFFER = Said("微信上的{which}与代码不一致", "WeChat's {which} differ from the code")
MENUS_DEFAULT = Said("默认菜单", "default menu")
MENUS_ROLE = Said("「{tag}」菜单", "'{tag}' menu")
MENUS_TAG_IDS = Said("角色标签编号", "role tag ids")
MENUS_LIST_SEP = Said("、", ", ")
MENUS_FIX = Said("运行 {command} menu publish", "run {command} menu publish")
MENUS_BROKEN = Said("代码里的{name}菜单超出微信的限制：{error}",
                    "the {name} menu in the code breaks WeChat's limits: {error}")
MENUS_BROKEN_FIX = Said("改 bot/menu.py", "change bot/menu.py")

# public URL
PUBLIC_URL_UNSET = Said("没有设置 PARTYBOT_PUBLIC_URL：通知里没有链接，管理后台不能用微信登录",
                        "PARTYBOT_PUBLIC_URL is not set: notices carry no links and the console "
                        "cannot log in through WeChat")
PUBLIC_URL_UNSET_FIX = Said("设置为本服务器的 https 地址，例如 https://dangjian.example.cn",
                            "set it to this server's https address, e.g. "
                            "https://dangjian.example.cn")
PUBLIC_URL_SANDBOX = Said("沙盒：不需要", "sandbox: not needed")
PUBLIC_URL_HTTP = Said("{url} 不是 https：微信网页授权和登录 Cookie 都要 https",
                       "{url} is not https: WeChat's web authorization and the login cookies "
                       "need https")
PUBLIC_URL_HTTP_FIX = Said("在 nginx 上配好 TLS 证书，把地址改成 https://",
                           "set up a TLS certificate in nginx and make the address https://")
PUBLIC_URL_DOWN = Said("{url}/healthz 没有应答：{error}", "{url}/healthz does not answer: {error}")
PUBLIC_URL_STATUS = Said("{url}/healthz 回答 {status}", "{url}/healthz answered {status}")
PUBLIC_URL_DOWN_FIX = Said("检查域名解析、防火墙、nginx，以及 partybot serve 是否在运行",
                           "check DNS, the firewall, nginx, and that partybot serve runs")
PUBLIC_URL_OK = Said("{url}/healthz 正常（{ms} 毫秒）", "{url}/healthz answers ({ms} ms)")

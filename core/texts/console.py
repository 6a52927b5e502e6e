"""The console (/admin): its pages, forms, sessions, uploads and the audit log."""

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


# Issue 23, items 5 and 9: sandbox mode on a public address; login QR codes rationed.
CLI_SANDBOX_LOOPBACK_ONLY = "沙盒模式：聊天页、/wechat 和登录页的「用他的微信扫一扫」只对本机开放，别的电脑只能用密码登录管理后台。用域名或局域网地址打开时，请把这个名字写进 PARTYBOT_ALLOWED_HOSTS（多个用逗号分隔）。"
CONSOLE_QR_TOO_MANY = "这台电脑获取登录二维码太频繁了，请一分钟后再刷新页面，或用账号密码登录。"


# Issue 24 (audit page): filters the admin typed that could not be used
AUDIT_BAD_SURFACE = "没有这种来源，按全部来源显示。"
AUDIT_BAD_ORG = "这个组织不在你的管理范围内（或不存在），按全部组织显示。"
AUDIT_BAD_DATE = "“{field}”不是日期（应写成 2026-05-01 这样），这一项没有用上。"
AUDIT_DATES_REVERSED = "开始日期在结束日期之后，这段时间里没有记录。"

# Issue 25 (org tree): the kind chosen on the form, and removing an empty org
CONSOLE_ORG_KIND_PICK = "请选择类型"
CONSOLE_ORG_REMOVED = "已删除「{name}」；它的操作记录归到「{parent}」下。"
CONSOLE_ORG_OWN_ROOT_STAYS = "不能删除自己所在的组织。"

# Issue 25 (error pages): what the console says when a page cannot be shown
CONSOLE_ERROR_TITLES = {
    400: "请求有误", 403: "没有权限", 404: "找不到这个页面", 405: "不能这样打开这个页面",
    413: "上传的文件太大", 429: "操作太频繁", 500: "出错了",
}
CONSOLE_ERROR_SENTENCES = {
    400: "这个页面收到的内容不完整或不对（也可能是页面停留太久，请刷新后再试）。",
    403: "你的账号不能做这项操作。",
    404: "地址可能输错了，或者这项内容不在你的管理范围内、已被删除。",
    405: "请从后台的页面上点按钮操作，不要直接输入地址。",
    413: "请换一个小一些的文件再试。",
    429: "请稍等一会儿再试。",
    500: "服务器处理时出了问题，已记录下来。请稍后再试；一直不行请联系县里管理系统的同志。",
}
CONSOLE_ERROR_OTHER = "这个页面暂时打不开。"
CONSOLE_ERROR_BACK_HOME = "回到首页"
CONSOLE_ERROR_BACK_LOGIN = "去登录"
CONSOLE_ERROR_BACK_PREVIOUS = "返回上一页"
CONSOLE_NAME = "党建管理后台"
CONSOLE_ERROR_PLAIN = "{title}。{sentence}"  # when even the error page fails

# Issue 25 (study form photos): photos kept from a 预览 until 发布
CONSOLE_STUDY_PREVIEW_GONE = "预览时选的图片已经不在了（超过一天没有发布，或已放弃）。请重新选择图片，再预览或发布。"
CONSOLE_STUDY_DISCARDED = "已放弃这篇内容，预览时选的{count}张图片已删除。"

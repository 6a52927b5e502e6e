"""Study content: posting, reading, 已学, feedback, the study notices and digests."""

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


# Issue 24 (study and questions): an item changed in the console.
STUDY_EDITED = "已修改第{id}期《{title}》。"
STUDY_EDIT_NOTHING = "第{id}期没有改动：标题、正文、链接和时间都和原来一样。"
STUDY_LINK_LINE = "\n原文：{link}"
# What members get of an item's photos, said wherever a post is previewed (chat 预览,
# the console's form): a WeChat news card holds one picture, so several photos go as
# links in a text message.
PREVIEW_PHOTO_CARD = "党员收到一张图文卡片，卡片上的图片就是这张照片；点开卡片看文章。"
PREVIEW_PHOTO_LINKS = "党员收到一条文字消息，{count}张照片各有一个链接，点开就能看。"
PREVIEW_PHOTO_NO_CARD = "（图文卡片只能放一张图：有多张照片时不发卡片，文章链接也写在文字里。）"
PREVIEW_PHOTO_TEMPLATE = "学习提醒以服务通知送达时，通知里只有标题和摘要，不带照片；党员点菜单里的「学习」或发送「学习」就能看到照片。"


# Issue 26 (members' own screen): photos sent in chat are copied into partybot's storage
# by a job soon after the item is posted (WeChat keeps a received media id 3 days); the
# console's item page says which photo could not be kept, and why.
STUDY_PHOTO_PENDING = "第{number}张照片正在从微信取回，稍后就能看到。"
STUDY_PHOTO_KEPT_AS_LINK = "第{number}张照片没有存进本系统（{why}），党员看到的是微信的图片链接，日后可能打不开。"
STUDY_PHOTO_WHY = {
    "daily_full": "本组织今天上传的照片已到上限",
    "total_full": "本组织存的照片已到上限",
    "disk_full": "服务器磁盘快满了",
    "gave_up": "三天内没能从微信取回",
    "refused": "微信给的不是能保存的照片",
    "gone": "原来的照片文件已不在",
}
STUDY_PHOTO_WHY_OTHER = "原因不明"


# Issue 26 (member pages /m/study): 心得 on a chosen item, in words or a photo.
STUDY_FEEDBACK_NOT_STUDIED = "请先点「已学」，再写《{title}》的学习心得。"
STUDY_FEEDBACK_PHOTOS_FULL = "《{title}》下你已经发了{count}张心得照片，够了；可以再写几句话。"
STUDY_FEEDBACK_NO_ROOM = "照片暂时存不下（支部的照片空间满了），请先写几句话作为心得，或者告诉支部书记。"

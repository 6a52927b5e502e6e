"""The message catalog: every user-facing sentence partybot says, in one place.

Placeholders use str.format names. Keep replies short: they are read on old phones.
"""

# General
SORRY = "抱歉，系统出了点问题，请稍后再试。如果一直不行，请联系支部管理员。"
NOT_UNDERSTOOD = "没有听懂「{text}」。发送「帮助」查看可以做什么。"
HELP_HEADER = "可以发送以下命令："
HELP_UNBOUND_HINT = "你还没有绑定党员身份，绑定后可使用更多功能。"
HELP_LINE = "· {usage}\n  {summary}"
NEED_BINDING = "请先绑定党员身份：发送「绑定 姓名 手机后四位」，例如：绑定 张三 1234"
NEED_HELPER = "这个命令只有帮扶人可以使用。"
NEED_ADMIN = "这个命令只有支部管理员可以使用。"

# Membership
WELCOME = (
    "欢迎关注！这里是党支部的组织生活助手。\n"
    "请先绑定党员身份：发送「绑定 姓名 手机后四位」，例如：绑定 张三 1234\n"
    "绑定后发送「帮助」查看可用功能。"
)
WELCOME_BACK = "欢迎回来，{name}！发送「帮助」查看可用功能。"
BIND_USAGE = "绑定格式：绑定 姓名 手机后四位，例如：绑定 张三 1234"
BIND_OK = "绑定成功！{name}，你已是{branch}的党员。发送「帮助」查看可用功能。"
BIND_ALREADY = "你已经绑定为{name}（{branch}），不用再绑定。"
BIND_OPENID_TAKEN = "这个微信已经绑定了{name}。如需更换，请联系支部管理员。"
BIND_MEMBER_TAKEN = "{name}已经绑定了另一个微信。如果不是你本人操作，请联系支部管理员。"
BIND_NO_MATCH = "没有找到姓名和手机尾号都对得上的党员，请核对后再试（还可以试{tries}次）。"
BIND_AMBIGUOUS = "名册里有多位党员对得上，无法自动绑定，请联系支部管理员。"
BIND_LOCKED = "尝试次数太多，请在{until}之后再试，或联系支部管理员。"
UNSUBSCRIBED = ""  # nobody reads a reply to an unfollow

"""The baseline: a minimal Flask app doing only wechatpy's check_signature →
parse_message → create_reply echo (decrypt/encrypt in safe mode). Run under the same
gunicorn settings as partybot by benchmarks/webhook_rps.py."""

from __future__ import annotations

import os

from flask import Flask, request
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

TOKEN = os.environ["WECHAT_TOKEN"]
AES_KEY = os.environ.get("WECHAT_ENCODING_AES_KEY")
APP_ID = os.environ.get("ECHO_APP_ID", "")
crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID) if AES_KEY else None

app = Flask(__name__)


@app.route("/wechat", methods=["POST"])
def wechat() -> str:
    """Echo the text back."""
    args = request.args
    if crypto is not None:
        xml = crypto.decrypt_message(request.data, args["msg_signature"], args["timestamp"],
                                     args["nonce"])
    else:
        check_signature(TOKEN, args["signature"], args["timestamp"], args["nonce"])
        xml = request.data
    message = parse_message(xml)
    reply = create_reply(message.content, message).render()
    if crypto is not None:
        return crypto.encrypt_message(reply, args["nonce"], args["timestamp"])
    return reply

"""The sandbox chat page (`/sandbox/`): talk to the bot as any openid in a browser.

Messages typed on the page are signed (and encrypted, with an AES key configured) on
the server exactly as WeChat would, and POSTed to /wechat; pushed messages (what the
outbox delivered to the fake API) appear as they arrive.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from bot.chat import line_to_xml
from bot.services import services_of
from bot.simulator import WeChatSide

bp = Blueprint("sandbox_pages", __name__)

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>partybot 沙盒</title>
<style>
body{font-family:sans-serif;max-width:640px;margin:1em auto;padding:0 1em;background:#f3f3f3}
#log{background:#fff;border:1px solid #ddd;height:60vh;overflow-y:auto;padding:.5em}
.me{text-align:right;color:#064}.bot{color:#222}.push{color:#a40}
.msg{white-space:pre-wrap;margin:.4em 0}form{display:flex;gap:.5em;margin-top:.5em}
input[name=text]{flex:1}
</style></head><body>
<h1>partybot 沙盒</h1>
<p>以 <input id="openid" value="demo-member" size="14"> 的身份聊天。
试试「帮助」「绑定 陈强 0007」，或 /subscribe、/location 47.9 129.6；一条消息里换行写 \n。</p>
<div id="log"></div>
<form id="f"><input name="text" autocomplete="off" autofocus><button>发送</button></form>
<script>
const log = document.getElementById('log'); let after = 0;
function show(cls, who, text){const d=document.createElement('div');d.className='msg '+cls;
  d.textContent=who+'：'+text;log.appendChild(d);log.scrollTop=log.scrollHeight;}
document.getElementById('f').onsubmit = async (e) => {
  e.preventDefault(); const input = e.target.text; const text = input.value.trim();
  if (!text) return; input.value = ''; show('me', '我', text);
  const r = await fetch('send', {method:'POST', headers:{'Content-Type':'application/json'},
    body: JSON.stringify({openid: document.getElementById('openid').value, text})});
  const j = await r.json();
  show('bot', '公众号', j.reply || (j.error ? '出错：'+j.error : '（没有回复）'));
};
async function poll(){
  const openid = encodeURIComponent(document.getElementById('openid').value);
  try { const r = await fetch('_fake/messages?openid='+openid+'&after='+after);
    const j = await r.json();
    for (const m of j.messages){ after = Math.max(after, m.id); show('push', '推送', m.text); }
  } catch (e) {}
  setTimeout(poll, 2000);
}
poll();
</script></body></html>"""


@bp.get("/")
def page() -> Response:
    """The chat page."""
    return Response(PAGE, mimetype="text/html")


@bp.post("/send")
def send() -> Response:
    """Sign one line as WeChat would, POST it to /wechat, return the opened reply."""
    body = request.get_json(silent=True) or {}
    openid = str(body.get("openid") or "").strip()[:64]
    text = str(body.get("text") or "").strip()[:2000]
    if not openid or not text:
        return jsonify(error="openid 和消息都不能为空"), 400
    xml = line_to_xml(openid, text)
    if xml is None:
        return jsonify(error="无法识别的操作"), 400
    settings = services_of().settings
    side = WeChatSide(settings.wechat_token, settings.encoding_aes_key,
                      settings.effective_app_id)
    signed = side.sign_request(xml)
    response = current_app.test_client().post(f"/wechat?{signed.query}", data=signed.body)
    if response.status_code != 200:
        return jsonify(error=f"HTTP {response.status_code}"), 502
    reply = side.open_reply(response.get_data())
    return jsonify(reply="" if reply.is_success else reply.content)

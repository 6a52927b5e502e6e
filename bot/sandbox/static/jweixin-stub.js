/* The sandbox's stand-in for WeChat's JS-SDK (jweixin-1.6.0.js), served only in sandbox
 * mode at /sandbox/jssdk/jweixin.js (bot/sandbox/jssdk_stub.py puts its words in
 * window.__wxStubWords first: the catalog's, core/texts/jssdk.py).
 *
 * wx.config  sends the signed config with the page's own address (location.href without
 *            its #fragment, as WeChat does) to /sandbox/jssdk/verify, which checks the
 *            signature against the stored jsapi_ticket: a wrong signing fails here as
 *            WeChat's "config:invalid signature" would.
 * wx.ready / wx.error  run after that check (ready only when it passed).
 * wx.getLocation({type, success, fail, cancel, complete})  answers from the browser's
 *            navigator.geolocation; when that is missing or denied, from a position typed
 *            into a small box (latitude, longitude). The browser's coordinates are given as
 *            they come, whatever `type` asks for (a real phone converts to GCJ-02).
 * wx.checkJsApi  says every API in the config is available.
 * <wx-open-subscribe template="id1,id2">  (only when wx.config passed and listed it in
 *            openTagList, as WeChat): draws its <script type="text/wxtag-template"> in a
 *            shadow root; a tap shows WeChat-like 允许 / 取消 choices per template. 允许 asks
 *            the sandbox (POST /sandbox/subscribe, JSON, loopback only) to send
 *            subscribe_msg_popup_event to the webhook for this browser's member
 *            (window.__wxStubUser, from the member pages' login) — accept for each template
 *            left on, reject for each turned off — then fires the tag's `success` event with
 *            WeChat's detail ({errMsg: "subscribe:ok", subscribeDetails: a JSON string
 *            {templateId: '{"status":"accept"}'}}); 取消 sends reject for each and fires
 *            `success` with reject; a failure fires `error` ({errMsg}). A refused wx.config
 *            fires WeixinOpenTagsError on the document.
 * Old phones: ES5, no framework.
 */
(function () {
  "use strict";
  var WORDS = window.__wxStubWords || {};
  var USER = window.__wxStubUser || {};
  var script = document.currentScript;
  var verifyUrl = script && script.src ? script.src.replace(/[^\/?#]*([?#].*)?$/, "verify")
    : "/sandbox/jssdk/verify";
  // /sandbox/jssdk/jweixin.js -> /sandbox/subscribe and /sandbox/subscriptions
  var sandboxUrl = verifyUrl.replace(/jssdk\/verify$/, "");
  var state = "new";  // new | checking | ready | failed
  var config = null;
  var failure = null;
  var onReady = [];
  var onError = [];
  var waiting = [];  // calls made while the config is being checked

  function call(fn, arg) {
    if (typeof fn !== "function") { return; }
    try { fn(arg); } catch (e) { setTimeout(function () { throw e; }, 0); }
  }

  function settle(ok, errMsg) {
    state = ok ? "ready" : "failed";
    failure = ok ? null : {errMsg: errMsg};
    var queue = ok ? onReady : onError;
    onReady = [];
    onError = [];
    for (var i = 0; i < queue.length; i++) { call(queue[i], failure || undefined); }
    var calls = waiting;
    waiting = [];
    for (var j = 0; j < calls.length; j++) { calls[j](); }
    openTags(ok, errMsg);
  }

  function finish(options, kind, result) {
    call(options[kind], result);
    call(options.complete, result);
  }

  function allowed(name, options, run) {
    if (state === "checking" || state === "new") {
      waiting.push(function () { allowed(name, options, run); });
      return;
    }
    var apis = (config && config.jsApiList) || [];
    if (state !== "ready" || apis.indexOf(name) < 0) {
      finish(options, "fail", {errMsg: name + ":permission denied"});
      return;
    }
    run();
  }

  function typedPosition(options) {
    var old = document.getElementById("wx-stub-box");
    if (old) { old.parentNode.removeChild(old); }
    var box = document.createElement("div");
    box.id = "wx-stub-box";
    box.setAttribute("role", "dialog");
    box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:99999;background:#fff;" +
      "border-top:2px solid #07c160;padding:12px;font-size:16px;box-shadow:0 -2px 8px #0003";
    function field(id, label) {
      var wrap = document.createElement("label");
      wrap.style.cssText = "display:block;margin:6px 0";
      wrap.appendChild(document.createTextNode(label + " "));
      var input = document.createElement("input");
      input.id = id;
      input.setAttribute("inputmode", "decimal");
      input.style.cssText = "width:100%;box-sizing:border-box;font-size:18px;padding:8px";
      wrap.appendChild(input);
      box.appendChild(wrap);
      return input;
    }
    function button(id, label) {
      var b = document.createElement("button");
      b.id = id;
      b.type = "button";
      b.textContent = label;
      b.style.cssText = "min-height:44px;min-width:88px;margin:6px 8px 0 0;font-size:16px";
      box.appendChild(b);
      return b;
    }
    var title = document.createElement("p");
    title.style.margin = "0 0 4px";
    title.textContent = WORDS.title || "";
    box.appendChild(title);
    var lat = field("wx-stub-latitude", WORDS.latitude || "latitude");
    var lng = field("wx-stub-longitude", WORDS.longitude || "longitude");
    var note = document.createElement("p");
    note.id = "wx-stub-note";
    note.setAttribute("role", "alert");
    note.style.cssText = "color:#c00;margin:4px 0";
    box.appendChild(note);
    var ok = button("wx-stub-ok", WORDS.ok || "OK");
    var cancel = button("wx-stub-cancel", WORDS.cancel || "Cancel");
    ok.addEventListener("click", function () {
      var latitude = parseFloat(lat.value);
      var longitude = parseFloat(lng.value);
      if (!isFinite(latitude) || !isFinite(longitude) || Math.abs(latitude) > 90 ||
          Math.abs(longitude) > 180) {
        note.textContent = WORDS.bad || "?";
        return;
      }
      box.parentNode.removeChild(box);
      finish(options, "success", {latitude: latitude, longitude: longitude, speed: 0,
                                  accuracy: 0, errMsg: "getLocation:ok"});
    });
    cancel.addEventListener("click", function () {
      box.parentNode.removeChild(box);
      finish(options, "cancel", {errMsg: "getLocation:cancel"});
    });
    document.body.appendChild(box);
    lat.focus();
  }

  // -- open tags: wx-open-subscribe ---------------------------------------------------

  function fire(el, name, detail) {
    var event;
    try {
      event = new CustomEvent(name, {detail: detail});
    } catch (e) {  // (very old WebViews)
      event = document.createEvent("CustomEvent");
      event.initCustomEvent(name, false, false, detail);
    }
    el.dispatchEvent(event);
  }

  function openTags(ok, errMsg) {
    var found = document.getElementsByTagName("wx-open-subscribe");
    if (!found.length) { return; }
    if (!ok) {
      fire(document, "WeixinOpenTagsError", {errMsg: errMsg});
      return;
    }
    var listed = (config && config.openTagList) || [];
    if (listed.indexOf("wx-open-subscribe") < 0) { return; }  // WeChat draws nothing
    for (var i = 0; i < found.length; i++) { drawSubscribe(found[i]); }
  }

  function drawSubscribe(el) {
    if (el.__wxStubDrawn) { return; }
    el.__wxStubDrawn = true;
    var template = el.querySelector("script[type='text/wxtag-template']");
    var html = template ? template.textContent : "";
    var root = el.attachShadow ? el.attachShadow({mode: "open"}) : el;
    if (root === el) { el.innerHTML = ""; }
    root.innerHTML = html;
    el.addEventListener("click", function () { subscribeSheet(el); });
  }

  function templateIds(el) {
    var ids = (el.getAttribute("template") || "").split(",");
    var out = [];
    for (var i = 0; i < ids.length; i++) {
      var id = ids[i].replace(/^\s+|\s+$/g, "");
      if (id && out.indexOf(id) < 0) { out.push(id); }
    }
    return out;
  }

  function request(method, url, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    if (body) { xhr.setRequestHeader("Content-Type", "application/json"); }
    xhr.onload = function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
      done(xhr.status >= 200 && xhr.status < 300, answer);
    };
    xhr.onerror = function () { done(false, null); };
    xhr.send(body ? JSON.stringify(body) : null);
  }

  function details(choices) {
    var map = {};
    for (var id in choices) {
      if (Object.prototype.hasOwnProperty.call(choices, id)) {
        map[id] = JSON.stringify({status: choices[id]});
      }
    }
    return {errMsg: "subscribe:ok", subscribeDetails: JSON.stringify(map)};
  }

  // The member's choices reach the webhook one event per template, in order.
  function sendChoices(el, ids, choices) {
    var i = 0;
    function next() {
      if (i >= ids.length) { fire(el, "success", details(choices)); return; }
      var id = ids[i++];
      request("POST", sandboxUrl + "subscribe",
              {openid: USER.openid, action: choices[id], template_id: id},
              function (ok, answer) {
                if (!ok) {
                  fire(el, "error", {errMsg: "subscribe:fail " +
                                             ((answer && answer.error) || "sandbox")});
                  return;
                }
                next();
              });
    }
    next();
  }

  function subscribeSheet(el) {
    if (document.getElementById("wx-stub-subscribe")) { return; }
    var ids = templateIds(el);
    if (!ids.length) { fire(el, "error", {errMsg: "subscribe:fail template is empty"}); return; }
    if (!USER.openid) { fire(el, "error", {errMsg: "subscribe:fail " + (WORDS.noUser || "")}); return; }
    request("GET", sandboxUrl + "subscriptions?openid=" + encodeURIComponent(USER.openid), null,
            function (ok, answer) {
              var titles = {};
              var known = (answer && answer.templates) || [];
              for (var k = 0; k < known.length; k++) {
                titles[known[k].template_id] = known[k].title;
              }
              drawSheet(el, ids, titles);
            });
  }

  function drawSheet(el, ids, titles) {
    var veil = document.createElement("div");
    veil.id = "wx-stub-subscribe";
    veil.style.cssText = "position:fixed;left:0;top:0;right:0;bottom:0;z-index:99999;" +
      "background:rgba(0,0,0,.5)";
    var box = document.createElement("div");
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.style.cssText = "position:absolute;left:0;right:0;bottom:0;background:#fff;" +
      "border-radius:12px 12px 0 0;padding:16px;font-size:16px;line-height:1.5;" +
      "max-height:85%;overflow:auto;box-sizing:border-box;color:#111;font-family:sans-serif";
    var title = document.createElement("p");
    title.style.cssText = "margin:0 0 8px;font-weight:bold";
    title.textContent = WORDS.subscribeTitle || "";
    box.appendChild(title);
    var boxes = {};
    for (var i = 0; i < ids.length; i++) {
      var row = document.createElement("label");
      row.style.cssText = "display:flex;align-items:center;justify-content:space-between;" +
        "min-height:44px;border-bottom:1px solid #eee;gap:8px";
      var name = document.createElement("span");
      name.textContent = titles[ids[i]] || ids[i];
      name.style.cssText = "overflow-wrap:anywhere";
      var check = document.createElement("input");
      check.type = "checkbox";
      check.checked = true;
      check.setAttribute("data-template", ids[i]);
      check.style.cssText = "width:24px;height:24px;flex:none";
      boxes[ids[i]] = check;
      row.appendChild(name);
      row.appendChild(check);
      box.appendChild(row);
    }
    var buttons = document.createElement("div");
    buttons.style.cssText = "display:flex;gap:12px;margin-top:12px";
    function button(id, label, primary) {
      var b = document.createElement("button");
      b.id = id;
      b.type = "button";
      b.textContent = label;
      b.style.cssText = "flex:1;min-height:44px;font-size:16px;border-radius:6px;border:0;" +
        (primary ? "background:#07c160;color:#fff" : "background:#f2f2f2;color:#07c160");
      buttons.appendChild(b);
      return b;
    }
    var deny = button("wx-stub-deny", WORDS.deny || "Cancel", false);
    var allow = button("wx-stub-allow", WORDS.allow || "Allow", true);
    box.appendChild(buttons);
    veil.appendChild(box);
    function answer(allowed) {
      var choices = {};
      for (var j = 0; j < ids.length; j++) {
        choices[ids[j]] = allowed && boxes[ids[j]].checked ? "accept" : "reject";
      }
      veil.parentNode.removeChild(veil);
      sendChoices(el, ids, choices);
    }
    allow.addEventListener("click", function () { answer(true); });
    deny.addEventListener("click", function () { answer(false); });
    document.body.appendChild(veil);
    allow.focus();
  }

  var wx = {
    config: function (cfg) {
      config = cfg || {};
      state = "checking";
      var body = {appId: config.appId, timestamp: config.timestamp, nonceStr: config.nonceStr,
                  signature: config.signature, jsApiList: config.jsApiList || [],
                  url: location.href.split("#")[0]};
      fetch(verifyUrl, {method: "POST", credentials: "same-origin",
                        headers: {"Content-Type": "application/json"},
                        body: JSON.stringify(body)})
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          settle(answer.errMsg === "config:ok", answer.errMsg || "config:fail");
        })
        .catch(function () { settle(false, "config:fail"); });
    },
    ready: function (fn) {
      if (state === "ready") { call(fn); } else if (state !== "failed") { onReady.push(fn); }
    },
    error: function (fn) {
      if (state === "failed") { call(fn, failure); } else if (state !== "ready") {
        onError.push(fn);
      }
    },
    checkJsApi: function (options) {
      options = options || {};
      var apis = (config && config.jsApiList) || [];
      var result = {};
      var asked = options.jsApiList || [];
      for (var i = 0; i < asked.length; i++) { result[asked[i]] = apis.indexOf(asked[i]) >= 0; }
      finish(options, "success", {checkResult: result, errMsg: "checkJsApi:ok"});
    },
    getLocation: function (options) {
      options = options || {};
      allowed("getLocation", options, function () {
        if (!navigator.geolocation) { typedPosition(options); return; }
        navigator.geolocation.getCurrentPosition(function (position) {
          var c = position.coords;
          finish(options, "success", {latitude: c.latitude, longitude: c.longitude,
                                      speed: c.speed || 0, accuracy: c.accuracy || 0,
                                      errMsg: "getLocation:ok"});
        }, function () { typedPosition(options); }, {timeout: 10000, maximumAge: 60000});
      });
    }
  };
  window.wx = window.jWeixin = wx;
}());

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
 * Old phones: ES5, no framework.
 */
(function () {
  "use strict";
  var WORDS = window.__wxStubWords || {};
  var script = document.currentScript;
  var verifyUrl = script && script.src ? script.src.replace(/[^\/?#]*([?#].*)?$/, "verify")
    : "/sandbox/jssdk/verify";
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

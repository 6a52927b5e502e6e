/* 通知设置 (/m/notices): configure the JS-SDK for the open tag wx-open-subscribe and react
 * to its events. The page records nothing: WeChat tells the webhook what the member
 * chose (subscribe_msg_popup_event); after `success` this script reads the page again
 * (GET) a few times until the list shows the change. Where the open tag cannot work
 * (wx.config refused, WeChat too old, WeixinOpenTagsError) the one-line fallback shows.
 * Old phones: ES5, XMLHttpRequest, no framework. */
(function () {
  "use strict";
  var configBlock = document.getElementById("wx-config");
  var tag = document.getElementById("subscribe-btn");
  var status = document.getElementById("subscribe-status");
  var fallback = document.getElementById("no-tag");
  var list = document.getElementById("notice-list");
  var TRIES = 6;
  var WAIT = 1500;  // ms: the webhook event usually arrives within a second or two

  function say(text) { if (status) { status.textContent = text || ""; } }

  function noTag() {
    if (fallback) { fallback.hidden = false; }
    if (tag) { tag.hidden = true; }
  }

  // Open tags need WeChat 7.0.12 or later.
  function tooOld() {
    var found = /MicroMessenger\/(\d+)\.(\d+)\.(\d+)/.exec(navigator.userAgent);
    if (!found) { return false; }
    var v = [+found[1], +found[2], +found[3]];
    var need = [7, 0, 12];
    for (var i = 0; i < 3; i++) {
      if (v[i] !== need[i]) { return v[i] < need[i]; }
    }
    return false;
  }

  if (!configBlock || !window.wx || !tag || tooOld()) { noTag(); return; }

  document.addEventListener("WeixinOpenTagsError", function () { noTag(); });
  wx.error(function () { noTag(); });
  wx.config(JSON.parse(configBlock.textContent));

  function chosen(detail) {
    // detail.subscribeDetails: a JSON string {templateId: '{"status":"accept"}', ...}
    var raw = detail && detail.subscribeDetails;
    var map = {};
    try { map = typeof raw === "string" ? JSON.parse(raw) : (raw || {}); } catch (e) { map = {}; }
    var accepted = 0;
    for (var id in map) {
      if (!Object.prototype.hasOwnProperty.call(map, id)) { continue; }
      var one = map[id];
      try { one = typeof one === "string" ? JSON.parse(one) : one; } catch (e) { one = {}; }
      if (one && one.status === "accept") { accepted++; }
    }
    return accepted;
  }

  function reread(left, before, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", location.href.split("#")[0], true);
    xhr.onload = function () {
      var fresh = null;
      if (xhr.status === 200) {
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        fresh = doc.getElementById("notice-list");
      }
      if (fresh && list) {
        list.innerHTML = fresh.innerHTML;
        if (fresh.innerHTML !== before) { say(done); return; }
      }
      if (left > 1) { setTimeout(function () { reread(left - 1, before, done); }, WAIT); }
    };
    xhr.onerror = function () {
      if (left > 1) { setTimeout(function () { reread(left - 1, before, done); }, WAIT); }
    };
    xhr.send();
  }

  tag.addEventListener("success", function (event) {
    var accepted = chosen(event.detail) > 0;
    say(status.getAttribute(accepted ? "data-updating" : "data-rejected"));
    var done = status.getAttribute(accepted ? "data-updated" : "data-rejected");
    var before = list ? list.innerHTML : "";
    setTimeout(function () { reread(TRIES, before, done); }, WAIT);
  });

  tag.addEventListener("error", function (event) {
    var reason = (event.detail && (event.detail.errMsg || event.detail.errCode)) || "";
    say((status.getAttribute("data-failed") || "").replace("{reason}", String(reason)));
    if (fallback) { fallback.hidden = false; }
  });
}());

/* /m/meetings: 按位置签到 through WeChat's JS-SDK (in the sandbox, its stand-in).
 * The page carries the signed wx.config in <script type="application/json" id="wx-config">
 * (bot/jssdk_page.py); without it, or when WeChat refuses it, the location buttons stay
 * hidden and the line asking for the 签到码 shows. A tap asks wx.getLocation and posts
 * the position with the meeting's own form (a plain form POST: no fetch needed).
 * Old phones: ES5, no framework; words come from the page (data- attributes). */
(function () {
  "use strict";
  function all(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }
  function shown(selector, on) {
    all(selector).forEach(function (node) {
      if (on) { node.removeAttribute("hidden"); } else { node.setAttribute("hidden", ""); }
    });
  }
  var element = document.getElementById("wx-config");
  var wx = window.wx;
  var config = null;
  if (element && wx) {
    try { config = JSON.parse(element.textContent); } catch (e) { config = null; }
  }
  if (!config) {
    shown(".location-off", true);
    return;
  }
  all(".locate-form").forEach(function (form) {
    var button = form.querySelector("button.locate");
    var note = form.querySelector(".locate-note");
    button.addEventListener("click", function () {
      button.disabled = true;
      note.textContent = button.getAttribute("data-busy");
      wx.getLocation({
        type: "gcj02",
        success: function (position) {
          form.elements.latitude.value = String(position.latitude);
          form.elements.longitude.value = String(position.longitude);
          form.submit();
        },
        fail: function () {
          button.disabled = false;
          note.textContent = button.getAttribute("data-failed");
        },
        cancel: function () {
          button.disabled = false;
          note.textContent = "";
        }
      });
    });
  });
  wx.config(config);
  wx.ready(function () {
    shown(".locate-form", true);
    shown(".location-off", false);
  });
  wx.error(function () {
    shown(".locate-form", false);
    shown(".location-off", true);
  });
}());

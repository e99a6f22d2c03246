// The reply box: a saved snippet fills the message, and a text's segment count follows the
// words (GSM-7: 160 characters, 153 each when split; anything else: UCS-2, 70 and 67).
(function () {
  "use strict";
  var GSM7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENDED = "^{}\\[~]|€";

  function segments(text) {
    var gsm = true, length = 0, i, ch;
    for (i = 0; i < text.length; i++) {
      ch = text.charAt(i);
      if (GSM7.indexOf(ch) >= 0) { length += 1; }
      else if (EXTENDED.indexOf(ch) >= 0) { length += 2; }
      else { gsm = false; break; }
    }
    if (!gsm) { length = Array.from(text).length; }
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    if (!length) { return {count: 0, length: 0, gsm: gsm}; }
    return {count: length <= single ? 1 : Math.ceil(length / multi), length: length, gsm: gsm};
  }

  function isText(form) {
    var address = form.querySelector("[name=address]");
    return address && address.value.indexOf("@") < 0;
  }

  function update(form, box, out) {
    if (!isText(form)) { out.textContent = box.value.length + " characters (email)"; return; }
    var s = segments(box.value);
    out.textContent = s.length + " characters · " + s.count + " text segment" +
      (s.count === 1 ? "" : "s") + (s.gsm ? "" : " (special characters: 70 per segment)");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("reply-form");
    if (!form) { return; }
    var box = form.querySelector("[name=words]");
    var out = document.getElementById("segments");
    var pick = document.getElementById("snippet");
    var address = form.querySelector("[name=address]");
    if (pick) {
      pick.addEventListener("change", function () {
        if (pick.value) { box.value = pick.value; update(form, box, out); }
      });
    }
    box.addEventListener("input", function () { update(form, box, out); });
    if (address) { address.addEventListener("change", function () { update(form, box, out); }); }
    update(form, box, out);
    var thread = document.getElementById("thread");
    if (thread) { thread.scrollTop = thread.scrollHeight; }
  });
}());

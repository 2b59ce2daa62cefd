/* Site-wide behaviour: no inline scripts (the Content-Security-Policy forbids them). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Selects marked data-autosubmit submit their form on change (the language switcher).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.requestSubmit();
    });
  });

  // Forms marked data-confirm ask before a destructive action.
  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);

  // Buttons marked data-copy copy the value of the field they point at.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.copy);
      if (!field) { return; }
      field.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(field.value); }
      button.classList.add("active");
    });
  });

  // Times kept in UTC, shown in the viewer's own time zone (the browser's Intl): <time
  // data-local datetime="…UTC…"> gets its text; a form's [data-timezone] field is told the
  // browser's zone (the server reads the entered time in it), and a datetime-local input with
  // data-utc shows that moment as the viewer's wall-clock time.
  function localTime(iso) {
    var when = new Date(iso);
    if (isNaN(when)) { return null; }
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined,
      { dateStyle: "medium", timeStyle: "short" }).format(when);
  }
  window.cocreate = window.cocreate || {};
  window.cocreate.localTime = localTime;
  // The server says "resync" when its queue between instances was down: pushes from other
  // instances were lost. Every open page hears it at once, so each waits a moment of its own
  // (up to 2 s) before fetching again, and the server is not asked by all of them at once.
  window.cocreate.resyncSoon = function (fetchAgain) {
    return function () { window.setTimeout(fetchAgain, Math.random() * 2000); };
  };
  document.querySelectorAll("time[data-local]").forEach(function (node) {
    var shown = localTime(node.getAttribute("datetime"));
    if (shown) { node.textContent = shown; }
  });
  document.querySelectorAll("[data-timezone]").forEach(function (field) {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  });
  document.querySelectorAll("input[data-utc]").forEach(function (input) {
    var when = new Date(input.dataset.utc);
    if (!input.dataset.utc || isNaN(when)) { return; }
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    input.value = when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" + pad(when.getDate()) +
      "T" + pad(when.getHours()) + ":" + pad(when.getMinutes());
  });

  // A signed-in tab keeps a live channel; it learns here when its session ends elsewhere.
  // Leaving: unloading, or a form submitted for real (not one a script handles in place, like
  // the board's note form, which prevents the default).
  var leaving = false;
  var lastSubmit = null;
  window.addEventListener("beforeunload", function () { leaving = true; });
  document.addEventListener("submit", function (event) { lastSubmit = event; });
  function isLeaving() { return leaving || (lastSubmit !== null && !lastSubmit.defaultPrevented); }

  // Signed out while the page is open (in another tab, from the sessions list, by a password
  // change): say why, and let the page's other live parts stop (the "cocreate:signed-out" event).
  function signedOut(reason) {
    if (isLeaving() || document.body.dataset.signedOut) { return; }
    document.body.dataset.signedOut = reason || "unknown";
    var banner = document.getElementById("live-banner");
    if (banner) {
      var shown = false;
      banner.querySelectorAll("[data-reason]").forEach(function (line) {
        var match = !!reason && line.dataset.reason.split(" ").indexOf(reason) !== -1;
        line.hidden = !match;
        shown = shown || match;
      });
      if (!shown) { banner.querySelector('[data-reason=""]').hidden = false; }
      banner.classList.remove("d-none");
    }
    document.dispatchEvent(new CustomEvent("cocreate:signed-out", { detail: { reason: reason } }));
  }

  if (document.body.dataset.signedIn === "1" && window.io) {
    var socket = window.io("/me", { transports: ["websocket", "polling"] });
    window.cocreate = window.cocreate || {};
    window.cocreate.me = socket;
    socket.on("connect", function () { document.body.dataset.live = "connected"; });
    socket.on("disconnect", function (why) {
      document.body.dataset.live = "disconnected";
      // Only the end of the session makes the server close this channel.
      if (why === "io server disconnect") { signedOut(null); }
    });
    socket.on("connect_error", function () {
      // Refused when reconnecting: the session ended while the connection was down.
      if (!socket.active) { signedOut(null); }
    });
    socket.on("signed_out", function (message) {
      signedOut(message && message.reason);
      socket.disconnect();
    });
    // Pushes were lost, a "signed_out" among them perhaps: connect again, which asks whether
    // this session is still signed in (refused: signed out, as above) and, as a reconnect,
    // has the page's live parts catch up (notifications.js).
    socket.on("resync", window.cocreate.resyncSoon(function () {
      if (!document.body.dataset.signedOut) { socket.disconnect().connect(); }
    }));
  }
})();

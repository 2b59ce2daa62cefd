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

  // Drafts kept on this computer ("cocreate:draft:<user>:…" in localStorage) belong to the
  // person signed in: signing out here, or being signed out elsewhere, forgets them all.
  function forgetDrafts() {
    try {
      var store = window.localStorage;
      for (var i = store.length - 1; i >= 0; i--) {
        var key = store.key(i);
        if (key && key.indexOf("cocreate:draft:") === 0) { store.removeItem(key); }
      }
    } catch (err) { /* storage blocked: nothing was kept */ }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method === "post" && new URL(form.action, location.href).pathname === "/logout") { forgetDrafts(); }
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
    forgetDrafts();
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
  }
})();

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

  // A signed-in tab keeps a live channel; it learns here when its session ends elsewhere.
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  document.addEventListener("submit", function () { leaving = true; });

  if (document.body.dataset.signedIn === "1" && window.io) {
    var socket = window.io("/me", { transports: ["websocket", "polling"] });
    window.cocreate = window.cocreate || {};
    window.cocreate.me = socket;
    socket.on("connect", function () { document.body.dataset.live = "connected"; });
    socket.on("disconnect", function () { document.body.dataset.live = "disconnected"; });
    socket.on("signed_out", function () {
      if (leaving) { return; }
      var banner = document.getElementById("live-banner");
      if (banner) { banner.classList.remove("d-none"); }
      socket.disconnect();
    });
  }
})();

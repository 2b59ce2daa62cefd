/* The unread count in the header and a short toast, pushed live on the /me channel. */
(function () {
  "use strict";
  var socket = window.cocreate && window.cocreate.me;
  var container = document.getElementById("notification-toasts");
  if (!socket || !container) { return; }

  function showCount(count) {
    document.querySelectorAll("[data-notification-count]").forEach(function (badge) {
      badge.textContent = String(count);
      badge.classList.toggle("d-none", !count);
    });
  }

  function showToast(item) {
    var toast = document.createElement("div");
    toast.className = "toast show";
    toast.setAttribute("role", "status");
    toast.dataset.testid = "notification-toast";
    var body = document.createElement("div");
    body.className = "toast-body d-flex gap-2 align-items-start";
    var icon = document.createElement("i");
    icon.className = "bi bi-bell-fill text-primary";
    icon.setAttribute("aria-hidden", "true");
    var link = document.createElement("a");
    link.href = item.url;
    link.className = "flex-grow-1 text-reset";
    link.textContent = item.text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("aria-label", container.dataset.textClose);
    close.addEventListener("click", function () { toast.remove(); });
    body.append(icon, link, close);
    toast.append(body);
    container.append(toast);
    window.setTimeout(function () { toast.remove(); }, 8000);
  }

  socket.on("notifications", function (payload) {
    showCount(payload.count);
    if (payload.item) { showToast(payload.item); }
  });

  // Pushes may have been missed: the channel connected again, after a drop or because the
  // server's queue between instances was down (app.js reconnects on "resync"). Ask for the
  // count of now.
  var fetchUrl = container.dataset.unreadUrl;
  function fetchCount() {
    fetch(fetchUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && typeof data.count === "number") { showCount(data.count); } })
      .catch(function () {});
  }
  var connectedBefore = socket.connected;
  socket.on("connect", function () {
    if (connectedBefore) { fetchCount(); }
    connectedBefore = true;
  });
})();

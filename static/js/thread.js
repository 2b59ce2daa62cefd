/* A thread read live (its own page, or an idea's co-design discussion): replies others post
   while the page is open are announced ("2 new replies"); a click adds them in place, rendered
   by the server, so the reply being typed below is never touched, and the page's count of
   replies ([data-reply-count]) becomes the thread's count of now. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-thread-live]");
  if (!bar || !window.io) { return; }
  var text = bar.querySelector("[data-new-replies-text]");
  var list = document.querySelector("[data-new-replies]");
  var heading = document.querySelector("[data-reply-count]");
  var empty = document.querySelector("[data-no-replies]");  // "No one has replied yet"
  var threadId = parseInt(bar.dataset.threadLive, 10);
  var after = parseInt(bar.dataset.after, 10) || 0;
  var waiting = {};  // ids of replies announced and not shown yet

  function show() {
    var count = Object.keys(waiting).length;
    bar.classList.toggle("d-none", count === 0);
    var words = count === 1 ? bar.dataset.one : bar.dataset.other;
    text.textContent = words.replace("{n}", String(count));
  }

  var loading = false;
  function load() {
    if (loading) { return; }
    // Not on the thread's last page: the new replies are on a later one.
    if (bar.dataset.lastPage) { window.location.assign(bar.dataset.lastPage + "#reply"); return; }
    loading = true;
    fetch(bar.dataset.url + "?after=" + after, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        list.insertAdjacentHTML("beforeend", data.html);
        if (heading && typeof data.count === "string") { heading.innerHTML = data.count; }
        if (empty && list.children.length) { empty.remove(); empty = null; }
        after = data.last;
        Object.keys(waiting).forEach(function (id) { if (parseInt(id, 10) <= after) { delete waiting[id]; } });
        if (!data.more) { waiting = {}; }
        show();
      })
      .catch(function () {})
      .then(function () { loading = false; });
  }
  bar.querySelector("button").addEventListener("click", load);

  var live = window.io("/threads", { transports: ["websocket", "polling"] });
  // Watching answers with the replies by others since the last one shown: after a reconnect,
  // or a "resync" (the server's queue between instances was down), replies announced
  // meanwhile are announced again. Only on the thread's last page: on an earlier one, the
  // replies after its last are the later pages'.
  function watch() {
    var data = bar.dataset.lastPage ? { thread: threadId } : { thread: threadId, after: after };
    live.emit("watch", data, function (answer) {
      if (!answer || !answer.ok) { return; }
      (answer.replies || []).forEach(function (id) { if (id > after) { waiting[id] = true; } });
      show();
      document.body.dataset.threadLive = answer.watching ? "watching" : "refused";
    });
  }
  live.on("connect", watch);
  live.on("resync", window.cocreate.resyncSoon(watch));
  // Who may read the space changed: watch again, and the server decides again.
  live.on("recheck", watch);
  // Signing out closes the channel: open it again, as the visitor is now.
  live.on("disconnect", function (why) {
    if (why === "io server disconnect" && !live.reopened) { live.reopened = true; live.connect(); }
  });
  live.on("reply", function (message) {
    if (message.thread !== threadId || message.post <= after) { return; }
    if (bar.dataset.viewer && String(message.author) === bar.dataset.viewer) { return; }
    waiting[message.post] = true;
    show();
  });
})();

/* Ideas: vote without a page reload (with the votes left of a budget), suggest similar ideas
   while a title is typed, and find the idea to merge a duplicate into. */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');

  // A refusal (such as a spent vote budget) is shown for a while, then fades.
  var notice = null;
  var noticeTimer = null;
  function showNotice(message) {
    if (!notice) {
      notice = document.createElement("div");
      notice.className = "vote-notice alert alert-warning shadow d-none";
      notice.setAttribute("role", "alert");
      document.body.appendChild(notice);
    }
    notice.textContent = message;
    notice.classList.remove("d-none");
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { notice.classList.add("d-none"); }, 8000);
  }

  function showVotesLeft(result) {
    if (result.votes_left === null || result.votes_left === undefined) { return; }
    document.querySelectorAll("[data-votes-left]").forEach(function (el) {
      el.classList.toggle("spent", result.votes_left === 0);
      var text = el.querySelector("[data-votes-left-text]");
      if (text) { text.textContent = result.votes_left_text; }
    });
  }

  function sendVote(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      headers: { "Accept": "application/json", "X-CSRFToken": csrf ? csrf.content : "" },
      credentials: "same-origin"
    }).then(function (response) { return response.json(); });
  }

  // The count and the word beside it ("1 vote", "2 votes"), wherever the idea is shown.
  function showCount(ideaId, votes) {
    document.querySelectorAll('[data-idea-votes="' + ideaId + '"]').forEach(function (el) {
      el.textContent = votes;
      var label = el.parentNode.querySelector("[data-votes-label]");
      if (label) { label.textContent = votes === 1 ? label.dataset.one : label.dataset.other; }
    });
  }

  // The idea page: its supporters and the follow control (a vote follows the idea) come from
  // the server again after each vote, so they never contradict the count. One request at a
  // time; votes arriving meanwhile ask for one more.
  var panel = document.querySelector("[data-idea-panel]");
  var refreshing = false;
  var refreshAgain = false;
  function refreshPanel() {
    if (!panel) { return; }
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    fetch(panel.dataset.ideaPanel, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var supporters = document.querySelector("[data-idea-supporters]");
        if (supporters) { supporters.outerHTML = data.supporters; }
        var follow = document.querySelector("[data-idea-follow]");
        // Not while its menu is open: the person is choosing in it.
        if (follow && !follow.querySelector(".show")) { follow.innerHTML = data.follow; }
        showCount(panel.querySelector("[data-vote-form]").dataset.ideaId, data.votes);
      })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refreshPanel(); }
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-vote-form]")) { return; }
    event.preventDefault();
    sendVote(form.action, new FormData(form)).then(function (result) {
      if (!result.ok) { showNotice(result.error); return; }
      if (notice) { notice.classList.add("d-none"); }
      showVotesLeft(result);
      var button = form.querySelector("button");
      var input = form.querySelector('input[name="vote"]');
      if (input) { input.value = result.voted ? "0" : "1"; }
      if (button) {
        button.classList.toggle("voted", result.voted);
        button.setAttribute("aria-pressed", result.voted ? "true" : "false");
        var label = result.voted ? button.dataset.labelVoted : button.dataset.labelUnvoted;
        if (label) { button.setAttribute("aria-label", label); }
      }
      showCount(form.dataset.ideaId, result.votes);
      if (panel && panel.contains(form)) { refreshPanel(); }
    });
  });

  // "Vote for this instead" in the new idea's form: voted in place, so the idea being typed
  // stays. Ideas voted for here stay marked when the list is drawn again.
  var votedInstead = {};
  function markVotedInstead(button) {
    button.textContent = button.dataset.done;
    button.disabled = true;
    button.classList.replace("btn-outline-primary", "btn-success");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-similar-vote]");
    if (!button) { return; }
    var data = new FormData();
    data.append("csrf_token", csrf ? csrf.content : "");
    data.append("vote", "1");
    button.disabled = true;
    sendVote(button.dataset.voteUrl, data).then(function (result) {
      if (!result.ok) { button.disabled = false; showNotice(result.error); return; }
      votedInstead[button.dataset.voteUrl] = true;
      showVotesLeft(result);
      markVotedInstead(button);
    }).catch(function () { button.disabled = false; });
  });

  // Live counts: watch the ideas shown on this page; the server checks each one.
  var shown = Array.from(document.querySelectorAll("[data-idea-votes]")).map(function (el) {
    return parseInt(el.dataset.ideaVotes, 10);
  });
  if (shown.length && window.io) {
    var live = window.io("/ideas", { transports: ["websocket", "polling"] });
    // Watching answers with the counts of now: after a reconnect, or a "resync" (the server's
    // queue between instances was down), counts pushed meanwhile are caught up.
    var watch = function () {
      live.emit("watch", { ideas: shown }, function (answer) {
        if (!answer || !answer.ok) { return; }
        Object.keys(answer.votes || {}).forEach(function (id) {
          var drawn = document.querySelector('[data-idea-votes="' + id + '"]');
          var changed = drawn && drawn.textContent.trim() !== String(answer.votes[id]);
          showCount(id, answer.votes[id]);
          if (changed && panel && panel.querySelector('[data-idea-votes="' + id + '"]')) { refreshPanel(); }
        });
        document.body.dataset.ideasLive = "watching";
      });
    };
    live.on("connect", watch);
    live.on("resync", window.cocreate.resyncSoon(watch));
    // Who may read a space changed (it turned private, someone left): watch again, and the
    // server keeps only the ideas this visitor may still see.
    live.on("recheck", watch);
    // Signing out closes the channel: open it again, as the visitor is now.
    live.on("disconnect", function (why) {
      if (why === "io server disconnect" && !live.reopened) { live.reopened = true; live.connect(); }
    });
    live.on("votes", function (message) {
      showCount(message.idea, message.votes);
      if (panel && panel.querySelector('[data-idea-votes="' + message.idea + '"]')) { refreshPanel(); }
    });
  }

  // Merging: find the other idea by its title; choosing one fills in its number.
  var picker = document.querySelector("[data-merge-picker]");
  if (picker) {
    picker.hidden = false;
    var search = picker.querySelector("input[type=search]");
    var candidates = picker.querySelector(".merge-candidates");
    var none = picker.querySelector(".merge-none");
    var candidate = document.getElementById("merge-candidate");
    var number = document.querySelector(picker.dataset.target);
    var pending = null;
    var lookUp = function () {
      var q = search.value.trim();
      if (q.length < 2) { candidates.textContent = ""; none.classList.add("d-none"); return; }
      fetch(picker.dataset.suggest + "&q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          candidates.textContent = "";
          var found = (data.results || []).filter(function (item) {
            return item.url !== picker.dataset.self && /\/ideas\/\d+$/.test(item.url);
          }).slice(0, 6);
          found.forEach(function (item) {
            var node = candidate.content.cloneNode(true);
            var id = item.url.match(/(\d+)$/)[1];
            node.querySelector(".merge-number").textContent = "#" + id;
            var link = node.querySelector(".merge-title");
            link.textContent = item.title;
            link.href = item.url;
            node.querySelector(".merge-space").textContent = item.space ? "· " + item.space : "";
            node.querySelector(".merge-choose").addEventListener("click", function () {
              number.value = id;
              number.focus();
            });
            candidates.appendChild(node);
          });
          none.classList.toggle("d-none", found.length > 0);
        });
    };
    search.addEventListener("input", function () { clearTimeout(pending); pending = setTimeout(lookUp, 250); });
    var details = picker.closest("details");
    if (details) {
      details.addEventListener("toggle", function () { if (details.open && !candidates.children.length) { lookUp(); } });
      if (details.open) { lookUp(); }
    } else {
      lookUp();
    }
  }

  var similar = document.querySelector("[data-similar-for]");
  if (similar) {
    var title = document.querySelector(similar.dataset.similarFor);
    var list = similar.querySelector("ul");
    var template = document.getElementById("similar-item");
    var timer = null;
    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = title.value.trim();
        if (q.length < 3) { similar.classList.add("d-none"); return; }
        fetch(similar.dataset.suggest + "&q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            list.textContent = "";
            (data.results || []).slice(0, 5).forEach(function (item) {
              var node = template.content.cloneNode(true);
              var link = node.querySelector(".similar-title");
              link.textContent = item.title;
              link.href = item.url;
              // This space's ideas come first; one of another space says which.
              if (item.space && String(item.space_id) !== similar.dataset.space) {
                node.querySelector(".similar-space").textContent =
                  similar.dataset.elsewhere.replace("{space}", item.space);
              }
              var button = node.querySelector("[data-similar-vote]");
              button.dataset.voteUrl = item.url + "/vote";
              if (votedInstead[button.dataset.voteUrl]) { markVotedInstead(button); }
              list.appendChild(node);
            });
            similar.classList.toggle("d-none", !(data.results || []).length);
          });
      }, 250);
    });
  }
})();

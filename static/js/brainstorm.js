/* The live brainstorming board: joins the session over Socket.IO, draws the full state it is
   sent, applies live changes, counts down to the server's end time (or shows the time left
   while the facilitator has paused the clock), and re-joins (getting the full state again)
   after every reconnect. Identity is the signed-in session's, never sent.

   Convergence: each committed change arrives as one "update" carrying the board's revision.
   Updates are applied once and in order; one that arrives ahead of a missing revision waits,
   and if the gap is not filled soon, the client asks for the full state again. "own" messages
   (one's own notes while ideation is hidden, which notes are one's own, one's dots) are
   snapshots: the newest wins. The answers to one's own events only report refusals; every
   change is drawn from the updates, so each is applied exactly once.

   Grouping: drag a note onto a cluster, or use its "Move to…" list; voting: +/− dot buttons
   on notes and clusters; results: the ranked list the server sends. Someone else's note can
   be flagged for the space's moderators from its flag button (a dialog outside the board, so
   live redraws leave it alone); a note they hide leaves the board like a deleted one. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !board.dataset.live || typeof io === "undefined") { return; }
  var sessionId = parseInt(board.dataset.session, 10);
  var me = parseInt(board.dataset.me, 10);
  var text = board.dataset;
  var el = function (sel) { return board.querySelector(sel); };
  var notesList = el("[data-notes]");
  var composer = el("[data-composer]");
  var statusBox = el("[data-status]");
  var doneButton = el("[data-done]");
  var clustersBox = el("[data-clusters]");
  var clusterComposer = el("[data-cluster-composer]");
  var resultsBox = el("[data-results]");
  var state = { phase: board.dataset.phase, endsAt: null, skew: 0, paused: false, secondsLeft: null,
                noteCount: 0, notes: new Map(), mine: new Set(), flagged: new Set(),
                facilitator: false, anonymous: false, done: false, presence: { count: 0, done: 0 },
                clusters: [], mayGroup: false, tally: { notes: {}, clusters: {} },
                myDots: { notes: {}, clusters: {}, left: 0 }, results: null };

  function canGroup() { return state.mayGroup && state.phase === "group"; }

  function option(value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }

  function dotControls(kind, id, label) {
    var wrap = document.createElement("div");
    wrap.className = "dot-controls";
    var key = kind + "s";
    var total = state.tally[key][id] || 0, mine = state.myDots[key][id] || 0;
    var count = document.createElement("span");
    count.className = "dot-count";
    count.dataset.dotCount = "";
    count.textContent = "● " + total + (mine ? " (" + mine + " " + text.textMine + ")" : "");
    wrap.appendChild(count);
    [["add_dot", "+", text.textAddDot], ["remove_dot", "−", text.textRemoveDot]].forEach(function (a) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm btn-outline-primary dot-button";
      b.textContent = a[1];
      b.setAttribute("aria-label", a[2] + ": " + label);
      b.title = a[2];
      b.disabled = a[0] === "remove_dot" ? !mine : state.myDots.left < 1;
      b.addEventListener("click", function () {
        var data = {};
        data[kind] = id;
        send(a[0], data);
      });
      wrap.appendChild(b);
    });
    return wrap;
  }

  function moveSelect(note) {
    var select = document.createElement("select");
    select.className = "form-select form-select-sm sticky-move";
    select.setAttribute("aria-label", text.textMove);
    select.appendChild(option("", text.textMove));
    select.appendChild(option("none", text.textUnclustered));
    state.clusters.forEach(function (c) { select.appendChild(option(String(c.id), c.name)); });
    select.addEventListener("change", function () {
      if (!select.value) { return; }
      moveNote(note.id, select.value === "none" ? null : parseInt(select.value, 10));
    });
    return select;
  }

  function moveNote(noteId, clusterId) { send("move_note", { note: noteId, cluster: clusterId }); }

  var socket = io("/brainstorm", { transports: ["websocket", "polling"] });

  function showStatus(message, kind) {
    if (!message) { statusBox.classList.add("d-none"); return; }
    statusBox.textContent = message;
    statusBox.className = "board-status alert small border alert-" + (kind || "light");
  }

  function isMine(note) {
    return state.mine.has(note.id) || (note.author && note.author.id === me);
  }

  function noteCard(note) {
    var li = document.createElement("li");
    li.className = "sticky-note" + (isMine(note) ? " mine" : "");
    li.dataset.noteId = note.id;
    var body = document.createElement("p");
    body.className = "sticky-text";
    body.textContent = note.text;
    li.appendChild(body);
    var foot = document.createElement("div");
    foot.className = "sticky-foot";
    var who = document.createElement("span");
    who.className = "sticky-author";
    who.textContent = isMine(note) ? text.textYou : (note.author ? note.author.name : text.textAnonymous);
    foot.appendChild(who);
    if (isMine(note) && state.phase === "ideate") {
      [["edit", text.textEdit, "pencil"], ["delete", text.textDelete, "trash"]].forEach(function (a) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "btn btn-sm btn-link sticky-action";
        b.dataset.action = a[0];
        b.setAttribute("aria-label", a[1]);
        b.title = a[1];
        var icon = document.createElement("i");
        icon.className = "bi bi-" + a[2];
        icon.setAttribute("aria-hidden", "true");
        b.appendChild(icon);
        foot.appendChild(b);
      });
    }
    if (!isMine(note) && state.phase !== "results" && state.phase !== "closed") {
      var flagged = state.flagged.has(note.id);
      var flag = document.createElement("button");
      flag.type = "button";
      flag.className = "btn btn-sm btn-link sticky-action ms-auto";
      flag.dataset.action = "flag";
      flag.disabled = flagged;
      flag.title = flagged ? text.textFlagged : text.textFlag;
      flag.setAttribute("aria-label", (flagged ? text.textFlagged : text.textFlag) + ": " + note.text);
      var flagIcon = document.createElement("i");
      flagIcon.className = "bi " + (flagged ? "bi-flag-fill" : "bi-flag");
      flagIcon.setAttribute("aria-hidden", "true");
      flag.appendChild(flagIcon);
      foot.appendChild(flag);
    }
    li.appendChild(foot);
    if (canGroup()) {
      li.draggable = true;
      li.addEventListener("dragstart", function (event) {
        event.dataTransfer.setData("text/plain", String(note.id));
        event.dataTransfer.effectAllowed = "move";
      });
      li.appendChild(moveSelect(note));
    }
    if (state.phase === "vote") { li.appendChild(dotControls("note", note.id, note.text)); }
    return li;
  }

  function clusterColumn(cluster) {
    var col = document.createElement("section");
    col.className = "cluster-col" + (cluster ? "" : " unclustered");
    col.dataset.clusterId = cluster ? cluster.id : "";
    var head = document.createElement("header");
    head.className = "cluster-head";
    var name = document.createElement("h2");
    name.className = "h6 mb-0 cluster-name";
    name.textContent = cluster ? cluster.name : text.textUnclustered;
    head.appendChild(name);
    if (cluster && canGroup()) {
      var rename = document.createElement("button");
      rename.type = "button";
      rename.className = "btn btn-sm btn-link p-0 ms-auto";
      rename.textContent = text.textRename;
      rename.setAttribute("aria-label", text.textRename + ": " + cluster.name);
      rename.addEventListener("click", function () {
        var value = window.prompt(text.textRenamePrompt, cluster.name);
        if (value) { send("rename_cluster", { cluster: cluster.id, name: value }); }
      });
      head.appendChild(rename);
    }
    col.appendChild(head);
    if (cluster && canGroup() && state.clusters.length > 1) {
      var merge = document.createElement("select");
      merge.className = "form-select form-select-sm mb-2";
      merge.setAttribute("aria-label", text.textMerge + " (" + cluster.name + ")");
      merge.appendChild(option("", text.textMerge));
      state.clusters.forEach(function (c) {
        if (c.id !== cluster.id) { merge.appendChild(option(String(c.id), c.name)); }
      });
      merge.addEventListener("change", function () {
        if (merge.value) { send("merge_clusters", { source: cluster.id, target: parseInt(merge.value, 10) }); }
      });
      col.appendChild(merge);
    }
    if (cluster && state.phase === "vote") { col.appendChild(dotControls("cluster", cluster.id, cluster.name)); }
    var list = document.createElement("ul");
    list.className = "list-unstyled cluster-notes";
    list.setAttribute("aria-label", name.textContent);
    state.notes.forEach(function (note) {
      if ((note.cluster || null) === (cluster ? cluster.id : null)) { list.appendChild(noteCard(note)); }
    });
    col.appendChild(list);
    if (canGroup()) {
      col.addEventListener("dragover", function (event) { event.preventDefault(); col.classList.add("drop-target"); });
      col.addEventListener("dragleave", function () { col.classList.remove("drop-target"); });
      col.addEventListener("drop", function (event) {
        event.preventDefault();
        col.classList.remove("drop-target");
        var noteId = parseInt(event.dataTransfer.getData("text/plain"), 10);
        if (noteId && state.notes.has(noteId)) { moveNote(noteId, cluster ? cluster.id : null); }
      });
    }
    return col;
  }

  // "Promoted to idea #N" (a link to it), or, for the facilitator and moderators, a link to
  // the form that turns the note or cluster into an idea.
  function promotionLink(item) {
    var a = document.createElement("a");
    a.className = "result-idea small d-block";
    if (item.idea) {
      a.href = text.ideaUrl + item.idea;
      a.textContent = text.textPromoted.replace("__N__", item.idea);
    } else if (text.promoteUrl) {
      a.href = text.promoteUrl + "?" + item.kind + "=" + item.id;
      a.textContent = text.textPromote;
      a.setAttribute("data-promote", "");
    } else {
      return null;
    }
    return a;
  }

  function drawResults() {
    var list = el("[data-results-list]");
    list.replaceChildren();
    (state.results || []).forEach(function (item) {
      var li = document.createElement("li");
      li.className = "result-item result-" + item.kind;
      var rank = document.createElement("span");
      rank.className = "result-rank";
      rank.textContent = item.rank;
      var body = document.createElement("div");
      body.className = "flex-grow-1";
      var t = document.createElement("div");
      t.className = "result-text";
      t.textContent = item.text;
      body.appendChild(t);
      if (item.notes && item.notes.length) {
        var ul = document.createElement("ul");
        ul.className = "small text-body-secondary mb-0";
        item.notes.forEach(function (n) { var x = document.createElement("li"); x.textContent = n; ul.appendChild(x); });
        body.appendChild(ul);
      }
      var promotion = promotionLink(item);
      if (promotion) { body.appendChild(promotion); }
      var dots = document.createElement("span");
      dots.className = "result-dots";
      dots.textContent = "● " + item.dots;
      dots.setAttribute("aria-label", item.dots + " " + text.textDots);
      li.append(rank, body, dots);
      list.appendChild(li);
    });
    if (!list.children.length) {
      var none = document.createElement("li");
      none.className = "text-body-secondary";
      none.textContent = text.textNoResults;
      list.appendChild(none);
    }
  }

  function drawNotes() {
    var grouped = state.phase === "group" || state.phase === "vote";
    var results = state.phase === "results" || state.phase === "closed";
    notesList.replaceChildren();
    clustersBox.replaceChildren();
    if (grouped) {
      state.clusters.forEach(function (c) { clustersBox.appendChild(clusterColumn(c)); });
      clustersBox.appendChild(clusterColumn(null));
    } else if (!results) {
      state.notes.forEach(function (note) { notesList.appendChild(noteCard(note)); });
    }
    notesList.classList.toggle("d-none", grouped || results);
    clustersBox.classList.toggle("d-none", !grouped);
    resultsBox.classList.toggle("d-none", !results);
    var exportsBox = board.querySelector("[data-exports]");
    if (exportsBox) { exportsBox.classList.toggle("d-none", !results); }
    if (results) { drawResults(); }
    clusterComposer.classList.toggle("d-none", !canGroup());
    el("[data-vote-bar]").classList.toggle("d-none", state.phase !== "vote");
    el("[data-dots-left]").textContent = state.myDots.left;
    el("[data-empty]").classList.toggle("d-none", state.notes.size > 0 || results);
  }

  function drawPhase() {
    board.dataset.phase = state.phase;
    var reached = true;
    board.querySelectorAll("[data-phase-step]").forEach(function (step) {
      var current = step.dataset.phaseStep === state.phase;
      step.classList.toggle("current", current);
      step.classList.toggle("past", reached && !current);
      if (current) { reached = false; step.setAttribute("aria-current", "step"); }
      else { step.removeAttribute("aria-current"); }
    });
    composer.classList.toggle("d-none", state.phase !== "ideate");
    drawNoteCount();
    var timed = state.phase === "ideate" || state.phase === "group" || state.phase === "vote";
    el("[data-clock-controls]").classList.toggle("d-none", !timed);
    el("[data-pause-label]").textContent = state.paused ? text.textResume : text.textPause;
    var pauseIcon = el("[data-pause] i");
    pauseIcon.className = "bi " + (state.paused ? "bi-play-fill" : "bi-pause-fill");
    el("[data-facilitator]").classList.toggle("d-none", !state.facilitator || state.phase === "closed");
    doneButton.disabled = state.phase === "closed";
  }

  function drawNoteCount() {
    var hint = state.notesHidden ? text.textHidden : "";
    if (state.notesHidden && state.noteCount) {
      hint += " " + text.textNoteCount.replace("__N__", state.noteCount);
    }
    el("[data-hidden-hint]").textContent = hint;
  }

  function drawPresence() {
    var p = state.presence;
    board.querySelectorAll("[data-presence-count]").forEach(function (n) { n.textContent = p.count; });
    el("[data-done-count]").textContent = p.done;
    var people = el("[data-people]");
    people.replaceChildren();
    (p.people || []).forEach(function (person) {
      var li = document.createElement("li");
      li.className = person.done ? "done" : "";
      var icon = document.createElement("i");
      icon.className = "bi " + (person.done ? "bi-check-circle-fill text-success" : "bi-circle text-body-tertiary");
      icon.setAttribute("aria-hidden", "true");
      li.appendChild(icon);
      li.appendChild(document.createTextNode(" " + person.name));
      people.appendChild(li);
      if (person.id === me) { state.done = person.done; }
    });
    doneButton.setAttribute("aria-pressed", state.done ? "true" : "false");
    doneButton.classList.toggle("btn-success", state.done);
    doneButton.classList.toggle("btn-outline-success", !state.done);
    var label = el("[data-done-label]");
    label.textContent = state.done ? label.dataset.labelOn : label.dataset.labelOff;
  }

  function setPhase(p) {
    var changed = state.phase !== p.phase;
    state.phase = p.phase;
    state.notesHidden = p.notes_hidden;
    state.endsAt = p.ends_at ? Date.parse(p.ends_at) : null;
    state.paused = !!p.paused;
    state.secondsLeft = p.seconds_left;
    state.skew = Date.parse(p.now) - Date.now();
    if (changed) { state.done = false; }
    drawPhase();
    if (changed) { drawNotes(); }
    tick();
  }

  function applyState(s) {
    revision = s.revision;
    ownRevision = s.revision;
    state.noteCount = s.note_count;
    state.facilitator = s.facilitator;
    state.anonymous = s.anonymous;
    state.mayGroup = s.may_group;
    state.clusters = s.clusters;
    state.tally = s.tally;
    state.myDots = s.my_dots;
    state.results = s.results;
    state.notes = new Map();
    s.notes.forEach(function (n) {
      if (n.mine) { state.mine.add(n.id); }
      state.notes.set(n.id, n);
    });
    state.phase = null;
    setPhase(s);
    state.presence = s.presence;
    drawPresence();
    drawNotes();
    if (waitingOwn && waitingOwn.revision > ownRevision) { applyOwn(waitingOwn); }
    waitingOwn = null;
    drain();
  }

  function clock(seconds) {
    var m = Math.floor(seconds / 60), sec = seconds % 60;
    return m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  function tick() {
    var out = el("[data-countdown]");
    board.classList.toggle("clock-paused", state.paused);
    if (state.paused) {
      board.classList.remove("time-up");
      out.textContent = text.textPaused + " " + clock(state.secondsLeft || 0);
      return;
    }
    if (!state.endsAt) { out.textContent = "–"; return; }
    var left = Math.max(0, Math.round((state.endsAt - (Date.now() + state.skew)) / 1000));
    if (left === 0) { out.textContent = text.textTimeUp; board.classList.add("time-up"); return; }
    board.classList.remove("time-up");
    out.textContent = clock(left);
  }
  setInterval(tick, 1000);

  function send(event, data, then, failed) {
    socket.emit(event, Object.assign({ session: sessionId }, data || {}), function (reply) {
      if (!reply || !reply.ok) {
        showStatus(reply ? reply.error : "", "warning");
        if (failed) { failed(reply); }
        return;
      }
      showStatus("");
      if (then) { then(reply); }
    });
  }

  // What each kind of change in an update does to the state (each a snapshot or an upsert).
  var changes = {
    phase: setPhase,
    presence: function (p) { state.presence = p; drawPresence(); },
    notes: function (m) {
      state.notes = new Map();
      m.notes.forEach(function (n) { state.notes.set(n.id, n); });
    },
    note: function (n) { state.notes.set(n.id, n); },
    note_deleted: function (m) { state.notes.delete(m.id); },
    note_count: function (m) { state.noteCount = m.count; drawNoteCount(); },
    grouping: function (m) {
      state.clusters = m.clusters;
      Object.keys(m.placement).forEach(function (id) {
        var note = state.notes.get(parseInt(id, 10));
        if (note) { note.cluster = m.placement[id]; }
      });
    },
    tally: function (m) { state.tally = { notes: m.notes, clusters: m.clusters }; },
    results: function (m) { state.results = m.results; }
  };

  var revision = null;      // the revision drawn; null until the state arrives
  var joining = false;
  var ownRevision = -1;
  var waiting = new Map();  // updates that came ahead of a missing revision
  var waitingOwn = null;    // the newest "own" message that came before the state
  var resyncTimer = null;
  var GAP_PATIENCE_MS = 1500;

  function apply(update) {
    revision = update.revision;
    update.changes.forEach(function (change) {
      if (changes[change[0]]) { changes[change[0]](change[1]); }
    });
    drawNotes();
  }

  function drain() {
    while (waiting.has(revision + 1)) {
      var next = waiting.get(revision + 1);
      waiting.delete(revision + 1);
      apply(next);
    }
    waiting.forEach(function (_u, r) { if (r <= revision) { waiting.delete(r); } });
    if (!waiting.size && resyncTimer) { clearTimeout(resyncTimer); resyncTimer = null; }
    if (waiting.size && !resyncTimer) { resyncTimer = setTimeout(resync, GAP_PATIENCE_MS); }
  }

  function join() {
    revision = null;
    joining = true;
    send("join", {}, function (reply) {
      joining = false;
      applyState(reply.state);
    }, function () {
      joining = false;
      waiting.clear();
    });
  }

  // A revision is still missing: draw the board afresh from the full state.
  function resync() {
    resyncTimer = null;
    if (waiting.size && revision !== null) { join(); }
  }

  function applyOwn(own) {
    ownRevision = own.revision;
    own.mine.forEach(function (id) { state.mine.add(id); });
    if (own.notes && state.notesHidden && own.revision >= revision) {
      state.notes = new Map();
      own.notes.forEach(function (n) { state.notes.set(n.id, n); });
    }
    state.myDots = own.my_dots;
    drawNotes();
  }

  socket.on("update", function (update) {
    if (update.session !== sessionId) { return; }
    if (revision === null) {  // joining: kept until the state says which are already in it
      if (joining) { waiting.set(update.revision, update); }
      return;
    }
    if (update.revision <= revision) { return; }  // already drawn
    waiting.set(update.revision, update);
    drain();
  });
  socket.on("own", function (own) {
    if (own.session !== sessionId) { return; }
    if (revision === null) {
      if (!waitingOwn || own.revision > waitingOwn.revision) { waitingOwn = own; }
      return;
    }
    if (own.revision > ownRevision) { applyOwn(own); }
  });
  socket.on("connect", function () { showStatus(""); join(); });

  // Signed out (here or elsewhere): the board stays as it was drawn, read-only.
  var ended = false;
  function signedOut() {
    if (ended) { return; }
    ended = true;
    socket.disconnect();
    board.classList.add("signed-out");
    board.querySelectorAll("button, textarea, input, select").forEach(function (control) { control.disabled = true; });
    showStatus(text.textSignedOut, "warning");
  }
  document.addEventListener("cocreate:signed-out", signedOut);
  socket.on("disconnect", function (why) {
    revision = null;
    if (ended) { return; }
    showStatus(text.textReconnecting, "secondary");
    // The server closes a board connection when access changed (a ban, leaving the space, the
    // end of a session): connect again, and joining asks whether this person may still be here.
    if (why === "io server disconnect") { socket.connect(); }
  });
  socket.on("connect_error", function () {
    if (!socket.active) { signedOut(); }  // refused: no longer signed in
  });

  clusterComposer.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = clusterComposer.querySelector("input");
    if (!input.value.trim()) { input.focus(); return; }
    send("create_cluster", { name: input.value }, function () { input.value = ""; });
  });

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = composer.querySelector("textarea");
    var value = input.value.trim();
    if (!value) { input.focus(); return; }
    send("add_note", { text: value }, function () {
      input.value = "";
      input.focus();
    });
  });
  composer.querySelector("textarea").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); composer.requestSubmit(); }
  });

  var flagDialog = el("[data-flag-dialog]");
  var flagForm = el("[data-flag-form]");
  var flagError = el("[data-flag-error]");
  var flagging = null;

  function openFlag(id) {
    var note = state.notes.get(id);
    if (!note) { return; }
    flagging = id;
    flagForm.reset();
    flagError.classList.add("d-none");
    el("[data-flag-quote]").textContent = note.text;
    flagDialog.showModal();
  }

  flagForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = flagForm.querySelector("input[name=reason]:checked");
    var data = { note: flagging, reason: chosen ? chosen.value : "",
                 comment: el("[data-flag-comment]").value };
    send("flag_note", data, function () {
      state.flagged.add(data.note);
      flagDialog.close();
      showStatus(text.textFlagThanks, "success");
      drawNotes();
    }, function (reply) {
      showStatus("");
      flagError.textContent = reply ? reply.error : text.textReconnecting;
      flagError.classList.remove("d-none");
    });
  });
  flagForm.addEventListener("change", function () { flagError.classList.add("d-none"); });
  el("[data-flag-cancel]").addEventListener("click", function () { flagDialog.close(); });

  clustersBox.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action=flag]");
    if (button) { openFlag(parseInt(button.closest("[data-note-id]").dataset.noteId, 10)); }
  });

  notesList.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) { return; }
    var card = button.closest("[data-note-id]");
    var id = parseInt(card.dataset.noteId, 10);
    if (button.dataset.action === "flag") { openFlag(id); return; }
    if (button.dataset.action === "delete") {
      send("delete_note", { note: id });
      return;
    }
    var body = card.querySelector(".sticky-text");
    var editor = document.createElement("textarea");
    editor.className = "form-control form-control-sm sticky-editor";
    editor.maxLength = 500;
    editor.value = state.notes.get(id).text;
    editor.setAttribute("aria-label", text.textEdit);
    body.replaceWith(editor);
    editor.focus();
    function save() {
      send("edit_note", { note: id, text: editor.value }, null, drawNotes);
    }
    editor.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); save(); }
      if (e.key === "Escape") { drawNotes(); }
    });
    editor.addEventListener("blur", save, { once: true });
  });

  doneButton.addEventListener("click", function () {
    send("done", { done: !state.done }, function (reply) { state.done = reply.done; drawPresence(); });
  });

  el("[data-advance]").addEventListener("click", function () {
    var p = state.presence;
    if (state.phase !== "lobby" && p.done < p.count && !window.confirm(text.confirmAdvance)) { return; }
    send("advance", { from: state.phase });
  });
  el("[data-pause]").addEventListener("click", function () { send(state.paused ? "resume" : "pause"); });
  board.querySelectorAll("[data-extend]").forEach(function (b) {
    b.addEventListener("click", function () { send("extend", { minutes: parseInt(b.dataset.extend, 10) }); });
  });
}());

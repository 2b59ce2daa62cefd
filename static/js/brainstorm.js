/* The live brainstorming board: joins the session over Socket.IO, draws the full state it is
   sent, applies live patches, counts down to the server's end time (or shows the time left
   while the facilitator has paused the clock). Identity is the signed-in session's, never sent.

   Patches: each committed change arrives as one "update" carrying the board's revision.
   Updates are applied once and in order (a duplicate, rev <= drawn, is ignored); one that
   arrives ahead of a missing revision waits, and if the gap is not filled soon the client asks
   for the patches since its revision ("join" with "since"; the server answers with them, or
   with the full state when they are no longer kept). A reconnect (network drop, sleep, server
   restart, another instance) asks the same way, and so does a "resync" from the server (its
   queue between instances was down, so updates may be lost with no later one to show a gap). "own" messages (one's own notes while ideation
   is hidden, which notes are one's own, one's dots) are snapshots: the newest wins.

   Never redraw over the person: cards and cluster columns are kept by id and patched; a card
   whose note is being edited keeps its node, text, selection and focus through any patch, and
   a change to that note by someone else (another tab, a moderator) is shown beside the editor
   ("keep mine / take theirs"), never applied silently. The composer is outside the redrawn
   parts; its unsent text is kept in localStorage (per user and session, cleared when sent,
   discarded or on sign-out), survives phase changes and reloads, and the server is told
   whether there is some, so the facilitator knows how many have unsent notes before moving on.

   Undo: deleting a note, merging or dissolving a cluster and ending a phase while its clock
   runs are confirmed in a dialog first; afterwards an "Undo" bar stays a few seconds (the
   server accepts the undo a little longer, then refuses it). The facilitator can split back
   any merge while grouping ("Undo merge by …" on the cluster, from the board's "merges").

   Grouping: drag a note onto a cluster, or use its "Move to…" list; voting: +/− dot buttons
   on notes and clusters; results: the ranked list the server sends. Someone else's note can
   be flagged for the space's moderators from its flag button (a dialog outside the board); a
   note they hide leaves the board like a deleted one. */
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
                clusters: [], merges: [], mayGroup: false, tally: null, dotsPerItem: 0,
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
    // No tally while the totals are hidden from this participant: only their own dots.
    var total = state.tally ? state.tally[key][id] || 0 : null, mine = state.myDots[key][id] || 0;
    var count = document.createElement("span");
    count.className = "dot-count";
    count.dataset.dotCount = "";
    count.textContent = total === null
      ? "● " + mine + " " + text.textMine
      : "● " + total + (mine ? " (" + mine + " " + text.textMine + ")" : "");
    wrap.appendChild(count);
    [["add_dot", "+", text.textAddDot], ["remove_dot", "−", text.textRemoveDot]].forEach(function (a) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm btn-outline-primary dot-button";
      b.textContent = a[1];
      b.setAttribute("aria-label", a[2] + ": " + label);
      b.title = a[2];
      b.disabled = closedByClock() ||
        (a[0] === "remove_dot" ? !mine : state.myDots.left < 1 || mine >= state.dotsPerItem);
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

  // Ask in the page before a change that takes something away; ``action`` runs on "yes".
  var confirmDialog = el("[data-confirm-dialog]");
  var confirmAction = null;
  function confirmThen(question, label, danger, action) {
    el("[data-confirm-text]").textContent = question;
    var ok = el("[data-confirm-ok]");
    ok.textContent = label;
    ok.className = "btn " + (danger ? "btn-danger" : "btn-primary");
    confirmAction = action;
    confirmDialog.showModal();
    ok.focus();
  }
  el("[data-confirm-ok]").addEventListener("click", function () {
    var action = confirmAction;
    confirmAction = null;
    confirmDialog.close();
    if (action) { action(); }
  });
  el("[data-confirm-cancel]").addEventListener("click", function () { confirmDialog.close(); });
  confirmDialog.addEventListener("close", function () { confirmAction = null; });

  // After a change that can be undone: "Undo" for a few seconds (the server allows a little
  // longer, so a click at the last moment still counts).
  var undoBar = el("[data-undo-bar]");
  var undoOffer = null, undoTimer = null;
  var UNDO_SHOW_MS = 10000;
  function offerUndo(message, id) {
    if (!id) { return; }
    undoOffer = id;
    el("[data-undo-text]").textContent = message;
    undoBar.classList.remove("d-none");
    clearTimeout(undoTimer);
    undoTimer = setTimeout(hideUndo, UNDO_SHOW_MS);
  }
  function hideUndo() { undoOffer = null; undoBar.classList.add("d-none"); }
  function undo(id) {
    send("undo", { undo: id }, function () { showStatus(text.textUndone, "success"); });
  }
  el("[data-undo]").addEventListener("click", function () {
    var id = undoOffer;
    hideUndo();
    if (id) { undo(id); }
  });

  function mergeClusters(source, target) {
    var question = text.textConfirmMerge.replace("__A__", source.name).replace("__B__", target.name);
    confirmThen(question, text.textMergeAction, false, function () {
      send("merge_clusters", { source: source.id, target: target.id }, function (reply) {
        offerUndo(text.textMerged, reply.undo);
      });
    });
  }

  function dissolveButton(cluster) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-link p-0 text-danger";
    b.dataset.dissolve = "";
    b.textContent = text.textDissolve;
    b.setAttribute("aria-label", text.textDissolve + ": " + cluster.name);
    b.addEventListener("click", function () {
      confirmThen(text.textConfirmDissolve.replace("__A__", cluster.name), text.textDissolve, true, function () {
        send("dissolve_cluster", { cluster: cluster.id }, function (reply) {
          offerUndo(text.textDissolved, reply.undo);
        });
      });
    });
    return b;
  }

  // The facilitator splits back any merge into this cluster while grouping.
  function splitBackButtons(cluster) {
    if (!state.facilitator || state.phase !== "group") { return []; }
    return state.merges.filter(function (m) { return m.cluster === cluster.id; }).map(function (m) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm btn-outline-secondary cluster-undo mb-2 me-1";
      b.dataset.splitBack = m.id;
      var icon = document.createElement("i");
      icon.className = "bi bi-arrow-counterclockwise";
      icon.setAttribute("aria-hidden", "true");
      b.append(icon, " " + (m.by ? text.textUndoMergeBy.replace("__A__", m.by) : text.textSplitBack));
      b.addEventListener("click", function () { undo(m.id); });
      return b;
    });
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

  // Cards and columns are kept by id and rebuilt only when what they show changed (their
  // "signature"); the card being edited is never rebuilt or moved.
  var cards = new Map();    // note id -> { node, sig }
  var columns = new Map();  // cluster id ("" for notes in none) -> { col, top, list, sig }
  var editing = null;       // { id, node, editor, base, saving, conflict }

  function cardSig(note) {
    var vote = state.phase === "vote";
    return JSON.stringify([note.text, note.author || null, isMine(note), state.phase, canGroup(), closedByClock(),
      canGroup() ? state.clusters : null, state.flagged.has(note.id),
      vote ? [state.tally ? state.tally.notes[note.id] || 0 : null, state.myDots.notes[note.id] || 0,
        state.myDots.left > 0] : null]);
  }

  function cardFor(note) {
    if (editing && editing.id === note.id) { return editing.node; }
    var sig = cardSig(note), cached = cards.get(note.id);
    if (cached && cached.sig === sig) { return cached.node; }
    var node = noteCard(note);
    cards.set(note.id, { node: node, sig: sig });
    return node;
  }

  // Make ``parent``'s children exactly ``nodes``, in order, touching only what differs. The
  // card being edited is never moved (moving a node takes its focus): what stands before it
  // and belongs after it is moved instead.
  function reconcile(parent, nodes) {
    var wanted = new Set(nodes);
    Array.prototype.slice.call(parent.children).forEach(function (child) {
      if (!wanted.has(child)) { parent.removeChild(child); }
    });
    var cur = parent.firstChild;
    nodes.forEach(function (node) {
      if (node === cur) { cur = cur.nextSibling; return; }
      if (editing && node === editing.node && node.parentNode === parent) {
        var aside = document.createDocumentFragment();
        while (cur && cur !== node) { var next = cur.nextSibling; aside.appendChild(cur); cur = next; }
        cur = node.nextSibling;
        return;
      }
      parent.insertBefore(node, cur);
    });
  }

  function makeColumn(cluster) {
    var col = document.createElement("section");
    col.className = "cluster-col" + (cluster ? "" : " unclustered");
    col.dataset.clusterId = cluster ? cluster.id : "";
    var top = document.createElement("div");
    var list = document.createElement("ul");
    list.className = "list-unstyled cluster-notes";
    col.append(top, list);
    col.addEventListener("dragover", function (event) {
      if (!canGroup()) { return; }
      event.preventDefault();
      col.classList.add("drop-target");
    });
    col.addEventListener("dragleave", function () { col.classList.remove("drop-target"); });
    col.addEventListener("drop", function (event) {
      if (!canGroup()) { return; }
      event.preventDefault();
      col.classList.remove("drop-target");
      var noteId = parseInt(event.dataTransfer.getData("text/plain"), 10);
      if (noteId && state.notes.has(noteId)) { moveNote(noteId, cluster ? cluster.id : null); }
    });
    return { col: col, top: top, list: list, sig: null };
  }

  function fillColumnTop(column, cluster) {
    var parts = [];
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
      rename.dataset.rename = "";
      rename.textContent = text.textRename;
      rename.setAttribute("aria-label", text.textRename + ": " + cluster.name);
      rename.addEventListener("click", function () { renameInline(name, cluster); });
      head.appendChild(rename);
    }
    parts.push(head);
    if (cluster && canGroup() && state.clusters.length > 1) {
      var merge = document.createElement("select");
      merge.className = "form-select form-select-sm mb-2";
      merge.dataset.merge = "";
      merge.setAttribute("aria-label", text.textMerge + " (" + cluster.name + ")");
      merge.appendChild(option("", text.textMerge));
      state.clusters.forEach(function (c) {
        if (c.id !== cluster.id) { merge.appendChild(option(String(c.id), c.name)); }
      });
      merge.addEventListener("change", function () {
        var target = state.clusters.find(function (c) { return c.id === parseInt(merge.value, 10); });
        merge.value = "";
        if (target) { mergeClusters(cluster, target); }
      });
      parts.push(merge);
    }
    if (cluster && canGroup()) { head.appendChild(dissolveButton(cluster)); }
    if (cluster) { parts.push.apply(parts, splitBackButtons(cluster)); }
    if (cluster && state.phase === "vote") { parts.push(dotControls("cluster", cluster.id, cluster.name)); }
    column.top.replaceChildren.apply(column.top, parts);
    column.list.setAttribute("aria-label", name.textContent);
  }

  function columnFor(cluster) {
    var key = cluster ? cluster.id : "";
    var column = columns.get(key);
    if (!column) { column = makeColumn(cluster); columns.set(key, column); }
    var sig = JSON.stringify([cluster, state.phase, canGroup(), closedByClock(), canGroup() ? state.clusters : null,
      cluster && state.facilitator ? state.merges.filter(function (m) { return m.cluster === cluster.id; }) : null,
      cluster && state.phase === "vote" ? [state.tally ? state.tally.clusters[cluster.id] || 0 : null,
        state.myDots.clusters[cluster.id] || 0, state.myDots.left > 0] : null]);
    // The name being edited in place is kept through any patch (redrawn once it is done).
    var renamingThis = renaming && cluster && renaming.id === cluster.id;
    if (column.sig !== sig && !renamingThis) { column.sig = sig; fillColumnTop(column, cluster); }
    var nodes = [];
    state.notes.forEach(function (note) {
      if ((note.cluster || null) === (cluster ? cluster.id : null)) { nodes.push(cardFor(note)); }
    });
    reconcile(column.list, nodes);
    return column.col;
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
    var listed = [], cols = [];
    if (grouped) {
      cols = state.clusters.map(columnFor);
      cols.push(columnFor(null));
      var keep = new Set(state.clusters.map(function (c) { return c.id; }).concat([""]));
      columns.forEach(function (_c, key) { if (!keep.has(key)) { columns.delete(key); } });
    } else if (!results) {
      state.notes.forEach(function (note) { listed.push(cardFor(note)); });
      if (editing && listed.indexOf(editing.node) < 0) {  // taken off meanwhile: kept until resolved
        var at = Array.prototype.indexOf.call(notesList.children, editing.node);
        listed.splice(at < 0 ? listed.length : Math.min(at, listed.length), 0, editing.node);
      }
    }
    reconcile(notesList, listed);
    reconcile(clustersBox, cols);
    cards.forEach(function (_c, id) { if (!state.notes.has(id)) { cards.delete(id); } });
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
    // In the lobby one may write a note already; it is added once ideation starts.
    composer.classList.toggle("d-none", state.phase !== "ideate" && state.phase !== "lobby");
    el("[data-add-note]").disabled = state.phase !== "ideate";
    drawDraft();
    drawNoteCount();
    var timed = state.phase === "ideate" || state.phase === "group" || state.phase === "vote";
    el("[data-clock-controls]").classList.toggle("d-none", !timed);
    el("[data-pause-label]").textContent = state.paused ? text.textResume : text.textPause;
    var pauseIcon = el("[data-pause] i");
    pauseIcon.className = "bi " + (state.paused ? "bi-play-fill" : "bi-pause-fill");
    el("[data-facilitator]").classList.toggle("d-none", !state.facilitator || state.phase === "closed");
    doneButton.disabled = state.phase === "closed";
    drawRoom();
  }

  function drawNoteCount() {
    var hint = state.phase === "lobby" ? text.textLobbyHint : state.notesHidden ? text.textHidden : "";
    if (state.notesHidden && state.noteCount) {
      hint += " " + text.textNoteCount.replace("__N__", state.noteCount);
    }
    el("[data-hidden-hint]").textContent = hint;
  }

  // "A, B and C" in the page's language ("A、B和C" in Chinese).
  function listOf(names) {
    if (window.Intl && Intl.ListFormat) {
      return new Intl.ListFormat(document.documentElement.lang || undefined, { type: "conjunction" }).format(names);
    }
    return names.join(", ");
  }

  function drawPresence() {
    var p = state.presence;
    var unsent = el("[data-unsent-count]");
    unsent.textContent = text.textUnsentCount.replace("__N__", p.unsent || 0);
    unsent.classList.toggle("d-none", !p.unsent);
    board.querySelectorAll("[data-presence-count]").forEach(function (n) { n.textContent = p.count; });
    el("[data-done-count]").textContent = p.done;
    var people = el("[data-people]");
    people.replaceChildren();
    (p.people || []).forEach(function (person) {
      var li = document.createElement("li");
      li.className = person.done ? "done" : "";
      var icon = document.createElement("i");
      // "Done" means something only while a phase runs; in the lobby and once closed, just who.
      var phaseRuns = state.phase !== "lobby" && state.phase !== "closed";
      icon.className = "bi " + (!phaseRuns ? "bi-person text-body-tertiary"
        : person.done ? "bi-check-circle-fill text-success" : "bi-circle text-body-tertiary");
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
    drawRoom();
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
    if (changed && editing && state.phase !== "ideate") {
      // Ideation ended mid-edit: an unsaved change is kept like an unsent note, not dropped.
      var unsaved = editing.editor.value.trim();
      if (unsaved && unsaved !== editing.base && !composerInput.value.trim()) {
        composerInput.value = unsaved;
        keepDraft();
        reportUnsent(false);
      }
      closeEditor();
    }
    if (changed && p.notes_hidden) { keepOnlyMine(); }
    drawPhase();
    if (changed) { drawNotes(); }
    tick();
  }

  // Back in hidden ideation (an early end taken back): the others' notes leave this board.
  function keepOnlyMine() {
    state.notes.forEach(function (note, id) { if (!isMine(note)) { state.notes.delete(id); } });
  }

  function applyState(s) {
    revision = s.revision;
    ownRevision = s.revision;
    state.noteCount = s.note_count;
    state.facilitator = s.facilitator;
    state.anonymous = s.anonymous;
    state.mayGroup = s.may_group;
    state.clusters = s.clusters;
    state.merges = s.merges || [];
    state.tally = s.tally;
    state.dotsPerItem = s.dots_per_item;
    state.myDots = s.my_dots;
    state.results = s.results;
    state.mayTakeOver = s.may_take_over;
    applySettings(s.settings, true);
    state.notes = new Map();
    s.notes.forEach(function (n) {
      if (n.mine) { state.mine.add(n.id); }
      if (editing && editing.id === n.id) { noticeChange(n); }
      state.notes.set(n.id, n);
    });
    if (editing && !state.notes.has(editing.id)) { noticeChange(null); }
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
    watchClock();
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

  // What each kind of change in a patch does to the state (each a snapshot or an upsert).
  var changes = {
    phase: setPhase,
    presence: function (p) { state.presence = p; drawPresence(); },
    notes: function (m) {
      state.notes = new Map();
      m.notes.forEach(function (n) { state.notes.set(n.id, n); });
    },
    note: function (n) {
      if (editing && editing.id === n.id) { noticeChange(n); }
      state.notes.set(n.id, n);
    },
    note_deleted: function (m) {
      if (editing && editing.id === m.id) { noticeChange(null); }
      state.notes.delete(m.id);
    },
    note_count: function (m) { state.noteCount = m.count; drawNoteCount(); },
    cluster: function (c) {
      var at = state.clusters.findIndex(function (x) { return x.id === c.id; });
      if (at < 0) { state.clusters = state.clusters.concat([c]); }
      else { state.clusters = state.clusters.slice(); state.clusters[at] = c; }
      state.clusters.sort(function (x, y) { return x.position - y.position || x.id - y.id; });
    },
    cluster_deleted: function (m) {
      state.clusters = state.clusters.filter(function (c) { return c.id !== m.id; });
      state.notes.forEach(function (note) { if (note.cluster === m.id) { note.cluster = null; } });
    },
    placement: function (m) {
      Object.keys(m.notes).forEach(function (id) {
        var note = state.notes.get(parseInt(id, 10));
        if (note) { note.cluster = m.notes[id]; }
      });
    },
    tally: function (m) {
      var old = state.tally || { notes: {}, clusters: {} };
      state.tally = { notes: Object.assign({}, old.notes, m.notes),
                      clusters: Object.assign({}, old.clusters, m.clusters) };
    },
    results: function (m) { state.results = m.results; },
    merges: function (m) { state.merges = m.merges; },
    settings: function (m) { applySettings(m, false); }
  };

  var revision = null;      // the revision drawn; null until the first state arrives
  var joining = false;
  var ownRevision = -1;
  var waiting = new Map();  // updates that came ahead of a missing revision
  var waitingOwn = null;    // the newest "own" message that came before the state
  var gapTimer = null;
  var GAP_PATIENCE_MS = 500;

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
    if (!waiting.size && gapTimer) { clearTimeout(gapTimer); gapTimer = null; }
    if (waiting.size && !gapTimer) { gapTimer = setTimeout(catchUp, GAP_PATIENCE_MS); }
  }

  // Enter the board: from scratch (the full state), or, once something is drawn, asking for
  // the patches since the revision drawn (the server sends the full state if they are gone).
  function join() {
    joining = true;
    var data = revision === null ? {} : { since: revision };
    send("join", data, function (reply) {
      joining = false;
      if (reply.state) { applyState(reply.state); reportUnsent(true); return; }
      reply.patches.forEach(function (patch) {
        if (patch.revision > revision) { waiting.set(patch.revision, patch); }
      });
      drain();
      applyOwn(Object.assign({}, reply.own, { revision: Math.max(ownRevision, revision) }));
      reportUnsent(true);
    }, function () {
      joining = false;
      waiting.clear();
    });
  }

  // A revision is still missing: ask for what was missed.
  function catchUp() {
    gapTimer = null;
    if (waiting.size && revision !== null && !joining) { join(); }
  }

  function applyOwn(own) {
    ownRevision = own.revision;
    own.mine.forEach(function (id) { state.mine.add(id); });
    if (own.notes && state.notesHidden && own.revision >= revision) {
      var notes = new Map();
      own.notes.forEach(function (n) {
        if (editing && editing.id === n.id) { noticeChange(n); }
        notes.set(n.id, n);
      });
      if (editing && !notes.has(editing.id)) { noticeChange(null); }
      state.notes = notes;
    }
    state.myDots = own.my_dots;
    if (own.tally) { state.tally = own.tally; }  // the facilitator, while totals are hidden
    drawNotes();
  }

  socket.on("update", function (update) {
    if (update.session !== sessionId) { return; }
    if (revision === null) {  // joining: kept until the state says which are already in it
      if (joining) { waiting.set(update.revision, update); }
      return;
    }
    if (update.revision <= revision) { return; }  // a duplicate: already drawn
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
  // The server's queue between instances was down: updates may be lost without a gap to show
  // it (none came after them). Ask for what came since the revision drawn.
  socket.on("resync", window.cocreate.resyncSoon(function () {
    if (revision !== null && !joining && !ended) { join(); }
  }));

  // Signed out (here or elsewhere): the board stays as it was drawn, read-only, and this
  // person's unsent note is not kept on this computer for whoever signs in next.
  var ended = false;
  function signedOut() {
    if (ended) { return; }
    ended = true;
    socket.disconnect();
    forgetDraft();
    board.classList.add("signed-out");
    board.querySelectorAll("button, textarea, input, select").forEach(function (control) { control.disabled = true; });
    showStatus(text.textSignedOut, "warning");
  }
  document.addEventListener("cocreate:signed-out", signedOut);
  socket.on("disconnect", function (why) {
    if (ended) { return; }
    showStatus(text.textReconnecting, "secondary");
    // The server closes a board connection when access changed (a ban, leaving the space, the
    // end of a session): connect again, and joining asks whether this person may still be here.
    if (why === "io server disconnect") { socket.connect(); }
  });
  socket.on("connect_error", function () {
    if (!socket.active) { signedOut(); }  // refused: no longer signed in
  });

  // The note being edited, changed or taken off by someone else meanwhile (another tab, a
  // moderator): keep the local text and ask, never overwrite it silently.
  function noticeChange(theirs) {
    var e = editing;
    var mine = e.editor.value.trim();
    if (theirs && (theirs.text === e.base || theirs.text === mine)) { return; }
    e.conflict = theirs ? { text: theirs.text, author: theirs.author } : { deleted: true };
    drawConflict(e);
  }

  function drawConflict(e) {
    var box = e.node.querySelector("[data-conflict]");
    if (!box) {
      box = document.createElement("div");
      box.className = "sticky-conflict alert alert-warning small p-2 mb-2";
      box.dataset.conflict = "";
      box.setAttribute("role", "alert");
      e.editor.after(box);
    }
    var c = e.conflict;
    var message = document.createElement("p");
    message.className = "mb-1";
    message.textContent = c.deleted ? text.textTakenOff : text.textChangedMeanwhile;
    var parts = [message];
    if (!c.deleted) {
      var quote = document.createElement("blockquote");
      quote.className = "sticky-theirs mb-1";
      quote.textContent = c.text;
      parts.push(quote);
    }
    [["keep", text.textKeepMine], ["take", c.deleted ? text.textDiscard : text.textTakeTheirs]].forEach(function (a) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm me-1 " + (a[0] === "keep" ? "btn-primary" : "btn-outline-secondary");
      b.dataset.resolve = a[0];
      b.textContent = a[1];
      b.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus
      b.addEventListener("click", function () { resolve(e, a[0]); });
      parts.push(b);
    });
    box.replaceChildren.apply(box, parts);
  }

  function resolve(e, choice) {
    if (editing !== e) { return; }
    var c = e.conflict;
    e.conflict = null;
    var box = e.node.querySelector("[data-conflict]");
    if (box) { box.remove(); }
    if (c.deleted) {
      if (choice === "keep") {  // it is gone: put the text on the board as a new note
        var value = e.editor.value;
        send("add_note", { text: value }, function () { if (editing === e) { closeEditor(); } });
      } else {
        closeEditor();
      }
      return;
    }
    e.base = c.text;
    if (choice === "take") { e.editor.value = c.text; }
    e.editor.focus();
    if (choice === "keep") { save(); }
  }

  function openEditor(id, card) {
    var note = state.notes.get(id);
    if (!note || editing) { return; }
    var body = card.querySelector(".sticky-text");
    var editor = document.createElement("textarea");
    editor.className = "form-control form-control-sm sticky-editor";
    editor.maxLength = 500;
    editor.value = note.text;
    editor.setAttribute("aria-label", text.textEdit);
    body.replaceWith(editor);
    var e = editing = { id: id, node: card, editor: editor, base: note.text, saving: false, conflict: null };
    editor.focus();
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); save(); }
      if (event.key === "Escape" && !e.conflict) { closeEditor(); }
    });
    editor.addEventListener("blur", function () { if (editing === e && !e.conflict) { save(); } });
  }

  function save() {
    var e = editing;
    if (!e || e.saving || e.conflict) { return; }
    if (e.editor.value.trim() === e.base) { closeEditor(); return; }
    e.saving = true;
    send("edit_note", { note: e.id, text: e.editor.value }, function () {
      if (editing === e) { closeEditor(); }
    }, function () { e.saving = false; });  // refused: the text stays in the editor
  }

  function closeEditor() {
    var e = editing;
    if (!e) { return; }
    editing = null;
    cards.delete(e.id);
    drawNotes();
  }

  // The composer's unsent text, kept per user and session on this computer.
  var draftKey = "u" + me + ":brainstorm:" + sessionId;  // static/js/drafts.js keeps it
  var composerInput = composer.querySelector("textarea");
  var draftBox = el("[data-draft]");
  var unsentReported = null;
  var draftRestored = false;  // the text was kept from before (a reload, an earlier phase)
  var drafts = window.CocreateDrafts || { load: function () { return ""; },
    keep: function () {}, forget: function () {} };

  function keepDraft() { drafts.keep(draftKey, composerInput.value.trim() ? composerInput.value : ""); }
  function forgetDraft() { drafts.forget(draftKey); }
  // Tell the server whether this composer holds unsent text (only when that changes).
  function reportUnsent(force) {
    var unsent = !!composerInput.value.trim();
    if (revision === null || ended || (!force && unsent === unsentReported)) { return; }
    unsentReported = unsent;
    socket.emit("unsent", { session: sessionId, unsent: unsent });
  }
  // The kept text: offered in the composer when ideating again, shown beside the board (and
  // still kept) while notes cannot be added.
  function drawDraft() {
    var unsent = composerInput.value.trim();
    var writing = state.phase === "ideate" || state.phase === "lobby";
    if (!unsent) { draftRestored = false; } else if (state.phase !== "ideate") { draftRestored = true; }
    draftBox.classList.toggle("d-none", !unsent || (writing && !(state.phase === "ideate" && draftRestored)));
    el("[data-draft-hint]").textContent = writing ? text.textDraftReady : text.textDraftKept;
    el("[data-draft-text]").textContent = unsent;
    el("[data-draft-text]").classList.toggle("d-none", writing);
  }
  (function restoreDraft() {
    var kept = drafts.load(draftKey);
    if (kept && !composerInput.value) { composerInput.value = kept; draftRestored = true; }
  }());
  composerInput.addEventListener("input", function () { keepDraft(); reportUnsent(false); drawDraft(); });
  el("[data-draft-discard]").addEventListener("click", function () {
    composerInput.value = "";
    forgetDraft();
    reportUnsent(false);
    drawDraft();
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
    if (!value || state.phase !== "ideate") { input.focus(); return; }
    send("add_note", { text: value }, function () {
      if (input.value.trim() === value) { input.value = ""; }  // not what was typed since
      draftRestored = false;
      keepDraft();
      reportUnsent(false);
      drawDraft();
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
      confirmThen(text.textConfirmDelete, text.textDelete, true, function () {
        send("delete_note", { note: id }, function (reply) { offerUndo(text.textNoteDeleted, reply.undo); });
      });
      return;
    }
    openEditor(id, card);
  });

  doneButton.addEventListener("click", function () {
    send("done", { done: !state.done }, function (reply) { state.done = reply.done; drawPresence(); });
  });

  el("[data-advance]").addEventListener("click", function () {
    var p = state.presence;
    var question = null;
    if (p.unsent) {
      question = (p.unsent === 1 ? text.confirmUnsentOne : text.confirmUnsentOther).replace("__N__", p.unsent);
    } else if (state.phase !== "lobby" && p.done < p.count) {
      question = text.confirmAdvance;
    }
    var early = !state.paused && state.endsAt && state.endsAt > Date.now() + state.skew;
    if (state.paused || early) { question = question ? text.textConfirmEarly + " " + question : text.textConfirmEarly; }
    var advance = function () {
      send("advance", { from: state.phase }, function (reply) {
        if (reply.undo) { offerUndo(text.textPhaseEnded, reply.undo); }
      });
    };
    if (!question) { advance(); return; }
    confirmThen(question, state.paused || early ? text.textEndPhase : text.textMoveOn, false, advance);
  });
  el("[data-pause]").addEventListener("click", function () { send(state.paused ? "resume" : "pause"); });
  board.querySelectorAll("[data-extend]").forEach(function (b) {
    b.addEventListener("click", function () { send("extend", { minutes: parseInt(b.dataset.extend, 10) }); });
  });

  /* The facilitator's room: the lobby (who is here, waiting for the facilitator, the link to
     share, the scheduled start in the viewer's time zone), no "I'm done" in the lobby or once
     closed, the facilitator dropping out (a moderator may take over), the hard timer closing
     the composer and the dots when time is up (the server refuses them too; its clock is the
     authority: the countdown runs against it), the settings everyone goes by, and renaming a
     cluster in place. */
  state.hardTimer = true;
  state.mayTakeOver = false;
  var renaming = null;      // { id, input }: the cluster whose name is being edited in place
  var clockClosed = null;

  // The phase takes nothing more: its hard timer ran out (and the clock is not paused).
  function closedByClock() {
    if (!state.hardTimer || state.paused || !state.endsAt) { return false; }
    if (state.phase !== "ideate" && state.phase !== "vote") { return false; }
    return state.endsAt - (Date.now() + state.skew) <= 0;
  }

  function watchClock() {
    var closed = closedByClock();
    if (closed === clockClosed || revision === null) { return; }
    clockClosed = closed;
    drawRoom();
    drawNotes();  // the dot buttons
  }

  function applySettings(m, initial) {
    state.hardTimer = m.timer_mode === "hard";
    state.facilitator = !!m.facilitator && m.facilitator.id === me;
    state.mayGroup = m.who_may_group === "everyone" || state.facilitator;
    state.dotsPerItem = m.dots_per_item;
    var promptNode = board.querySelector(".board-prompt");
    if (promptNode) { promptNode.textContent = m.prompt; }
    var by = board.querySelector("[data-facilitated-by]");
    if (by && m.facilitator && m.facilitator.name) {
      by.textContent = text.textFacilitatedBy.replace("__N__", m.facilitator.name);
    }
    if (!initial) { drawPhase(); drawNotes(); }
  }

  function drawRoom() {
    var lobby = state.phase === "lobby";
    var p = state.presence;
    el("[data-lobby]").classList.toggle("d-none", !lobby || revision === null);
    var noDone = lobby || state.phase === "closed";
    doneButton.classList.toggle("d-none", noDone);
    el("[data-done-tally]").classList.toggle("d-none", noDone);
    if (lobby) {
      el("[data-lobby-message]").textContent = state.facilitator ? text.textLobbyStart : text.textLobbyWaiting;
      el("[data-lobby-people]").textContent = p.people
        ? text.textHere.replace("__N__", listOf(p.people.map(function (x) { return x.id === me ? text.textYou : x.name; })))
        : text.textHereCount.replace("__N__", p.count);
    }
    var away = revision !== null && state.phase !== "closed" && p.facilitator_here === false && !state.facilitator;
    el("[data-facilitator-away]").classList.toggle("d-none", !away);
    var awayText = el("[data-away-text]");
    if (!awayText.dataset.textAway) { awayText.dataset.textAway = awayText.textContent; }
    awayText.textContent = lobby ? awayText.dataset.textLobby : awayText.dataset.textAway;
    el("[data-take-over]").classList.toggle("d-none", !(away && state.mayTakeOver));
    var closed = closedByClock();
    var notesHint = el("[data-time-up-hint]");
    notesHint.textContent = text.textTimeUpNotes;
    notesHint.classList.toggle("d-none", !(closed && state.phase === "ideate"));
    el("[data-add-note]").disabled = state.phase !== "ideate" || closed;
    var dotsHint = el("[data-vote-time-up]");
    dotsHint.textContent = text.textTimeUpDots;
    dotsHint.classList.toggle("d-none", !(closed && state.phase === "vote"));
  }

  el("[data-take-over]").addEventListener("click", function () { send("take_over"); });

  function renameInline(nameNode, cluster) {
    if (renaming && !renaming.input.isConnected) { renaming = null; }  // merged away meanwhile
    if (renaming) { renaming.input.focus(); return; }
    var input = document.createElement("input");
    input.className = "form-control form-control-sm cluster-rename";
    input.maxLength = clusterComposer.querySelector("input").maxLength;
    input.value = cluster.name;
    input.setAttribute("aria-label", text.textRenamePrompt);
    input.title = text.textRenameSave;
    nameNode.replaceWith(input);
    var r = renaming = { id: cluster.id, input: input };
    input.focus();
    input.select();
    function finish() {
      if (renaming !== r) { return; }
      renaming = null;
      var column = columns.get(cluster.id);
      if (column) { column.sig = null; }
      drawNotes();
    }
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); finish(); return; }
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var value = input.value.trim();
      if (!value || value === cluster.name) { finish(); return; }
      send("rename_cluster", { cluster: cluster.id, name: value }, finish);  // refused: stays open
    });
    input.addEventListener("blur", function () { if (input.value.trim() === cluster.name) { finish(); } });
  }
}());

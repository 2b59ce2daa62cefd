/* Drafts: what a person types in a long-text form survives reloads and navigation until it is
   posted or discarded (community/web/drafts.py says how the server names and forgets them).

   A form marked data-draft="<key>" (the key starts with the user's id) keeps its text fields in
   localStorage as they are typed, and gets them back on load where a field is empty or still
   shows what the server first put there. The page after a successful post, and the page after
   signing out, carry data-drafts-forget on <body>: the keys to remove ("*" for all of them). */
(function () {
  "use strict";
  var PREFIX = "cocreate:draft:";
  var MAX_DRAFTS = 30; // the oldest beyond these are dropped
  var MAX_CHARS = 250000; // one draft, with the text it started from (a post has up to 50,000)
  var MAX_AGE = 30 * 24 * 3600 * 1000; // a month
  var DELAY = 400; // ms after the last keystroke

  var store;
  try {
    store = window.localStorage;
    store.getItem(PREFIX); // Throws where storage is switched off.
  } catch (error) {
    return;
  }

  function draftKeys() {
    var keys = [];
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { keys.push(key); }
    }
    return keys;
  }

  function forget(key) { store.removeItem(key); }
  function forgetAll() { draftKeys().forEach(forget); }

  // What the server told this page to forget: a form posted, or signed out.
  (document.body.dataset.draftsForget || "").split(" ").forEach(function (marker) {
    if (marker === "*") { forgetAll(); } else if (marker) { forget(PREFIX + marker); }
  });

  // Anonymous visitors get no drafts (and forms for them carry no key).
  if (document.body.dataset.signedIn !== "1") { return; }

  function isStrings(object) {
    if (!object || typeof object !== "object") { return false; }
    return Object.keys(object).every(function (name) { return typeof object[name] === "string"; });
  }

  // A draft as stored, or null (and gone) when it is not one this script wrote.
  function read(key) {
    var draft = null;
    try { draft = JSON.parse(store.getItem(key)); } catch (error) { draft = null; }
    if (draft && typeof draft.at === "number" && isStrings(draft.fields) && isStrings(draft.base)) {
      return draft;
    }
    forget(key);
    return null;
  }

  // Old drafts go, then the oldest beyond MAX_DRAFTS (or beyond `keep`, to make room).
  function prune(keep) {
    var now = Date.now();
    var drafts = draftKeys().map(function (key) { return { key: key, draft: read(key) }; })
      .filter(function (entry) {
        if (entry.draft && now - entry.draft.at < MAX_AGE) { return true; }
        forget(entry.key);
        return false;
      })
      .sort(function (a, b) { return b.draft.at - a.draft.at; });
    drafts.slice(keep).forEach(function (entry) { forget(entry.key); });
  }

  function write(key, draft) {
    var text = JSON.stringify(draft);
    if (text.length > MAX_CHARS) { return false; }
    try {
      store.setItem(key, text);
    } catch (error) {
      // Full: keep only the newest few of the others, then try once more.
      forget(key);
      prune(3);
      try { store.setItem(key, text); } catch (again) { return false; }
    }
    return true;
  }

  prune(MAX_DRAFTS);

  // Signed out while the page is open: keep nothing more, and forget what was kept.
  var stopped = false;
  document.addEventListener("cocreate:signed-out", function () {
    stopped = true;
    forgetAll();
  });

  // The live board's note composer (brainstorm.js) keeps its unsent text in the same store,
  // under the same rules (per user, pruned, forgotten on sign-out): one field, "body".
  window.CocreateDrafts = {
    load: function (key) {
      var draft = read(PREFIX + key);
      return draft ? draft.fields.body || "" : "";
    },
    keep: function (key, text) {
      if (stopped) { return; }
      if (text) { write(PREFIX + key, { at: Date.now(), fields: { body: text }, base: {} }); }
      else { forget(PREFIX + key); }
    },
    forget: function (key) { forget(PREFIX + key); }
  };

  var TEXT_TYPES = ["text", "search", "url", "email"];

  function textFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && !field.disabled && (field.tagName === "TEXTAREA" ||
        (field.tagName === "INPUT" && TEXT_TYPES.indexOf(field.type) !== -1));
    });
  }

  function setUp(form) {
    var key = PREFIX + form.dataset.draft;
    var fields = textFields(form);
    var base = {}; // what the server put in each field
    fields.forEach(function (field) { base[field.name] = field.defaultValue; });
    var timer = null;

    // "Draft restored · Discard", at the top of the form.
    var status = document.createElement("div");
    status.className = "draft-status small text-body-secondary mb-2";
    status.setAttribute("role", "status");
    status.hidden = true;
    var icon = document.createElement("i");
    icon.className = "bi bi-journal-text me-1";
    icon.setAttribute("aria-hidden", "true");
    var label = document.createElement("span");
    var use = actionButton(form.dataset.draftUse);
    var discard = actionButton(form.dataset.draftDiscard);
    status.append(icon, label, use, discard);
    form.insertBefore(status, form.firstChild);

    function actionButton(text) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link btn-sm p-0 ms-2 align-baseline";
      button.textContent = text;
      return button;
    }

    function show(text, offerUse) {
      if (label.textContent !== text) { label.textContent = text; }
      use.hidden = !offerUse;
      status.hidden = false;
    }

    function current() {
      var values = {};
      fields.forEach(function (field) { values[field.name] = field.value; });
      return values;
    }

    function unchanged(values) {
      return fields.every(function (field) { return values[field.name] === base[field.name]; });
    }

    function fill(values) {
      fields.forEach(function (field) {
        if (Object.prototype.hasOwnProperty.call(values, field.name) && field.value !== values[field.name]) {
          field.value = values[field.name];
          // Let the page's own helpers (similar ideas, suggested articles) see the text.
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    }

    function save() {
      clearTimeout(timer);
      timer = null;
      if (stopped) { return; }
      var values = current();
      if (unchanged(values)) {
        forget(key);
        status.hidden = true;
        return;
      }
      if (write(key, { at: Date.now(), base: base, fields: values })) {
        show(form.dataset.draftSaved, false);
      }
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    }

    // Back from the store: a field is filled where it is empty or shows what it showed when
    // the draft began; a field the server changed since (someone else's edit, a quote) is not
    // overwritten, and the person chooses.
    var draft = read(key);
    if (draft) {
      var restorable = {};
      var conflict = false;
      fields.forEach(function (field) {
        var value = draft.fields[field.name];
        if (typeof value !== "string" || value === field.value) { return; }
        var started = typeof draft.base[field.name] === "string" ? draft.base[field.name] : "";
        if (field.value === "" || field.value === started) {
          restorable[field.name] = value;
        } else {
          conflict = true;
        }
      });
      if (conflict) {
        show(form.dataset.draftOlder, true);
      } else if (Object.keys(restorable).length) {
        fill(restorable);
        clearTimeout(timer);
        timer = null;
        show(form.dataset.draftRestored, false);
      } else if (!unchanged(current())) {
        show(form.dataset.draftSaved, false);
      }
    }

    use.addEventListener("click", function () {
      var kept = read(key);
      if (kept) { fill(kept.fields); }
      save();
      show(form.dataset.draftRestored, false);
    });

    discard.addEventListener("click", function () {
      if (!window.confirm(form.dataset.draftConfirm)) { return; }
      clearTimeout(timer);
      timer = null;
      forget(key);
      fields.forEach(function (field) { field.value = base[field.name]; });
      status.hidden = true;
    });

    form.addEventListener("input", function (event) {
      if (event.isTrusted) { later(); }
    });
    form.addEventListener("change", later);
    // Kept at once when posting (a failed post keeps the latest text) and when leaving.
    form.addEventListener("submit", save);
    window.addEventListener("pagehide", function () { if (timer !== null) { save(); } });
  }

  document.querySelectorAll("form[data-draft]").forEach(setUp);
})();

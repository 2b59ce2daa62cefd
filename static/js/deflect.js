/* While a question's title is typed, show knowledge base articles and solved threads that may
   answer it (fetched after a pause in typing, as an HTML fragment rendered by the server), and
   keep the ids shown in the form's hidden field so a question posted anyway is recorded. The
   form works the same without this script. */
(function () {
  "use strict";
  var box = document.querySelector("[data-deflect-url]");
  if (!box) { return; }
  var title = document.getElementById(box.dataset.deflectFor);
  var kind = document.getElementById("kind");
  var shownField = document.getElementById("suggestions_shown");
  if (!title) { return; }
  var timer = null;
  var controller = null;
  var shown = (shownField && shownField.value) ? shownField.value.split(",") : [];

  function remember(refs) {
    refs.forEach(function (ref) {
      if (ref && shown.indexOf(ref) === -1 && shown.length < 10) { shown.push(ref); }
    });
    if (shownField) { shownField.value = shown.join(","); }
  }

  function load() {
    var q = title.value.trim();
    if (q.length < 3 || (kind && kind.value !== "question")) { box.innerHTML = ""; return; }
    if (controller) { controller.abort(); }
    controller = new AbortController();
    fetch(box.dataset.deflectUrl + "?q=" + encodeURIComponent(q), {
      headers: { "Accept": "text/html" },
      credentials: "same-origin",
      signal: controller.signal
    }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      box.innerHTML = html; /* server-rendered and escaped */
      var list = box.querySelector("[data-shown]");
      if (list) { remember(list.dataset.shown.split(",")); }
    }).catch(function () { /* superseded or offline */ });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  });
  if (kind) { kind.addEventListener("change", load); }
  if (title.value.trim()) { load(); }
})();

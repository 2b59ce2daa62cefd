/* As-you-type suggestions for search boxes marked data-suggest: titles the visitor may read,
   fetched on each pause in typing. Results are inserted as text, never as HTML. */
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var menu = document.getElementById(input.getAttribute("aria-controls"));
    if (!menu) { return; }
    var timer = null;
    var controller = null;

    function close() {
      menu.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
    }

    function render(results) {
      menu.textContent = "";
      results.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.className = "dropdown-item suggest-item";
        a.href = item.url;
        a.setAttribute("role", "option");
        var title = document.createElement("span");
        title.className = "suggest-title";
        title.textContent = item.title;
        var meta = document.createElement("small");
        meta.className = "text-body-secondary d-block";
        meta.textContent = item.space;
        a.appendChild(title);
        a.appendChild(meta);
        li.appendChild(a);
        menu.appendChild(li);
      });
      var open = results.length > 0;
      menu.classList.toggle("show", open);
      input.setAttribute("aria-expanded", open ? "true" : "false");
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
        signal: controller.signal
      }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      }).then(function (data) {
        render(data.results || []);
      }).catch(function () { /* superseded or offline */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && menu.classList.contains("show")) {
        event.preventDefault();
        var first = menu.querySelector("a");
        if (first) { first.focus(); }
      } else if (event.key === "Escape") {
        close();
      }
    });
    menu.addEventListener("keydown", function (event) {
      var items = Array.from(menu.querySelectorAll("a"));
      var index = items.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && index < items.length - 1) { event.preventDefault(); items[index + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? items[index - 1] : input).focus(); }
      if (event.key === "Escape") { close(); input.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!input.form.contains(event.target)) { close(); }
    });
  });
})();

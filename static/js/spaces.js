/* Search-as-you-filter for lists: forms marked data-live-filter refresh their results as
   people type, without a page load; without JavaScript the form submits normally. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-live-filter]").forEach(function (form) {
    var target = document.querySelector(form.dataset.liveFilter);
    if (!target) { return; }
    var timer = null;
    var controller = null;

    function currentQuery() {
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (key) {
        if (!params.get(key)) { params.delete(key); }
      });
      return params;
    }

    function refresh() {
      var params = currentQuery();
      var query = params.toString();
      history.replaceState(null, "", form.action.split("?")[0] + (query ? "?" + query : ""));
      params.set("partial", "1");
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch(form.action.split("?")[0] + "?" + params.toString(), {
        headers: { "Accept": "text/html" },
        signal: controller.signal,
        credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      }).then(function (html) {
        target.innerHTML = html;
        target.dataset.loaded = query;
      }).catch(function () { /* a newer request replaced this one, or offline: keep the list */ });
    }

    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 200);
    });
    form.addEventListener("change", function () {
      clearTimeout(timer);
      refresh();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      refresh();
    });
    // Someone who typed before this script ran (a slow page load) still gets their results.
    var shown = new URLSearchParams(location.search);
    Array.from(shown.keys()).forEach(function (key) {
      if (key === "page" || !shown.get(key)) { shown.delete(key); }
    });
    if (currentQuery().toString() !== shown.toString()) { refresh(); }
  });
})();

// Prospector's own enhancements: keyboard shortcuts, sortable tables, and the CSRF header for
// scripted requests. Every page works without this file.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  window.prospector = {
    csrf: csrf ? csrf.content : "",
    fetch: function (url, options) {
      options = options || {};
      options.headers = Object.assign({ "X-CSRF-Token": window.prospector.csrf }, options.headers || {});
      options.credentials = "same-origin";
      return fetch(url, options);
    }
  };

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    if (e.metaKey || e.ctrlKey || e.altKey || typing(document.activeElement)) return;
    var dialog = document.getElementById("shortcuts");
    if (e.key === "?") { if (dialog && dialog.showModal) dialog.showModal(); e.preventDefault(); return; }
    if (e.key === "/") { var s = document.getElementById("global-search"); if (s) { s.focus(); e.preventDefault(); } return; }
    if (pendingG) {
      pendingG = false;
      var link = document.querySelector('.sidenav a[data-key="' + e.key + '"]');
      if (link) { window.location.href = link.href; e.preventDefault(); }
      return;
    }
    if (e.key === "g") { pendingG = true; setTimeout(function () { pendingG = false; }, 1200); }
  });

  // Click a column heading to sort a .sortable table in place.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, index) {
      th.setAttribute("aria-sort", "none");
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = (a.cells[index] || {}).textContent || "", y = (b.cells[index] || {}).textContent || "";
          var nx = parseFloat(x), ny = parseFloat(y);
          var cmp = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
          return asc ? cmp : -cmp;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  });
})();

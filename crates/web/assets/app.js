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

// records: instant search under the header box, j/k through list rows, one key to log a call.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // Instant results: a debounced fetch of the server-rendered fragment; Enter still submits.
  var box = document.getElementById("global-search");
  if (box && window.fetch) {
    var drop = document.createElement("div");
    drop.className = "search-dropdown";
    drop.id = "search-dropdown";
    drop.hidden = true;
    drop.setAttribute("aria-live", "polite");
    box.parentNode.appendChild(drop);
    box.setAttribute("aria-controls", drop.id);
    var timer = null, seq = 0;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var q = box.value.trim();
      if (q.length < 2) { drop.hidden = true; drop.innerHTML = ""; return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        window.prospector.fetch("/search?fragment=1&q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) {
            if (mine !== seq) return;
            drop.innerHTML = html;
            drop.hidden = !html;
          })
          .catch(function () { drop.hidden = true; });
      }, 200);
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { drop.hidden = true; box.blur(); }
      if (e.key === "ArrowDown") { var a = drop.querySelector("a"); if (a && !drop.hidden) { a.focus(); e.preventDefault(); } }
    });
    drop.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(drop.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i < links.length - 1) { links[i + 1].focus(); e.preventDefault(); }
      if (e.key === "ArrowUp") { (i > 0 ? links[i - 1] : box).focus(); e.preventDefault(); }
      if (e.key === "Escape") { drop.hidden = true; box.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (!drop.contains(e.target) && e.target !== box) drop.hidden = true;
    });
  }

  // j/k move through the rows of a list, x selects, Enter (or o) opens.
  var table = document.querySelector("table.rows");
  var current = -1;
  function rows() { return table ? Array.prototype.slice.call(table.tBodies[0].rows) : []; }
  function mark(i) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r, n) { r.classList.toggle("current", n === current); });
    all[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (e) {
    if (e.metaKey || e.ctrlKey || e.altKey || typing(document.activeElement)) return;
    if (table) {
      if (e.key === "j") { mark(current + 1); e.preventDefault(); return; }
      if (e.key === "k") { mark(current - 1); e.preventDefault(); return; }
      var row = rows()[current];
      if (row && (e.key === "Enter" || e.key === "o")) {
        var link = row.querySelector("a"); if (link) { window.location.href = link.href; e.preventDefault(); }
        return;
      }
      if (row && e.key === "x") {
        var box2 = row.querySelector("input[type=checkbox]"); if (box2) { box2.checked = !box2.checked; e.preventDefault(); }
        return;
      }
    }
    // On a person's page: c logs a call, n writes a note, s opens the status control.
    if (e.key === "c") { var d = document.getElementById("call-disposition"); if (d) { d.focus(); d.scrollIntoView({ block: "center" }); e.preventDefault(); } }
    if (e.key === "n") { var t = document.getElementById("note-text"); if (t) { t.focus(); e.preventDefault(); } }
    if (e.key === "s") {
      var s = document.getElementById("status-control");
      if (s) { s.open = true; var sel = document.getElementById("st-status"); if (sel) sel.focus(); e.preventDefault(); }
    }
  });

  // The reason list shows only the reasons of the chosen status (all of them without script).
  function linkReasons(statusId, reasonId) {
    var status = document.getElementById(statusId), reason = document.getElementById(reasonId);
    if (!status || !reason) return;
    function sync() {
      var any = false;
      Array.prototype.forEach.call(reason.querySelectorAll("optgroup"), function (g) {
        var on = g.getAttribute("data-status") === status.value;
        g.hidden = !on; g.disabled = !on; any = any || on;
      });
      reason.closest(".form-row").hidden = !any;
      if (!any) reason.value = "";
    }
    status.addEventListener("change", sync);
    sync();
  }
  linkReasons("st-status", "st-reason");

  // The status dialog shows the handbook section of the chosen reason when it has its own, else
  // the chosen status's (every section stays visible without script).
  (function () {
    var status = document.getElementById("st-status"), reason = document.getElementById("st-reason");
    var box = document.getElementById("status-guides");
    if (!status || !reason || !box) return;
    function sync() {
      var guides = box.querySelectorAll("details[data-status]");
      var own = null;
      Array.prototype.forEach.call(guides, function (g) {
        if (g.getAttribute("data-reason") && g.getAttribute("data-status") === status.value &&
            g.getAttribute("data-reason") === reason.value) own = g;
      });
      Array.prototype.forEach.call(guides, function (g) {
        var r = g.getAttribute("data-reason");
        g.hidden = own ? g !== own : (r !== null || g.getAttribute("data-status") !== status.value);
      });
    }
    status.addEventListener("change", sync);
    reason.addEventListener("change", sync);
    sync();
  })();
  linkReasons("b-status", "b-reason");
  linkReasons("op-stage", "op-reason");
})();

// Today: j/k move through the queue, l jumps to the call outcome, a digit logs that outcome,
// d marks a non-call step done, n skips to the next item. The server does the work; this only
// moves focus and submits the form for the chosen item.
(function () {
  var queue = document.getElementById("work-queue");
  if (!queue) return;
  var items = Array.prototype.slice.call(queue.querySelectorAll(".work-item"));
  var current = 0;
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function panel() {
    return document.querySelector('.call-panel[data-for="' + items[current].dataset.id + '"]');
  }
  function show(i) {
    if (!items.length) return;
    current = Math.max(0, Math.min(items.length - 1, i));
    items.forEach(function (el, n) { el.classList.toggle("current", n === current); });
    document.querySelectorAll(".call-panel").forEach(function (p) { p.hidden = p.dataset.for !== items[current].dataset.id; });
    items[current].scrollIntoView({ block: "nearest" });
  }
  items.forEach(function (el, n) { el.addEventListener("click", function (e) { if (e.target.tagName !== "A") show(n); }); });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    var p = panel();
    var more = document.getElementById("today-more");
    if (e.key === "n" && current === items.length - 1 && more) { more.click(); e.preventDefault(); }
    else if (e.key === "j" || e.key === "n") { show(current + 1); e.preventDefault(); }
    else if (e.key === "k") { show(current - 1); e.preventDefault(); }
    else if (e.key === "l" && p) {
      var first = p.querySelector(".dispositions button");
      if (first) { first.focus(); e.preventDefault(); }
    } else if (e.key === "d" && p) {
      var done = p.querySelector(".mark-done");
      if (done) { done.click(); e.preventDefault(); }
    } else if (/^[1-9]$/.test(e.key) && p) {
      var button = p.querySelector('.dispositions button[data-key="' + e.key + '"]');
      if (button) { button.click(); e.preventDefault(); }
    }
  });
})();

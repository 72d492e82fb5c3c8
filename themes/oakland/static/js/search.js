// Site search in the browser: fetches /search-index.json once and matches every word of
// the query against titles, headings, descriptions and text. No server, nothing sent away.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search_status");
  var list = document.getElementById("search_results");
  var index = null;
  var timer = 0;

  function load() {
    if (index) return Promise.resolve(index);
    return fetch(form.getAttribute("data-index"))
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (entries) {
        index = entries.map(function (e) {
          return { e: e, t: e.t.toLowerCase(), h: e.h.toLowerCase(), d: e.d.toLowerCase(), b: e.b.toLowerCase() };
        });
        return index;
      });
  }

  function terms(query) {
    return query.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  // Every word must appear somewhere; titles weigh most, then headings, descriptions, text.
  function search(query) {
    var words = terms(query);
    if (!words.length) return [];
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var x = index[i], score = 0, all = true;
      for (var k = 0; k < words.length; k++) {
        var w = words[k], s = 0;
        if (x.t.indexOf(w) >= 0) s += 10;
        if (x.h.indexOf(w) >= 0) s += 4;
        if (x.d.indexOf(w) >= 0) s += 3;
        if (x.b.indexOf(w) >= 0) s += 1;
        if (!s) { all = false; break; }
        score += s;
      }
      if (all) hits.push({ x: x, score: score });
    }
    hits.sort(function (a, b) { return b.score - a.score || a.x.e.t.localeCompare(b.x.e.t); });
    return hits.slice(0, 30);
  }

  // A window of text around the first match, cut at spaces.
  function snippet(x, words) {
    var source = x.e.b, lower = x.b, at = -1;
    for (var k = 0; k < words.length && at < 0; k++) at = lower.indexOf(words[k]);
    if (at < 0) return x.e.d || source.slice(0, 160);
    var start = Math.max(0, at - 70), end = Math.min(source.length, at + 110);
    if (start > 0) { var sp = source.indexOf(" ", start); if (sp > 0 && sp < at) start = sp + 1; }
    if (end < source.length) { var ep = source.lastIndexOf(" ", end); if (ep > at) end = ep; }
    return (start > 0 ? "… " : "") + source.slice(start, end) + (end < source.length ? " …" : "");
  }

  // Builds text with <mark> around matches from DOM nodes, never from HTML strings.
  function highlight(parent, text, words) {
    var lower = text.toLowerCase(), i = 0;
    while (i < text.length) {
      var next = -1, len = 0;
      for (var k = 0; k < words.length; k++) {
        var p = lower.indexOf(words[k], i);
        if (p >= 0 && (next < 0 || p < next)) { next = p; len = words[k].length; }
      }
      if (next < 0) { parent.appendChild(document.createTextNode(text.slice(i))); break; }
      if (next > i) parent.appendChild(document.createTextNode(text.slice(i, next)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next, next + len);
      parent.appendChild(mark);
      i = next + len;
    }
  }

  function show(query) {
    var words = terms(query);
    list.textContent = "";
    if (!words.length) { status.textContent = ""; return; }
    var hits = search(query);
    status.textContent = hits.length === 0
      ? "No pages match “" + query + "”."
      : hits.length + (hits.length === 1 ? " page matches" : " pages match") + " “" + query + "”.";
    hits.forEach(function (hit) {
      var e = hit.x.e;
      var li = document.createElement("li");
      li.className = "search-hit";
      var h = document.createElement("h2");
      h.className = "search-hit-title";
      var a = document.createElement("a");
      a.href = e.u;
      highlight(a, e.t, words);
      h.appendChild(a);
      li.appendChild(h);
      if (e.s) {
        var section = document.createElement("p");
        section.className = "search-hit-section";
        section.textContent = e.s;
        li.appendChild(section);
      }
      var p = document.createElement("p");
      p.className = "search-hit-snippet";
      highlight(p, snippet(hit.x, words), words);
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  function run() {
    var query = input.value.trim();
    var url = new URL(location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    // Enter right after typing runs this twice (the form, then the typing timer): the list
    // is made once, so a result someone has already tabbed to keeps the focus.
    load().then(function () { if (query !== shown) { shown = query; show(query); } }, function () {
      status.textContent = "The search index could not be loaded. Please try again later.";
    });
  }

  var shown = null;
  form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); run(); });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
  var initial = new URL(location.href).searchParams.get("q");
  if (initial) { input.value = initial; run(); }
})();

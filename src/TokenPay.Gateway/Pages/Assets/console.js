// The operator console's live updates: follows the gateway's event log (server-sent events) and, when
// something happens, fetches the page's live address (data-live-url: this page's GET address, also after a
// refused form post) and swaps its live regions, so lists and timelines stay current without a reload. Events
// also go to the page's event list, newest first. Nothing is fetched while nothing happens: the console's own
// requests are not events.
(function () {
  "use strict";
  var list = document.getElementById("events");
  var status = document.getElementById("live-status");
  var pending = null;
  var liveUrl = document.body.dataset.liveUrl || location.pathname + location.search;

  function refresh() {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      fetch(liveUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var next = new DOMParser().parseFromString(html, "text/html");
          // Only regions marked data-live are swapped: forms a person is typing in are never among them.
          document.querySelectorAll("[data-live]").forEach(function (region) {
            var fresh = next.getElementById(region.id);
            if (fresh) { region.innerHTML = fresh.innerHTML; }
          });
        })
        .catch(function () { /* the next event tries again */ });
    }, 250);
  }

  function show(entry) {
    if (!list) { return; }
    var item = document.createElement("li");
    var time = document.createElement("time");
    time.textContent = entry.at.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", "Z");
    var kind = document.createElement("b");
    kind.textContent = " " + entry.kind + " ";
    var text = document.createElement("span");
    text.textContent = entry.message;
    item.append(time, kind, text);
    list.prepend(item);
    while (list.children.length > 200) { list.lastChild.remove(); }
  }

  var source = new EventSource("/admin/events?after=" + (document.body.dataset.lastEvent || "0"));
  source.onopen = function () { if (status) { status.textContent = "live"; } };
  source.onerror = function () { if (status) { status.textContent = "reconnecting…"; } };
  source.onmessage = null;
  ["request", "notification.attempt", "fault.added", "fault.fired", "clock.moved", "notification.resent"].forEach(function (kind) {
    source.addEventListener(kind, function (e) {
      var entry = JSON.parse(e.data);
      if (kind !== "request") { show(entry); }
      refresh();
    });
  });
})();

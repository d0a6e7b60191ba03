// The map page's date slider: the chosen date is shown (and announced: aria-valuetext) while
// sliding; once the visitor pauses, the counts are fetched and the map frame reloads for that
// date — in the page's language, every IKM where it was (the server lays the map out once).
(function () {
  "use strict";
  var frame = document.getElementById("map-frame");
  if (!frame) { return; }
  // The map (vis-network and the map's data) loads once the page has painted: a phone shows
  // the page at once and the map a moment later, instead of everything together.
  function loadMap() {
    requestAnimationFrame(function () {
      setTimeout(function () { if (!frame.getAttribute("src")) { frame.src = frame.dataset.src; } }, 0);
    });
  }
  if (document.readyState === "complete") { loadMap(); } else { window.addEventListener("load", loadMap); }

  var slider = document.getElementById("date-slider");
  if (!slider) { return; }
  var PAUSE_MS = 450;  // a held arrow key or a drag sends one request, not one per day
  var start = new Date(slider.dataset.start + "T00:00:00Z");
  var lang = slider.dataset.lang;
  var locale = lang === "en" ? "en-GB" : "id-ID";
  var label = document.getElementById("slider-date");
  var asOf = document.getElementById("as-of");
  var full = document.getElementById("map-full");
  var counts = document.getElementById("map-counts");
  var numbers = new Intl.NumberFormat(locale);
  var dates = new Intl.DateTimeFormat(locale, {day: "numeric", month: "long", year: "numeric", timeZone: "UTC"});
  var wanted = 0;
  var timer = null;
  var shownIso = asOf.value;

  function chosenDate() {
    var day = new Date(start.getTime() + Number(slider.value) * 86400000);
    return day.toISOString().slice(0, 10);
  }

  function showDate() {
    var iso = chosenDate();
    var text = dates.format(new Date(iso + "T00:00:00Z"));
    label.textContent = text;
    slider.setAttribute("aria-valuetext", text);
    asOf.value = iso;
  }

  function query(iso) {
    var params = new URLSearchParams({skill: slider.dataset.skill, wilayah: slider.dataset.wilayah, as_of: iso,
                                      lang: lang});
    return params.toString();
  }

  function redraw() {
    timer = null;
    var iso = chosenDate();
    if (iso === shownIso) { return; }
    if (window.tularWilayah) { window.tularWilayah.show(iso); }  // the choropleth and timeline (wilayah.js)
    var asked = ++wanted;
    counts.setAttribute("aria-busy", "true");
    fetch("/peta/angka?" + query(iso), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (found) {
        if (asked !== wanted) { return; }  // a later date was chosen meanwhile
        ["nodes", "edges", "seeds", "reached", "total"].forEach(function (name) {
          counts.querySelector("[data-count='" + name + "']").textContent = numbers.format(found[name]);
        });
        counts.dataset.asOf = found.as_of;
        counts.removeAttribute("aria-busy");
        shownIso = iso;
        frame.src = "/peta/bingkai?" + query(iso);
        full.href = frame.src;
        var url = new URL(window.location.href);
        url.searchParams.set("as_of", iso);
        window.history.replaceState(null, "", url.toString());
      })
      .catch(function () { counts.removeAttribute("aria-busy"); });
  }

  function later() {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(redraw, PAUSE_MS);
  }

  // on a phone the map frame says how tall its document is: the frame grows to it, so that
  // the page scrolls, not a frame inside it (0: keep the stylesheet's height)
  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || !event.data || typeof event.data.tularMapHeight !== "number") {
      return;
    }
    var height = Math.min(Math.max(event.data.tularMapHeight, 0), 6000);
    frame.style.height = height > 0 ? height + "px" : "";
  });

  slider.addEventListener("input", function () { showDate(); later(); });
  slider.addEventListener("change", function () { showDate(); later(); });
})();

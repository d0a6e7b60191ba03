// The map page's date slider: the chosen date is shown while sliding; on release the
// counts are fetched and the map frame reloads for that date.
(function () {
  "use strict";
  var slider = document.getElementById("date-slider");
  if (!slider) { return; }
  var start = new Date(slider.dataset.start + "T00:00:00Z");
  var locale = slider.dataset.lang === "en" ? "en-GB" : "id-ID";
  var label = document.getElementById("slider-date");
  var asOf = document.getElementById("as-of");
  var frame = document.getElementById("map-frame");
  var full = document.getElementById("map-full");
  var counts = document.getElementById("map-counts");
  var numbers = new Intl.NumberFormat(locale);
  var wanted = 0;

  function chosenDate() {
    var day = new Date(start.getTime() + Number(slider.value) * 86400000);
    return day.toISOString().slice(0, 10);
  }

  function showDate() {
    var iso = chosenDate();
    label.textContent = new Date(iso + "T00:00:00Z").toLocaleDateString(locale, {
      day: "numeric", month: "long", year: "numeric", timeZone: "UTC"
    });
    asOf.value = iso;
  }

  function query(iso) {
    var params = new URLSearchParams({skill: slider.dataset.skill, wilayah: slider.dataset.wilayah, as_of: iso});
    return params.toString();
  }

  function redraw() {
    var iso = chosenDate();
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
        frame.src = "/peta/bingkai?" + query(iso);
        full.href = frame.src;
        var url = new URL(window.location.href);
        url.searchParams.set("as_of", iso);
        window.history.replaceState(null, "", url.toString());
      })
      .catch(function () { counts.removeAttribute("aria-busy"); });
  }

  slider.addEventListener("input", showDate);
  slider.addEventListener("change", function () {
    showDate(); redraw();
    if (window.tularWilayah) { window.tularWilayah.show(chosenDate()); }  // the choropleth and timeline (wilayah.js)
  });
})();

// The choropleth of the kelurahan and the timeline (visualizations/choropleth.py, timeline.py):
// the server draws them; this recolours the kelurahan when the measure or the date changes and
// shows the numbers of a kelurahan (or an IKM of a timeline) that is tapped or hovered.
// window.tularWilayah.show("2021-12-31") moves every choropleth and timeline of the page to a date
// (the map page's slider calls it). Works from disk too: the standalone file inlines it.
(function () {
  "use strict";

  function classOf(value, breaks) {
    if (value === null || value === undefined) { return -2; }
    if (value <= 0) { return -1; }
    var found = 0;
    for (var i = 0; i < breaks.length; i++) { if (value >= breaks[i]) { found = i + 1; } }
    return found;
  }

  function colour(spec, value) {
    var found = classOf(value, spec.breaks);
    return found === -2 ? spec.none : found === -1 ? spec.zero : spec.colours[found];
  }

  function Choropleth(figure) {
    var self = this;
    this.figure = figure;
    this.data = JSON.parse(figure.querySelector("script.wilayah-data").textContent);
    this.measure = figure.dataset.measure;
    this.frame = this.data.frames.filter(function (f) { return f.as_of === figure.dataset.asOf; })[0] ||
      this.data.frames[this.data.frames.length - 1];
    this.paths = Array.prototype.slice.call(figure.querySelectorAll("path[data-code]"));
    this.info = figure.querySelector(".wilayah-info");
    this.chosen = -1;
    this.asked = 0;
    Array.prototype.forEach.call(figure.querySelectorAll(".wilayah-measures button"), function (button) {
      button.addEventListener("click", function () { self.setMeasure(button.dataset.measure); });
    });
    var range = figure.querySelector(".wilayah-dates input");
    if (range) {
      range.addEventListener("input", function () { self.apply(self.data.frames[Number(range.value)]); });
    }
    this.paths.forEach(function (path, index) {
      path.addEventListener("click", function () { self.choose(index); });
      path.addEventListener("focus", function () { self.choose(index); });
      path.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); self.choose(index); }
      });
    });
    figure.dataset.ready = "1";
  }

  Choropleth.prototype.recolour = function () {
    var spec = this.data.measures[this.measure];
    var values = this.frame.values[this.measure];
    var tips = this.frame.tips;
    this.paths.forEach(function (path, index) {
      path.setAttribute("fill", colour(spec, values[index]));
      path.querySelector("title").textContent = tips[index];
    });
    this.figure.dataset.asOf = this.frame.as_of;
    var label = this.figure.querySelector(".wilayah-date");
    if (label) { label.textContent = this.frame.label; }
    var output = this.figure.querySelector(".wilayah-dates output");
    if (output) { output.textContent = this.frame.label; }
    if (this.chosen >= 0) { this.choose(this.chosen); }
  };

  Choropleth.prototype.setMeasure = function (measure) {
    this.measure = measure;
    this.figure.dataset.measure = measure;
    Array.prototype.forEach.call(this.figure.querySelectorAll(".wilayah-measures button"), function (button) {
      button.setAttribute("aria-pressed", button.dataset.measure === measure ? "true" : "false");
    });
    Array.prototype.forEach.call(this.figure.querySelectorAll(".wilayah-legend"), function (legend) {
      legend.hidden = legend.dataset.measure !== measure;
    });
    this.recolour();
  };

  Choropleth.prototype.apply = function (frame) {
    this.frame = frame;
    this.recolour();
  };

  Choropleth.prototype.choose = function (index) {
    this.paths.forEach(function (path, i) { path.classList.toggle("chosen", i === index); });
    // its outline drawn on top of its neighbours (the paths keep their order, and so the keyboard's)
    var outline = this.figure.querySelector("path.outline");
    if (!outline) {
      outline = document.createElementNS("http://www.w3.org/2000/svg", "path");
      outline.setAttribute("class", "outline");
      outline.setAttribute("fill", "none");
      outline.setAttribute("stroke", "#26323a");
      outline.setAttribute("stroke-width", "2.5");
      outline.setAttribute("pointer-events", "none");
      this.figure.querySelector("svg").appendChild(outline);
    }
    outline.setAttribute("d", this.paths[index].getAttribute("d"));
    this.chosen = index;
    if (!this.info) { return; }
    this.info.textContent = this.frame.tips[index];
    if (this.data.link) {
      var link = document.createElement("a");
      link.href = this.data.link.replace("{kelurahan}", encodeURIComponent(this.data.names[index]))
        .replace("{as_of}", this.frame.as_of);
      link.textContent = this.data.link_text;
      this.info.appendChild(document.createTextNode("\n"));
      this.info.appendChild(link);
    }
  };

  Choropleth.prototype.show = function (iso) {
    var self = this;
    var known = this.data.frames.filter(function (f) { return f.as_of === iso; })[0];
    var range = this.figure.querySelector(".wilayah-dates input");
    if (known) {
      if (range) { range.value = String(this.data.frames.indexOf(known)); }
      this.apply(known);
      return;
    }
    if (!this.data.frame_url) { return; }
    var asked = ++this.asked;
    this.figure.setAttribute("aria-busy", "true");
    fetch(this.data.frame_url + "&as_of=" + encodeURIComponent(iso),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (frame) {
        if (asked !== self.asked) { return; }  // a later date was chosen meanwhile
        self.data.frames.push(frame);
        self.figure.removeAttribute("aria-busy");
        self.apply(frame);
      })
      .catch(function () { self.figure.removeAttribute("aria-busy"); });
  };

  function Timeline(figure) {
    var info = figure.querySelector(".linimasa-info");
    this.figure = figure;
    Array.prototype.forEach.call(figure.querySelectorAll("circle[data-ikm]"), function (dot) {
      function choose() {
        Array.prototype.forEach.call(figure.querySelectorAll("circle.chosen"), function (c) { c.classList.remove("chosen"); });
        dot.classList.add("chosen");
        if (!info) { return; }
        info.textContent = dot.querySelector("title").textContent + " ";
        if (dot.dataset.href) {
          var link = document.createElement("a");
          link.href = dot.dataset.href;
          link.textContent = figure.dataset.linkText;
          info.appendChild(link);
        }
      }
      dot.addEventListener("click", choose);
      dot.addEventListener("focus", choose);
    });
    figure.dataset.ready = "1";
  }

  Timeline.prototype.show = function (iso) {
    // an IKM (and the teaching to it) that learned after the date is hidden
    Array.prototype.forEach.call(this.figure.querySelectorAll("[data-day]"), function (item) {
      item.classList.toggle("later", item.dataset.day > iso);
    });
    this.figure.dataset.asOf = iso;
  };

  var maps = [], timelines = [];

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.wilayah[data-interactive]"), function (f) {
      if (!f.dataset.ready) { maps.push(new Choropleth(f)); }
    });
    Array.prototype.forEach.call(document.querySelectorAll("figure.linimasa"), function (f) {
      if (!f.dataset.ready) { timelines.push(new Timeline(f)); }
    });
  }

  window.tularWilayah = {
    show: function (iso) {
      maps.forEach(function (m) { m.show(iso); });
      timelines.forEach(function (t) { t.show(iso); });
    },
    start: start
  };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

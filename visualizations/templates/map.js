// The propagation map's script (visualizations/propagation_map.py): builds vis-network's nodes,
// edges and tooltips from the slim data of #map-data, and runs the search, filters, layouts,
// clusters and the broken-chain highlight. Every text comes from the data's "texts" (the
// catalogue, in the map's language).
(function () {
  "use strict";
  // performance marks: how long a large map takes to open (docs/benchmarks.md)
  performance.mark("tular-start");
  var PAGE = JSON.parse(document.getElementById("map-data").textContent);
  var T = PAGE.texts;
  var locale = PAGE.lang === "en" ? "en-GB" : "id-ID";
  var numbers = new Intl.NumberFormat(locale);
  var dates = new Intl.DateTimeFormat(locale, {day: "numeric", month: "long", year: "numeric", timeZone: "UTC"});
  var COLOURS = PAGE.colours;
  var order = PAGE.ids;
  var count = order.length;

  function fmt(n) { return numbers.format(n); }
  function day(iso) { return dates.format(new Date(iso + "T00:00:00Z")); }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  }
  function text(key, values) { return fill(T[key], values || {}); }

  // ------------------------------------------------------------------ the nodes
  var kelurahanOf = {}, indexOf = {}, labelOf = {};
  var marksOf = [];
  for (var m = 0; m < PAGE.marks.length; m += 3) {
    (marksOf[PAGE.marks[m]] = marksOf[PAGE.marks[m]] || []).push([PAGE.findings[PAGE.marks[m + 1]], PAGE.marks[m + 2]]);
  }
  function kelurahanAt(i) { return PAGE.kelurahan[PAGE.kel[i]]; }
  function who(ref) {
    if (ref < 0) {
      var other = PAGE.others[-1 - ref];
      return PAGE.named ? other[1] + " (" + other[0] + ")" : T["map.someone"];
    }
    return PAGE.named ? labelOf[order[ref]] + " (" + order[ref] + ")" : labelOf[order[ref]];
  }
  function darker(colour) {
    var c = [1, 3, 5].map(function (k) { return Math.round(parseInt(colour.slice(k, k + 2), 16) * 0.62); });
    return "#" + c.map(function (v) { return (v < 16 ? "0" : "") + v.toString(16); }).join("");
  }
  function fillOf(i) {
    if (PAGE.flags[i] & 2) { return "#ffffff"; }
    var gen = PAGE.gen[i];
    if (gen === null) { return COLOURS.orphan; }
    return COLOURS.generations[Math.min(gen, COLOURS.generations.length - 1)];
  }
  function tooltip(i) {
    var id = order[i], gen = PAGE.gen[i], seed = PAGE.flags[i] & 1, kel = kelurahanAt(i);
    var lines = [PAGE.named ? labelOf[id] + " (" + id + ")" : labelOf[id],
                 text("map.tip_place", {kelurahan: kel.name, kecamatan: kel.kecamatan})];
    if (gen === null) { lines.push(T["map.tip_orphan"]); }
    else if (seed) { lines.push(text("map.tip_seed", {generation: fmt(gen)})); }
    else { lines.push(text("map.tip_generation", {generation: fmt(gen)})); }
    if (seed && PAGE.learned[i]) {
      var training = PAGE.training[i];
      lines.push(text("map.tip_training", {training: training === null ? "–" : PAGE.trainings[training],
                                           date: day(PAGE.learned[i])}));
    }
    var taught = PAGE.teachers[i];
    for (var k = 0; k < taught.length; k += 2) {
      lines.push(text(k === 0 ? "map.tip_learned_from" : "map.tip_also", {who: who(taught[k]), date: day(taught[k + 1])}));
    }
    lines.push(text("map.tip_learners", {learners: fmt(PAGE.learners[i]), reach: fmt(PAGE.reach[i])}));
    (marksOf[i] || []).forEach(function (mark) {
      lines.push("⚠ " + T["map.finding_" + mark[0]] +
                 (mark[1] === null ? "" : " (" + text("map.tip_days", {days: fmt(mark[1])}) + ")"));
    });
    if (PAGE.flags[i] & 2) { lines.push(T["map.tip_outside"]); }
    return lines.join("\n");
  }

  var highlight = {};
  PAGE.highlighted.forEach(function (kind) { highlight[kind] = true; });
  // dead seeds and stalled lineages are where a programme lost its chain: thicker than the
  // (many) dormant learners, which are where a field officer might still help
  var BROKEN_WIDTH = {dead_seed: 4, stalled_lineage: 3, dormant_leaf: 2};
  function border(i) {
    var fillColour = fillOf(i), seed = PAGE.flags[i] & 1;
    if (PAGE.gen[i] === null) { return {colour: "#555555", width: 2}; }
    var width = 0;
    (marksOf[i] || []).forEach(function (mark) {
      if (highlight[mark[0]]) { width = Math.max(width, BROKEN_WIDTH[mark[0]] || 0); }
    });
    if (width) { return {colour: COLOURS.broken, width: width}; }
    return {colour: PAGE.flags[i] & 2 ? "#555555" : darker(fillColour), width: seed ? 2 : 1};
  }
  function visNode(i, x, y) {
    var id = order[i], seed = PAGE.flags[i] & 1, outside = PAGE.flags[i] & 2, line = border(i);
    var node = {
      id: id, label: PAGE.named ? labelOf[id] : "", title: tooltip(i), x: x, y: y,
      shape: seed ? "star" : "dot", size: PAGE.size[i],
      color: {background: fillOf(i), border: line.colour}, borderWidth: line.width, borderWidthSelected: 6,
      font: seed ? {size: 24, strokeWidth: 4, strokeColor: "#ffffff"} : {size: 18},
      kel: kelurahanAt(i).code, gen: PAGE.gen[i], seed: Boolean(seed)
    };
    if (PAGE.gen[i] === null) { node.shapeProperties = {borderDashes: [5, 4]}; }
    if (outside) { node.opacity = 0.55; node.shapeProperties = {borderDashes: [2, 3]}; }
    return node;
  }

  var currentLayout = PAGE.start_layout;
  var positionOf = {};
  function setPositions(name) {
    var pos = PAGE.layouts[name];
    positionOf = {};
    for (var i = 0; i < count; i++) { positionOf[order[i]] = {x: pos[2 * i], y: pos[2 * i + 1]}; }
  }
  setPositions(currentLayout);
  var list = [];
  for (var i = 0; i < count; i++) {
    kelurahanOf[order[i]] = kelurahanAt(i).code;
    indexOf[order[i]] = i;
    labelOf[order[i]] = PAGE.names[i];
  }
  for (i = 0; i < count; i++) { list.push(visNode(i, positionOf[order[i]].x, positionOf[order[i]].y)); }
  var edgeList = [];
  for (var e = 0; e < PAGE.edges.length; e += 2) {
    edgeList.push({id: "e" + e / 2, from: order[PAGE.edges[e]], to: order[PAGE.edges[e + 1]]});
  }
  var nodes = new vis.DataSet(list);
  var edges = new vis.DataSet(edgeList);
  var container = document.getElementById("network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, {
    autoResize: true,
    physics: {enabled: false},  // positions come from the layout; nothing moves by itself
    layout: {improvedLayout: false},
    nodes: {font: {face: "system-ui, sans-serif", color: "#1a1a1a"}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.55}}, smooth: false, width: 1, selectionWidth: 2,
            color: {color: COLOURS.edge, highlight: "#111111", hover: "#111111", inherit: false}},
    interaction: {hover: true, tooltipDelay: 120, hideEdgesOnDrag: PAGE.hide_edges, hideEdgesOnZoom: PAGE.hide_edges,
                  multiselect: false, navigationButtons: false, keyboard: false}
  });
  performance.mark("tular-network");

  var status = document.getElementById("status");
  function clusterId(code) { return "kel:" + code; }
  function isCluster(id) { var n = network.body.nodes[id]; return n !== undefined && n.isCluster === true; }
  function closedClusters() {
    return PAGE.kelurahan.map(function (k) { return clusterId(k.code); })
      .filter(function (id) { return isCluster(id); });
  }

  var release = { releaseFunction: function (clusterPosition, contained) {
    var out = {};
    Object.keys(contained).forEach(function (id) { out[id] = positionOf[id] || clusterPosition; });
    return out;
  } };

  function openCluster(id, refresh) { network.openCluster(id, release, refresh !== false); }
  function openAll() {
    var ids = closedClusters();
    ids.forEach(function (id, i) { openCluster(id, i === ids.length - 1); });
  }
  function clusterByKelurahan() {
    if (currentLayout !== "kelurahan") { applyLayout("kelurahan", true); }
    openAll();
    var chosen = document.getElementById("filter-kelurahan").value;
    var todo = PAGE.kelurahan.filter(function (k) { return k.code !== chosen; });
    var members = {};
    order.forEach(function (id) { (members[kelurahanOf[id]] = members[kelurahanOf[id]] || []).push(id); });
    var clustering = network.clustering;
    // vis-network's cluster() looks at every node once per cluster (57 × 13,000 for the whole
    // city); its own _cluster() takes the members we already know. Public API if it is gone.
    var direct = typeof clustering._cluster === "function" && typeof clustering._checkOptions === "function";
    todo.forEach(function (k, i) {
      var options = {
        joinCondition: function (options) { return kelurahanOf[options.id] === k.code; },
        clusterNodeProperties: {
          id: clusterId(k.code), x: k.x, y: k.y, shape: "dot", size: k.cluster_size,
          label: k.name + "\n" + text("map.cluster_label", {count: fmt(k.count)}), borderWidth: 3,
          color: {background: "#eeeeee", border: "#444444", highlight: {background: "#dddddd", border: "#000000"}},
          font: {size: k.label_size, strokeWidth: k.label_size / 6, strokeColor: "#ffffff"},
          title: text("map.cluster_title", {kelurahan: k.name, kecamatan: k.kecamatan, count: fmt(k.count),
                                            seeds: fmt(k.seeds)}),
          hidden: chosen !== "" && chosen !== k.code
        },
        clusterEdgeProperties: {color: {color: "rgba(80,80,80,0.08)"}, arrows: {to: {enabled: false}}}
      };
      var last = i === todo.length - 1;
      if (!direct) { network.cluster(options, last); return; }
      var childNodes = {}, childEdges = {};
      (members[k.code] || []).forEach(function (id) {
        var node = network.body.nodes[id];
        childNodes[id] = node;
        node.edges.forEach(function (edge) {
          if (clustering.clusteredEdges[edge.id] === undefined) { childEdges[edge.id] = edge; }
        });
      });
      clustering._cluster(childNodes, childEdges, clustering._checkOptions(options), last);
    });
    report();
  }

  function applyLayout(name, keepClusters) {
    if (!keepClusters && closedClusters().length && name !== "kelurahan") { openAll(); }
    currentLayout = name;
    document.getElementById("layout").value = name;
    setPositions(name);
    nodes.update(order.map(function (id) { return {id: id, x: positionOf[id].x, y: positionOf[id].y}; }));
    fitVisible();
  }

  function isShown(n, kel, gen) {
    if (kel !== "" && n.kel !== kel) { return false; }
    if (gen === "") { return true; }
    return gen === "none" ? n.gen === null : n.gen === Number(gen);
  }
  function visibleIds() {
    return nodes.getIds({filter: function (n) { return !n.hidden; }});
  }
  function fitVisible() {
    var ids = visibleIds().map(function (id) {
      var cluster = clusterId(kelurahanOf[id]);
      return isCluster(cluster) ? cluster : id;  // a node inside a closed cluster is seen as the cluster
    });
    var unique = Array.from(new Set(ids));
    if (unique.length && ids.length < count) {
      network.fit({nodes: unique, animation: false});
      network.moveTo({scale: network.getScale() * 0.85, animation: false});  // room for the disc's name
      return;
    }
    // the whole layout, its drawn labels included (fit() knows only the nodes); on the web
    // page's slider that of the latest date, so that earlier dates are seen in the same frame
    var x = PAGE.extents[currentLayout];
    var scale = 0.97 * Math.min(container.clientWidth / (x[2] - x[0]), container.clientHeight / (x[3] - x[1]));
    network.moveTo({position: {x: (x[0] + x[2]) / 2, y: (x[1] + x[3]) / 2}, scale: scale, animation: false});
  }
  function applyFilters() {
    var kel = document.getElementById("filter-kelurahan").value;
    var gen = document.getElementById("filter-generation").value;
    if (kel !== "" && isCluster(clusterId(kel))) { openCluster(clusterId(kel)); }
    var changes = [];
    nodes.forEach(function (n) {
      var hidden = !isShown(n, kel, gen);
      if (Boolean(n.hidden) !== hidden) { changes.push({id: n.id, hidden: hidden}); }
    });
    nodes.update(changes);
    // updateClusteredNode() recomputes the whole network each time: set all but the last directly
    var clusters = closedClusters();
    clusters.forEach(function (id, i) {
      var options = {hidden: kel !== "" && id !== clusterId(kel)};
      if (i === clusters.length - 1) { network.clustering.updateClusteredNode(id, options); }
      else { network.body.nodes[id].setOptions(options); }
    });
    fitVisible();
    report();
  }

  function report() {
    var clusters = closedClusters().length;
    status.textContent = text("map.status_shown", {shown: fmt(visibleIds().length), total: fmt(count)}) +
      (clusters ? " · " + text("map.status_clusters", {count: fmt(clusters)}) : "");
  }

  var details = document.getElementById("details");
  function showDetails(id) {
    if (isCluster(id)) {
      details.textContent = network.body.nodes[id].options.title;
      return;
    }
    var i = indexOf[id];
    if (i === undefined) { return; }
    var learners = edges.get({filter: function (e) { return e.from === id; }})
      .map(function (e) { return labelOf[e.to] === undefined ? e.to : labelOf[e.to]; });
    var shown = nodes.get(id).title;
    if (learners.length) {
      shown += "\n" + text("map.learners_list", {names: learners.slice(0, 12).join(", ")}) +
               (learners.length > 12 ? " … (+" + fmt(learners.length - 12) + ")" : "");
    }
    details.textContent = shown;
  }

  function highlightChanged() {
    highlight.dead_seed = highlight.stalled_lineage = document.getElementById("highlight-failed").checked;
    highlight.dormant_leaf = document.getElementById("highlight-dormant").checked;
    var changes = [];
    nodes.forEach(function (n) {
      var i = indexOf[n.id];
      if (!marksOf[i]) { return; }
      var line = border(i);
      if (line.colour !== n.color.border || line.width !== n.borderWidth) {
        changes.push({id: n.id, borderWidth: line.width, color: {background: n.color.background, border: line.colour}});
      }
    });
    nodes.update(changes);
  }

  // ------------------------------------------------------------------ search, from the keyboard too
  function normal(value) {
    return String(value).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  var matches = document.getElementById("matches");
  var searchBox = document.getElementById("search");
  function hideMatches() {
    matches.style.display = "none";
    matches.textContent = "";
  }
  function selectIkm(id) {
    var hadFocus = matches.contains(document.activeElement);
    hideMatches();
    var n = nodes.get(id);
    if (!n) { return; }
    if (n.hidden) {
      document.getElementById("filter-kelurahan").value = "";
      document.getElementById("filter-generation").value = "";
      applyFilters();
    }
    var path = network.clustering.findNode(id);
    if (path.length > 1) { openCluster(path[0]); }
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 0.9), animation: {duration: 400}});
    showDetails(id);
    status.textContent = text("map.status_selected", {name: PAGE.named ? labelOf[id] + " (" + id + ")" : labelOf[id]});
    if (hadFocus || document.activeElement === searchBox) { details.focus(); }  // the picked IKM is read next
  }
  function search(query) {
    var q = normal(query);
    if (!q) { return; }
    // an id, else a whole name, else part of a name or id
    var found = order.filter(function (id) { return normal(id) === q; });
    if (!found.length) { found = order.filter(function (id) { return normal(labelOf[id]) === q; }); }
    if (!found.length) {
      found = order.filter(function (id) {
        return normal(labelOf[id]).indexOf(q) >= 0 || normal(id).indexOf(q) >= 0;
      });
    }
    if (found.length === 1) { selectIkm(found[0]); return; }
    hideMatches();
    if (!found.length) {
      status.textContent = text("map.not_found", {query: query});
      return;
    }
    found.slice(0, 12).forEach(function (id) {
      var item = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = labelOf[id] + " — " + kelurahanAt(indexOf[id]).name + (PAGE.named ? " (" + id + ")" : "");
      b.addEventListener("click", function () { selectIkm(id); });
      item.appendChild(b);
      matches.appendChild(item);
    });
    if (found.length > 12) {
      var more = document.createElement("li");
      more.className = "note";
      more.style.padding = "4px 10px";
      more.textContent = text("map.more_matches", {count: fmt(found.length - 12)});
      matches.appendChild(more);
    }
    matches.style.display = "block";
    status.textContent = text("map.matches", {count: fmt(found.length)});
    matches.querySelector("button").focus();
  }
  matches.addEventListener("keydown", function (event) {
    var buttons = Array.prototype.slice.call(matches.querySelectorAll("button"));
    var at = buttons.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      hideMatches();
      searchBox.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = (at + (event.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length;
      buttons[next].focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      buttons[event.key === "Home" ? 0 : buttons.length - 1].focus();
    }
  });
  searchBox.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && matches.style.display === "block") { hideMatches(); }
  });

  // Labels the layout implies: generation rows, kelurahan discs, kecamatan rows.
  network.on("beforeDrawing", function (ctx) {
    var scale = network.getScale();
    ctx.save();
    ctx.fillStyle = "#6b6b6b";
    ctx.strokeStyle = "#e3e3e3";
    if (currentLayout === "generation") {
      ctx.font = "bold " + Math.min(PAGE.generation_label_size, 15 / scale) + "px system-ui, sans-serif";
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      PAGE.bands.forEach(function (b) {
        for (var g = 0; g < b.rows; g++) {
          var y = b.y + g * PAGE.row_height;
          ctx.fillText(b.orphans ? text("map.row_orphan", {row: fmt(g + 1)})
                                 : text("map.row_generation", {generation: fmt(g)}), b.x - 40, y);
        }
      });
    } else if (currentLayout === "kelurahan") {
      var chosen = document.getElementById("filter-kelurahan").value;
      ctx.lineWidth = 2 / scale;
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      PAGE.kelurahan.forEach(function (k) {
        if (isCluster(clusterId(k.code)) || (chosen !== "" && chosen !== k.code)) { return; }
        ctx.beginPath();
        ctx.arc(k.x, k.y, k.radius + 20, 0, 2 * Math.PI);
        ctx.stroke();
        ctx.font = "bold " + k.label_size + "px system-ui, sans-serif";
        ctx.fillText(k.name, k.x, k.y - k.radius - 26);
      });
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      if (chosen === "") {
        PAGE.row_labels.forEach(function (r) {
          ctx.font = "bold " + r.size + "px system-ui, sans-serif";
          ctx.fillText(text("map.row_kecamatan", {name: r.text}), r.x, r.y);
        });
      }
    }
    ctx.restore();
  });

  network.on("click", function (params) {
    hideMatches();
    var id = params.nodes[0];
    if (id === undefined) { return; }
    if (isCluster(id)) {
      openCluster(id);
      report();
      return;
    }
    showDetails(id);
  });

  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search(searchBox.value);
  });
  document.getElementById("filter-kelurahan").addEventListener("change", applyFilters);
  document.getElementById("filter-generation").addEventListener("change", applyFilters);
  document.getElementById("layout").addEventListener("change", function (event) { applyLayout(event.target.value); });
  document.getElementById("fit").addEventListener("click", fitVisible);
  document.getElementById("highlight-failed").addEventListener("change", highlightChanged);
  document.getElementById("highlight-dormant").addEventListener("change", highlightChanged);
  var clusterButton = document.getElementById("cluster");
  if (clusterButton) { clusterButton.addEventListener("click", clusterByKelurahan); }
  var openButton = document.getElementById("uncluster");
  if (openButton) { openButton.addEventListener("click", function () { openAll(); report(); }); }

  document.getElementById("layout").value = currentLayout;
  if (PAGE.clustered) { clusterByKelurahan(); }
  performance.mark("tular-clustered");
  fitVisible();
  report();
  network.once("afterDrawing", function () {
    performance.mark("tular-ready");
    document.body.setAttribute("data-ready", "1");
  });

  // In the web page's frame: on a phone the document is the map, then the panel, and the
  // page makes the frame as tall as it is (peta.js); elsewhere the frame keeps its height.
  if (window.parent !== window && typeof ResizeObserver === "function") {
    var phone = window.matchMedia("(max-width: 700px)");
    var told = null;
    var tell = function () {
      var height = phone.matches ? document.documentElement.scrollHeight : 0;
      if (height !== told) {
        told = height;
        window.parent.postMessage({tularMapHeight: height}, "*");  // a number: nothing else leaves
      }
    };
    new ResizeObserver(tell).observe(document.body);
    tell();
  }

  // For the browser tests and anyone at the console.
  window.network = network;
  window.tularMap = {
    network: network, nodes: nodes, edges: edges, search: search, select: selectIkm,
    applyLayout: applyLayout, clusterByKelurahan: clusterByKelurahan, openAll: openAll,
    clusterCount: function () { return closedClusters().length; },
    visibleCount: function () { return visibleIds().length; },
    highlighted: function () {
      return nodes.get({filter: function (n) { return n.color.border === COLOURS.broken; }}).map(function (n) { return n.id; });
    }
  };
})();

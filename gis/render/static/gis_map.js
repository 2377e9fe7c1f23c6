/* Runtime of the maps clustermap writes: escaping, info boxes, legends, title,
   search, fullscreen. Plain Leaflet 1.9; no other library, no network. */
(function (root) {
  "use strict";
  var GIS = root.GIS = root.GIS || {};
  GIS.layers = [];

  /* Shared-border arcs of the page (gis/render/topo.py): flat [x0, y0, x1, y1, ...] lists;
     a geometry lists arc indices, ~i for arc i reversed. GIS.geo turns them back into
     GeoJSON coordinates. */
  GIS.arcs = [];
  GIS.setArcs = function (arcs) { GIS.arcs = arcs; };
  function arcPoints(ref) {
    var a = GIS.arcs[ref >= 0 ? ref : ~ref], pts = [];
    for (var i = 0; i < a.length; i += 2) { pts.push([a[i], a[i + 1]]); }
    return ref >= 0 ? pts : pts.reverse();
  }
  function joinArcs(refs) {
    var out = [];
    refs.forEach(function (r, k) {
      var p = arcPoints(r);
      Array.prototype.push.apply(out, k ? p.slice(1) : p);
    });
    return out;
  }
  GIS.geo = function (fc) {
    fc.features.forEach(function (f) {
      var g = f.geometry;
      if (!g || !g.arcs) { return; }
      var a = g.arcs;
      delete g.arcs;
      if (g.type === "Polygon") { g.coordinates = a.map(joinArcs); }
      else if (g.type === "MultiPolygon") { g.coordinates = a.map(function (p) { return p.map(joinArcs); }); }
      else if (g.type === "LineString") { g.coordinates = joinArcs(a); }
      else if (g.type === "MultiLineString") { g.coordinates = a.map(joinArcs); }
    });
    return fc;
  };

  GIS.escape = function (value) {
    if (value === null || value === undefined) { return ""; }
    var s = (typeof value === "object") ? JSON.stringify(value) : String(value);
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
            .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  };

  function fmt(v) {
    if (typeof v === "number" && isFinite(v)) {
      return v.toLocaleString("zh-CN", {maximumFractionDigits: 2});
    }
    if (Array.isArray(v)) { return v.map(String).join("、"); }
    return v;
  }

  /* A table of the given fields, every value escaped. fields: [[key, label], ...] */
  GIS.table = function (props, fields) {
    var rows = [];
    fields.forEach(function (f) {
      var v = props[f[0]];
      if (v === null || v === undefined || v === "") { return; }
      var text = GIS.escape(fmt(v));
      if (/^https?:\/\/\S+$/.test(String(v))) {
        text = "<a href=\"" + GIS.escape(v) + "\" target=\"_blank\" rel=\"noopener\">" + text + "</a>";
      }
      rows.push("<tr><th>" + GIS.escape(f[1]) + "</th><td>" + text + "</td></tr>");
    });
    return "<table class=\"gis-info\">" + rows.join("") + "</table>";
  };

  GIS.bindInfo = function (layer, tooltipFields, popupFields) {
    layer.eachLayer(function (l) {
      var p = (l.feature && l.feature.properties) || {};
      if (tooltipFields && tooltipFields.length) {
        l.bindTooltip(GIS.table(p, tooltipFields), {sticky: true});
      }
      if (popupFields && popupFields.length) {
        l.bindPopup(GIS.table(p, popupFields), {maxWidth: 420, autoPanPaddingTopLeft: [60, 240]});
      }
    });
  };

  /* Register a layer for search and legends; a dense point layer is drawn clustered. */
  GIS.register = function (map, layer, meta) {
    if (GIS.map !== map) {
      /* quarter zoom steps, so that the fitted view fills the screen (names fit better);
         the +/- buttons still step by one */
      map.options.zoomSnap = 0.25;
      /* the page's first fit (folium's, after the layers) without animation: the map is
         ready at once (labels placed, a quick search not swallowed by a running zoom) */
      var fit = map.fitBounds;
      map.fitBounds = function (b, o) {
        map.fitBounds = fit;
        return fit.call(map, b, L.extend({}, o, {animate: false}));
      };
    }
    GIS.map = map;
    meta.layer = layer;
    GIS.layers.push(meta);
    var legend = meta.legend;
    if (GIS.cluster(map, layer, meta) && legend) {
      legend += "<div><span class=\"gis-cluster-swatch\">n</span>聚合 n 个点 n points grouped" +
        " (点击放大 click to zoom in)</div>";
    }
    if (legend) { GIS.legend(map, layer, legend); }
    if (meta.labels && meta.labels.length) { GIS.labels(map, layer, meta.labels); }
  };

  /* Re-run what depends on the size of the controls (label placement) after a layout change. */
  GIS.placers = [];
  var relayoutPending = false;
  GIS.relayout = function () {
    if (relayoutPending) { return; }
    relayoutPending = true;
    setTimeout(function () {
      relayoutPending = false;
      GIS.placers.forEach(function (f) { f(); });
    }, 0);
  };

  /* Boxes (container pixels) of the visible controls: labels keep off them. */
  function controlBoxes(map) {
    var c = map.getContainer().getBoundingClientRect(), out = [];
    var els = map.getContainer().querySelectorAll(".leaflet-control");
    for (var i = 0; i < els.length; i++) {
      var r = els[i].getBoundingClientRect();
      if (!r.width || !r.height) { continue; }
      out.push({x0: r.left - c.left - 2, y0: r.top - c.top - 2,
                x1: r.right - c.left + 2, y1: r.bottom - c.top + 2});
    }
    return out;
  }
  function hits(b, boxes) {
    for (var i = 0; i < boxes.length; i++) {
      var o = boxes[i];
      if (b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1) { return true; }
    }
    return false;
  }
  /* Offsets tried for a label, nearest first: vertical moves before sideways ones. */
  var OFFSETS = [[0, 0]];
  [0.9, 1.5, 2.2, 3].forEach(function (r) {
    [[0, -1], [0, 1], [1, 0], [-1, 0], [0.75, -0.75], [-0.75, -0.75], [0.75, 0.75],
     [-0.75, 0.75]].forEach(function (d) { OFFSETS.push([d[0] * r, d[1] * r]); });
  });

  /* Text labels (e.g. district names) shown with their layer at every zoom, placed so that
     they overlap neither each other nor the controls: each label tries its point first,
     then nearby spots (a thin leader line points back when it moved); a label that finds
     no room is hidden. labels: [lat, lon, text, area km²]; smaller areas are placed first
     (they have the least room). Text is set with textContent: never parsed as HTML. */
  GIS.labels = function (map, layer, labels) {
    var group = L.layerGroup(), items = [], busy = false;
    labels.forEach(function (x) {
      var icon = L.divIcon({className: "gis-label",
        html: "<i class=\"gis-leader\"></i><span></span>", iconSize: null});
      var mk = L.marker([x[0], x[1]], {icon: icon, interactive: false, keyboard: false});
      var it = {mk: mk, area: x[3] || 0, el: null};
      mk.on("add", function () {
        it.el = mk.getElement();
        it.el.lastChild.textContent = x[2];
        if (it.area && it.area < 200) { L.DomUtil.addClass(it.el, "gis-label-small"); }
      });
      group.addLayer(mk);
      items.push(it);
    });
    items.sort(function (a, b) { return a.area - b.area; });
    function place() {
      if (!map.hasLayer(group)) { return; }
      var size = map.getSize(), obstacles = controlBoxes(map), placed = [];
      items.forEach(function (it) {
        var el = it.el;
        if (!el) { return; }
        var span = el.lastChild, lead = el.firstChild;
        el.style.display = "";
        var w = span.offsetWidth, h = span.offsetHeight;
        var p = map.latLngToContainerPoint(it.mk.getLatLng()), best = null;
        for (var i = 0; i < OFFSETS.length && !best; i++) {
          var dx = OFFSETS[i][0] * (h + w) / 2, dy = OFFSETS[i][1] * h;
          var b = {x0: p.x + dx - w / 2 - 1, y0: p.y + dy - h / 2 - 1,
                   x1: p.x + dx + w / 2 + 1, y1: p.y + dy + h / 2 + 1};
          if (b.x0 < 2 || b.y0 < 2 || b.x1 > size.x - 2 || b.y1 > size.y - 2) { continue; }
          if (hits(b, placed) || hits(b, obstacles)) { continue; }
          best = {dx: dx, dy: dy, b: b};
        }
        if (!best) { el.style.display = "none"; return; }
        placed.push(best.b);
        span.style.transform = "translate(" + (best.dx - w / 2) + "px," + (best.dy - h / 2) + "px)";
        /* leader from the label's point to the nearest point of its box */
        var qx = Math.max(best.dx - w / 2, Math.min(0, best.dx + w / 2));
        var qy = Math.max(best.dy - h / 2, Math.min(0, best.dy + h / 2));
        var len = Math.sqrt(qx * qx + qy * qy);
        L.DomUtil[len > 3 ? "addClass" : "removeClass"](el, "gis-label-moved");
        lead.style.width = len + "px";
        lead.style.transform = "rotate(" + Math.atan2(qy, qx) + "rad)";
      });
    }
    function sync() {
      if (busy) { return; }
      busy = true;
      var on = map.hasLayer(layer);
      if (on && !map.hasLayer(group)) { map.addLayer(group); }
      if (!on && map.hasLayer(group)) { map.removeLayer(group); }
      busy = false;
      place();
    }
    map.on("layeradd layerremove", function (e) { if (e.layer === layer) { sync(); } });
    map.on("zoomend moveend resize", place);
    GIS.placers.push(place);
    map.whenReady(sync);
  };

  /* Grid clustering of a layer of many points (GIS.CLUSTER_MIN or more): only the points
     in view are binned into CELL-pixel squares; a square with one point shows the point
     itself (with its tooltip and popup), a square with more shows one marker with the
     count, which zooms in when clicked. The layer keeps its features, so search, legends
     and the layer list work as for any layer. Nothing is loaded from outside. */
  GIS.CLUSTER_MIN = 50;
  GIS.CLUSTER_CELL = 64;
  GIS.CLUSTER_MAX_ZOOM = 17;
  GIS.cluster = function (map, layer, meta) {
    var pts = [], plain = true;
    layer.eachLayer(function (l) {
      if (l instanceof L.CircleMarker || l instanceof L.Marker) { pts.push(l); } else { plain = false; }
    });
    if (!plain || pts.length < GIS.CLUSTER_MIN) { return false; }
    var shown = L.layerGroup(), cacheZoom = null, xy = [];
    function bubble(idx) {
      var lat = 0, lng = 0, b = L.latLngBounds([]);
      idx.forEach(function (i) {
        var ll = pts[i].getLatLng();
        lat += ll.lat; lng += ll.lng; b.extend(ll);
      });
      var n = idx.length, d = n < 10 ? 26 : (n < 100 ? 32 : (n < 1000 ? 38 : 46));
      var mk = L.marker([lat / n, lng / n], {keyboard: false, title: n + " 个点 points",
        icon: L.divIcon({className: "gis-cluster", html: "<span>" + n + "</span>", iconSize: [d, d]})});
      mk.on("click", function () {
        var z = map.getZoom();
        if (b.getNorthEast().equals(b.getSouthWest())) { map.setView(b.getCenter(), Math.min(z + 3, 19)); }
        else { map.fitBounds(b, {padding: [40, 40], maxZoom: Math.max(z + 1, Math.min(z + 4, 18))}); }
      });
      return mk;
    }
    function redraw() {
      var z = map.getZoom(), cell = GIS.CLUSTER_CELL;
      if (z !== cacheZoom) {
        cacheZoom = z;
        xy = pts.map(function (l) { return map.project(l.getLatLng(), z); });
      }
      var pb = map.getPixelBounds(), cells = {}, keys = [];
      for (var i = 0; i < xy.length; i++) {
        var p = xy[i];
        if (p.x < pb.min.x - cell || p.x > pb.max.x + cell || p.y < pb.min.y - cell ||
            p.y > pb.max.y + cell) { continue; }
        var k = Math.floor(p.x / cell) + ":" + Math.floor(p.y / cell);
        if (!cells[k]) { cells[k] = []; keys.push(k); }
        cells[k].push(i);
      }
      shown.clearLayers();
      keys.forEach(function (k) {
        var c = cells[k];
        if (c.length === 1 || z >= GIS.CLUSTER_MAX_ZOOM) {
          c.forEach(function (j) { shown.addLayer(pts[j]); });
        } else { shown.addLayer(bubble(c)); }
      });
    }
    layer.onAdd = function (m) { shown.addTo(m); m.on("moveend", redraw); redraw(); };
    layer.onRemove = function (m) { m.off("moveend", redraw); m.removeLayer(shown); };
    meta.clustered = true;
    GIS.clusterRedraw = redraw;
    return true;
  };

  /* A point inside a feature, for its popup: a point's own position, a line's middle vertex,
     for a polygon the middle of the widest horizontal run across its largest part (the
     centre of the bounding box can fall outside, e.g. 武昌区 with its exclave). */
  function polygonsOf(ll) {
    if (!ll.length) { return []; }
    if (ll[0] instanceof L.LatLng) { return [[ll]]; }
    if (ll[0].length && ll[0][0] instanceof L.LatLng) { return [ll]; }
    return ll;
  }
  function ringArea(r) {
    var a = 0;
    for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
      a += (r[j].lng - r[i].lng) * (r[j].lat + r[i].lat);
    }
    return Math.abs(a / 2);
  }
  GIS.insidePoint = function (l) {
    if (l.getLatLng) { return l.getLatLng(); }
    if (!(l instanceof L.Polygon)) {
      var flat = [];
      (function walk(a) { a.forEach(function (x) { if (x instanceof L.LatLng) { flat.push(x); } else { walk(x); } }); })(l.getLatLngs());
      return flat[Math.floor(flat.length / 2)] || l.getBounds().getCenter();
    }
    var polys = polygonsOf(l.getLatLngs()), poly = null, area = -1;
    polys.forEach(function (p) { var a = ringArea(p[0]); if (a > area) { area = a; poly = p; } });
    if (!poly) { return l.getBounds().getCenter(); }
    var s = Infinity, n = -Infinity, best = null, widest = -1;
    poly[0].forEach(function (q) { s = Math.min(s, q.lat); n = Math.max(n, q.lat); });
    for (var k = 1; k < 24; k++) {
      var y = s + (n - s) * k / 24, xs = [];
      poly.forEach(function (r) {
        for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
          var a = r[j], b = r[i];
          if ((a.lat > y) !== (b.lat > y)) { xs.push(a.lng + (y - a.lat) * (b.lng - a.lng) / (b.lat - a.lat)); }
        }
      });
      xs.sort(function (u, v) { return u - v; });
      for (var m = 0; m + 1 < xs.length; m += 2) {
        if (xs[m + 1] - xs[m] > widest) { widest = xs[m + 1] - xs[m]; best = L.latLng(y, (xs[m] + xs[m + 1]) / 2); }
      }
    }
    return best || l.getBounds().getCenter();
  };

  /* A panel that folds: a click on its head shows or hides its body (class gis-collapsed). */
  GIS.smallScreen = function () { return window.innerWidth <= 700 || window.innerHeight <= 500; };
  GIS.collapsible = function (box, head, collapsed) {
    var btn = L.DomUtil.create("button", "gis-toggle", head);
    btn.type = "button";
    function set(c) {
      L.DomUtil[c ? "addClass" : "removeClass"](box, "gis-collapsed");
      btn.textContent = c ? "▸" : "▾";
      btn.setAttribute("aria-expanded", String(!c));
      btn.title = c ? "展开 Expand" : "收起 Collapse";
      GIS.relayout();
    }
    head.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest("a, summary, input")) { return; }
      set(!L.DomUtil.hasClass(box, "gis-collapsed"));
    });
    set(!!collapsed);
  };

  var legendBox = null;
  GIS.legend = function (map, layer, html) {
    if (!legendBox) {
      var Box = L.Control.extend({
        onAdd: function () {
          var div = L.DomUtil.create("div", "gis-legend");
          var head = L.DomUtil.create("div", "gis-panel-head", div);
          head.textContent = "图例 Legend";
          L.DomUtil.create("div", "gis-legend-body", div);
          GIS.collapsible(div, head, GIS.smallScreen());
          L.DomEvent.disableClickPropagation(div);
          L.DomEvent.disableScrollPropagation(div);
          return div;
        }
      });
      legendBox = new Box({position: "bottomright"}).addTo(map);
    }
    var body = legendBox.getContainer().querySelector(".gis-legend-body");
    var item = L.DomUtil.create("div", "gis-legend-item", body);
    item.innerHTML = html;
    function sync() { item.style.display = map.hasLayer(layer) ? "" : "none"; GIS.relayout(); }
    map.on("layeradd layerremove", function (e) { if (e.layer === layer) { sync(); } });
    sync();
  };

  GIS.title = function (map, html) {
    var Title = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "gis-title");
        div.innerHTML = html;
        var h1 = div.querySelector("h1");
        if (h1) {
          /* everything under the heading folds; the 示意 note stays (see gis_map.css) */
          var body = L.DomUtil.create("div", "gis-title-body");
          while (h1.nextSibling) { body.appendChild(h1.nextSibling); }
          div.appendChild(body);
          if (!document.title) { document.title = h1.textContent; }
          GIS.collapsible(div, h1, window.innerWidth <= 1100 || window.innerHeight <= 760);
        }
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    var title = new Title({position: "topleft"}).addTo(map);
    /* the 示意 note shows while a layer with schematic or indicative features shows */
    var note = title.getContainer().querySelector(".gis-schematic");
    if (note) {
      var sync = function () {
        var on = GIS.layers.some(function (m) { return m.schematic && map.hasLayer(m.layer); });
        note.style.display = on ? "" : "none";
      };
      map.on("layeradd layerremove", sync);
      sync();
    }
  };

  /* Fold a name for matching: lower case, no spaces or apostrophes (Jiang'an = jiangan). */
  function fold(s) { return String(s).toLowerCase().replace(/[\s'’`\-_.()（）]/g, ""); }

  /* Search features of every registered layer by name (zh or en), best matches first:
     exact, then prefix, then substring. Enter opens the first result. */
  GIS.search = function (map) {
    var Search = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "gis-search leaflet-bar");
        div.innerHTML = "<input type=\"search\" aria-label=\"search\"><ul role=\"listbox\"></ul>";
        div.firstChild.placeholder = GIS.smallScreen() ? "搜索 Search…" : "搜索 Search (中文 / English)…";
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var input = div.querySelector("input"), list = div.querySelector("ul");
        var hits = [];
        /* zoom to the feature, then open its popup on a point inside it */
        function go(h) {
          if (!map.hasLayer(h.meta.layer)) { map.addLayer(h.meta.layer); }
          var at = GIS.insidePoint(h.l);
          if (h.l.getBounds) {
            map.fitBounds(h.l.getBounds(), {maxZoom: 14, animate: false, padding: [30, 30]});
          } else { map.setView(at, Math.max(map.getZoom(), 14), {animate: false}); }
          var pop = h.l.getPopup && h.l.getPopup();
          if (!pop) { return; }
          if (h.l._map) { h.l.openPopup(at); }
          else { map.openPopup(pop.getContent(), at, pop.options); }  /* inside a cluster */
        }
        input.addEventListener("input", function () {
          var q = fold(input.value.trim());
          list.innerHTML = "";
          hits = [];
          if (!q) { return; }
          GIS.layers.forEach(function (meta) {
            meta.layer.eachLayer(function (l) {
              var p = (l.feature && l.feature.properties) || {};
              var names = [p.name_zh, p.name_en, p.name, p.id, p.adcode, p.alias].filter(Boolean);
              var best = 9;
              names.forEach(function (n) {
                var f = fold(n), i = f.indexOf(q);
                if (i < 0) { return; }
                best = Math.min(best, f === q ? 0 : (i === 0 ? 1 : 2));
              });
              if (best < 9) { hits.push({l: l, meta: meta, p: p, rank: best}); }
            });
          });
          hits.sort(function (a, b) { return a.rank - b.rank; });
          hits = hits.slice(0, 12);
          hits.forEach(function (h) {
            var li = document.createElement("li");
            li.setAttribute("role", "option");
            li.textContent = (h.p.name_zh || h.p.name || h.p.id) +
              (h.p.name_en ? " " + h.p.name_en : "") + " · " + h.meta.title;
            li.addEventListener("click", function () { go(h); });
            list.appendChild(li);
          });
          if (!hits.length) {
            var none = document.createElement("li");
            none.className = "gis-none";
            none.textContent = "无结果 No match";
            list.appendChild(none);
          }
        });
        input.addEventListener("keydown", function (e) {
          if (e.key === "Enter" && hits.length) { go(hits[0]); }
          if (e.key === "Escape") { input.value = ""; list.innerHTML = ""; hits = []; }
        });
        return div;
      }
    });
    new Search({position: "topright"}).addTo(map);
  };

  /* Tile layers of a basemap, listed under 底图 in the layer control by name. A tile that
     fails to load (offline, blocked, bad key) shows a note: the page never stays silently
     grey. */
  var BASEMAP_NAMES = {"osm": "OpenStreetMap", "gaode": "高德地图 Gaode (Amap)",
    "gaode-satellite": "高德卫星图 Gaode satellite", "tianditu": "天地图 Tianditu"};
  GIS.bases = [];
  GIS.tiles = function (map, title, tiles) {
    var key = /^底图 (\S+)$/.exec(title);
    if (key && BASEMAP_NAMES[key[1]]) { title = "底图 " + BASEMAP_NAMES[key[1]]; }
    var group = L.layerGroup();
    tiles.forEach(function (t) {
      L.tileLayer(t.url, {attribution: t.attribution, subdomains: t.subdomains,
                          maxZoom: t.maxZoom})
        .on("tileerror", function () { GIS.tileNote(map, title); }).addTo(group);
    });
    group.addTo(map);
    GIS.bases.push({title: title, layer: group, group: "base", tiles: tiles});
  };
  GIS.tileNote = function (map, title) {
    if (GIS.tileNoteShown) { return; }
    GIS.tileNoteShown = true;
    var Note = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "gis-tile-note");
        div.setAttribute("role", "status");
        div.textContent = title + ": 瓦片无法载入（离线或被拦截），图层本身不受影响。 " +
          "Basemap tiles could not be loaded (offline or blocked); the map layers are unaffected.";
        return div;
      }
    });
    new Note({position: "bottomleft"}).addTo(map);
    GIS.relayout();
  };

  var GROUPS = [["base", "底图与基础 Base"], ["plan", "规划图层 Plan layers"],
                ["indicators", "指标 Indicators"], ["analysis", "分析 Analysis"]];

  /* Grouped layer control: base / plan layers / indicators / analysis. */
  GIS.layerControl = function (map) {
    var Ctl = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "gis-layers leaflet-bar");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var head = L.DomUtil.create("div", "gis-layers-head", div);
        head.textContent = "图层 Layers";
        var body = L.DomUtil.create("div", "gis-layers-body", div);
        GIS.collapsible(div, head, GIS.smallScreen());
        var all = GIS.bases.concat(GIS.layers);
        GROUPS.forEach(function (g) {
          var members = all.filter(function (m) { return (m.group || "plan") === g[0]; });
          if (!members.length) { return; }
          var sec = L.DomUtil.create("div", "gis-layer-group leaflet-control-layers-overlays", body);
          sec.setAttribute("data-group", g[0]);
          var h = L.DomUtil.create("div", "gis-layer-group-title", sec);
          h.textContent = g[1];
          members.forEach(function (m) {
            var lab = L.DomUtil.create("label", "", sec);
            var cb = L.DomUtil.create("input", "", lab);
            cb.type = "checkbox";
            cb.checked = map.hasLayer(m.layer);
            var span = L.DomUtil.create("span", "", lab);
            span.textContent = " " + m.title;
            cb.addEventListener("change", function () {
              if (cb.checked) { map.addLayer(m.layer); } else { map.removeLayer(m.layer); }
            });
            map.on("layeradd layerremove", function () { cb.checked = map.hasLayer(m.layer); });
          });
        });
        return div;
      }
    });
    new Ctl({position: "topright"}).addTo(map);
  };

  /* An overview map of the whole city in a corner, its view box following the main map. */
  GIS.minimap = function (map) {
    var Mini = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "gis-minimap");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    var ctl = new Mini({position: "bottomleft"}).addTo(map);
    var mini = L.map(ctl.getContainer(), {attributionControl: false, zoomControl: false,
      dragging: false, scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false,
      keyboard: false, touchZoom: false});
    mini.setView(map.getCenter(), Math.max(map.getZoom() - 4, 1), {animate: false});
    var drawn = L.featureGroup().addTo(mini);
    GIS.bases.forEach(function (b) {
      b.tiles.slice(0, 1).forEach(function (t) {
        L.tileLayer(t.url, {subdomains: t.subdomains, maxZoom: t.maxZoom}).addTo(mini);
      });
    });
    GIS.layers.forEach(function (m) {
      if (m.group !== "base") { return; }
      var st = m.layer.options.style;
      L.geoJSON(m.layer.toGeoJSON(), {interactive: false, style: function (f) {
        var s = Object.assign({}, typeof st === "function" ? st(f) : st);
        s.weight = Math.min(s.weight || 1, 1.5) * 0.5;  /* a thinner copy of the layer's style */
        s.dashArray = null;
        return s;
      }}).addTo(drawn);
    });
    var box = L.rectangle(map.getBounds(), {color: "#d7301f", weight: 1.5, fill: false,
                                             interactive: false}).addTo(mini);
    function fitAll() {
      if (drawn.getLayers().length) { mini.fitBounds(drawn.getBounds(), {animate: false}); }
      else { mini.setView(map.getCenter(), Math.max(map.getZoom() - 4, 1), {animate: false}); }
    }
    function sync() {
      box.setBounds(map.getBounds());
      if (!drawn.getLayers().length) {  /* nothing to fit: follow the main map */
        mini.setView(map.getCenter(), Math.max(map.getZoom() - 4, 1), {animate: false});
      }
    }
    fitAll();
    map.on("moveend zoomend resize", sync);
    mini.on("click", function (e) { map.panTo(e.latlng); });
    GIS.mini = mini;
  };

  function fmtLength(m) {
    return m >= 1000 ? (m / 1000).toFixed(2) + " km" : Math.round(m) + " m";
  }

  /* Measure distances: click the ruler, click points on the map, double-click or click the
     ruler again to finish. Lengths are geodesic (Leaflet's map.distance). */
  GIS.measure = function (map) {
    var active = false, pts = [], line = null, btn = null, marks = L.layerGroup().addTo(map);
    var Ctl = L.Control.extend({
      onAdd: function () {
        var a = btn = L.DomUtil.create("a", "gis-measure leaflet-bar");
        a.href = "#"; a.title = "测距 Measure distance";
        a.innerHTML = "<svg width=\"18\" height=\"18\" viewBox=\"0 0 18 18\" style=\"vertical-align:middle\"><path d=\"M1 13L13 1l4 4L5 17z M4 10l2 2M6.5 7.5l1.5 1.5M9 5l2 2M11.5 2.5l1.5 1.5\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.4\"/></svg>";
        L.DomEvent.on(a, "click", function (e) {
          L.DomEvent.preventDefault(e); L.DomEvent.stopPropagation(e);
          active = !active;
          L.DomUtil[active ? "addClass" : "removeClass"](a, "gis-active");
          L.DomUtil[active ? "addClass" : "removeClass"](map.getContainer(), "gis-measuring");
          map.closePopup();
          map.getContainer().style.cursor = active ? "crosshair" : "";
          if (active) { pts = []; marks.clearLayers(); line = null; map.doubleClickZoom.disable(); }
          else { map.doubleClickZoom.enable(); }
        });
        return a;
      }
    });
    new Ctl({position: "topleft"}).addTo(map);
    function total() {
      var d = 0;
      for (var i = 1; i < pts.length; i++) { d += map.distance(pts[i - 1], pts[i]); }
      return d;
    }
    map.on("click", function (e) {
      if (!active) { return; }
      pts.push(e.latlng);
      L.circleMarker(e.latlng, {radius: 3, color: "#d7301f"}).addTo(marks);
      if (!line) { line = L.polyline(pts, {color: "#d7301f", weight: 2, dashArray: "4 4"}).addTo(marks); }
      else { line.setLatLngs(pts); }
      if (line.getTooltip()) { line.setTooltipContent(fmtLength(total())); }
      else {
        line.bindTooltip(fmtLength(total()), {permanent: true, direction: "right",
                                              className: "gis-measure-label"});
      }
      line.openTooltip(e.latlng);
      GIS.measured = total();
    });
    map.on("dblclick", function () {
      if (!active) { return; }
      active = false;
      L.DomUtil.removeClass(map.getContainer(), "gis-measuring");
      L.DomUtil.removeClass(btn, "gis-active");
      map.getContainer().style.cursor = "";
      map.doubleClickZoom.enable();
    });
  };

  /* A fixed, foldable panel (e.g. the plan's targets), HTML escaped by the Python side. */
  GIS.panel = function (map, html) {
    var P = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("details", "gis-panel");
        div.innerHTML = "<summary>规划目标 Plan targets</summary>" + html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    new P({position: "bottomleft"}).addTo(map);
  };

  GIS.fullscreen = function (map) {
    var Full = L.Control.extend({
      onAdd: function () {
        var a = L.DomUtil.create("a", "gis-fullscreen leaflet-bar");
        a.href = "#"; a.title = "全屏 Full screen"; a.innerHTML = "<svg width=\"16\" height=\"16\" viewBox=\"0 0 16 16\" style=\"vertical-align:middle\"><path d=\"M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5\" fill=\"none\" stroke=\"#333\" stroke-width=\"2\"/></svg>";
        L.DomEvent.on(a, "click", function (e) {
          L.DomEvent.preventDefault(e);
          var el = map.getContainer();
          if (document.fullscreenElement) { document.exitFullscreen(); }
          else if (el.requestFullscreen) { el.requestFullscreen(); }
        });
        return a;
      }
    });
    new Full({position: "topleft"}).addTo(map);
  };
})(window);

(function (root) {
  "use strict";
  root.GIS.attribution = function (map, html) {
    if (!map.attributionControl) { L.control.attribution().addTo(map); }
    map.attributionControl.setPrefix("<a href=\"https://leafletjs.com\">Leaflet</a>");
    map.attributionControl.addAttribution(html);
  };
  root.GIS.scale = function (map) { L.control.scale({imperial: false}).addTo(map); };

  /* Printing: the print stylesheet (gis_map.css) narrows the map and puts the legend in a
     column beside it; before printing the same layout is applied on screen (class
     gis-print) so that Leaflet redraws the same view at the narrower size. */
  var saved = null;
  root.addEventListener("beforeprint", function () {
    var map = root.GIS.map;
    document.documentElement.classList.add("gis-print");
    if (!map) { return; }
    saved = map.getBounds();
    map.invalidateSize({pan: false});
    map.fitBounds(saved, {animate: false});
  });
  root.addEventListener("afterprint", function () {
    var map = root.GIS.map;
    document.documentElement.classList.remove("gis-print");
    if (!map || !saved) { return; }
    map.invalidateSize({pan: false});
    map.fitBounds(saved, {animate: false});
    saved = null;
  });
})(window);

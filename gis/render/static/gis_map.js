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

  /* The draw tiers of gis/render/order.py, each a pane inside the overlay pane, bottom
     first: area fills (district base, choropleths, hatched zones), the reference water
     above them, lines, outlines and points on top. A layer switched off and on again keeps
     its tier (Leaflet would otherwise draw it over everything in its pane). */
  var TIERS = {fill: 1, reference: 2, top: 3};
  GIS.pane = function (map, tier) {
    var name = "gis-" + (TIERS[tier] ? tier : "top");
    if (!map.getPane(name)) {
      map.createPane(name, map.getPane("overlayPane")).style.zIndex = TIERS[name.slice(4)];
    }
    return name;
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
        GIS.fitted = L.latLngBounds(b);  /* what the page shows first (e.g. the city) */
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
    /* labels of a clustered layer only while few enough to place (collisions are pairwise) */
    if (meta.labels && meta.labels.length && (!meta.clustered || meta.labels.length <= 500)) {
      GIS.labels(map, layer, meta.labels);
    }
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
          if (!document.title) { document.title = h1.textContent; }
          var head = L.DomUtil.create("div", "gis-title-head");  /* the heading and its fold */
          div.insertBefore(head, h1);
          head.appendChild(h1);
          div.appendChild(body);
          GIS.collapsible(div, head, GIS.smallScreen());
        }
        /* the sources list opening moves the controls under the title: lay them out again */
        div.querySelectorAll("details").forEach(function (d) {
          d.addEventListener("toggle", function () { GIS.relayout(); });
        });
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
    /* on a phone under the search, beside the title: the panels opening at the bottom
       right (layers, legend) then never cover it */
    new Note({position: GIS.smallScreen() ? "topright" : "bottomleft"}).addTo(map);
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
    /* on a phone the list sits above the legend, bottom right: opened, it grows upwards
       into the free middle of the screen, never over the title block beside the search */
    new Ctl({position: GIS.smallScreen() ? "bottomright" : "topright"}).addTo(map);
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
      var top = GIS.pane(map, "top");
      L.circleMarker(e.latlng, {radius: 3, color: "#d7301f", pane: top}).addTo(marks);
      if (!line) {
        line = L.polyline(pts, {color: "#d7301f", weight: 2, dashArray: "4 4", pane: top}).addTo(marks);
      }
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

  /* Printing: the map narrows to the left 74% of the page and the title block and the
     legend move into a column beside it (never over the map). The print stylesheet
     (gis_map.css) does the layout; before printing the same layout is applied on screen
     (class gis-print) so that Leaflet redraws the same view at the narrower size. */
  var saved = null, moved = [];
  root.addEventListener("beforeprint", function () {
    var map = root.GIS.map;
    document.documentElement.classList.add("gis-print");
    var side = document.createElement("div");
    side.className = "gis-print-side";
    [".gis-title", ".gis-legend"].forEach(function (sel) {
      var el = document.querySelector(sel);
      if (el) { moved.push([el, el.parentNode, el.nextSibling]); side.appendChild(el); }
    });
    document.body.appendChild(side);
    if (!map) { return; }
    saved = map.getBounds();
    map.invalidateSize({pan: false});
    /* the whole first view still in sight: print it as large as the paper allows;
       otherwise print what is on screen */
    var f = root.GIS.fitted;
    map.fitBounds(f && saved.contains(f) ? f : saved, {animate: false});
  });
  root.addEventListener("afterprint", function () {
    var map = root.GIS.map, side = document.querySelector(".gis-print-side");
    document.documentElement.classList.remove("gis-print");
    moved.forEach(function (m) { m[1].insertBefore(m[0], m[2]); });
    moved = [];
    if (side) { side.parentNode.removeChild(side); }
    if (!map || !saved) { return; }
    map.invalidateSize({pan: false});
    map.fitBounds(saved, {animate: false});
    saved = null;
  });
})(window);

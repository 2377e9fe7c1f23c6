/* Layout part of the runtime (after gis_map.js): district names placed without collisions,
   grid clustering of dense point layers, a point inside a feature for search popups,
   foldable panels. Plain Leaflet 1.9; nothing is loaded from outside the page. */
(function (root) {
  "use strict";
  var GIS = root.GIS = root.GIS || {};

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
  /* Boxes of the point markers and cluster discs drawn now: labels keep off them too. */
  function markerBoxes(map) {
    var out = [], c = map.getContainer().getBoundingClientRect();
    GIS.layers.forEach(function (m) {
      if (!map.hasLayer(m.layer)) { return; }
      (function walk(g) {  /* a MultiPoint feature is a group of markers */
        g.eachLayer(function (l) {
          if (l.eachLayer) { walk(l); return; }
          if (!(l instanceof L.CircleMarker) || !l._map) { return; }
          var p = map.latLngToContainerPoint(l.getLatLng()), r = l.getRadius() + 1;
          out.push({x0: p.x - r, y0: p.y - r, x1: p.x + r, y1: p.y + r});
        });
      })(m.layer);
    });
    var discs = map.getContainer().querySelectorAll(".gis-cluster");
    for (var i = 0; i < discs.length; i++) {
      var d = discs[i].getBoundingClientRect();
      out.push({x0: d.left - c.left, y0: d.top - c.top, x1: d.right - c.left, y1: d.bottom - c.top});
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
     they overlap neither each other, the point markers nor the controls: each label tries
     its point first, then nearby spots (a thin leader line points back when it moved); a
     label that finds no room is hidden. labels: [lat, lon, text, area km²]; smaller areas
     are placed first (they have the least room). Text is set with textContent: never
     parsed as HTML. */
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
      var size = map.getSize(), placed = [];
      var obstacles = controlBoxes(map).concat(markerBoxes(map));
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
    /* after the clusters of this move are drawn (their handlers may come later) */
    map.on("zoomend moveend resize", function () { setTimeout(place, 0); });
    GIS.placers.push(place);
    map.whenReady(sync);
  };

  /* Grid clustering of a layer of many points (GIS.CLUSTER_MIN or more): only the points
     in view are binned into CELL-pixel squares; a square with one point shows the point
     itself (with its tooltip and popup), a square with more shows one marker with the
     count, which zooms in when clicked. The layer keeps its features, so search, legends
     and the layer list work as for any layer. Nothing is loaded from outside. */
  if (GIS.CLUSTER_MIN === undefined) { GIS.CLUSTER_MIN = 50; }  /* a page may set its own */
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
  /* On a small screen one panel is open at a time: opening one (title, layers, legend,
     targets) folds the others, so that no open panel lies over another. Each foldable
     panel registers how it folds. */
  GIS.foldables = [];
  GIS.opened = function (box) {
    if (!GIS.smallScreen()) { return; }
    GIS.foldables.forEach(function (f) { if (f.box !== box) { f.fold(); } });
  };
  GIS.collapsible = function (box, head, collapsed) {
    var btn = L.DomUtil.create("button", "gis-toggle");
    head.insertBefore(btn, head.firstChild);  /* floats right, beside the head's text */
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
      var fold = !L.DomUtil.hasClass(box, "gis-collapsed");
      if (!fold) { GIS.opened(box); }
      set(fold);
    });
    GIS.foldables.push({box: box, fold: function () { set(true); }});
    set(!!collapsed);
  };
})(window);

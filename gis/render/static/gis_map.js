/* Runtime of the maps clustermap writes: escaping, info boxes, legends, title,
   search, fullscreen. Plain Leaflet 1.9; no other library, no network. */
(function (root) {
  "use strict";
  var GIS = root.GIS = root.GIS || {};
  GIS.layers = [];

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
        l.bindPopup(GIS.table(p, popupFields), {maxWidth: 420});
      }
    });
  };

  /* Register a layer for search and legends. */
  GIS.register = function (map, layer, meta) {
    meta.layer = layer;
    GIS.layers.push(meta);
    if (meta.legend) { GIS.legend(map, layer, meta.legend); }
  };

  var legendBox = null;
  GIS.legend = function (map, layer, html) {
    if (!legendBox) {
      var Box = L.Control.extend({
        onAdd: function () {
          var div = L.DomUtil.create("div", "gis-legend");
          L.DomEvent.disableClickPropagation(div);
          L.DomEvent.disableScrollPropagation(div);
          return div;
        }
      });
      legendBox = new Box({position: "bottomright"}).addTo(map);
    }
    var item = L.DomUtil.create("div", "gis-legend-item", legendBox.getContainer());
    item.innerHTML = html;
    function sync() { item.style.display = map.hasLayer(layer) ? "" : "none"; }
    map.on("layeradd layerremove", sync);
    sync();
  };

  GIS.title = function (map, html) {
    var Title = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "gis-title");
        div.innerHTML = html;
        L.DomEvent.disableClickPropagation(div);
        return div;
      }
    });
    new Title({position: "topleft"}).addTo(map);
  };

  /* Search features of every registered layer by name (zh or en). */
  GIS.search = function (map) {
    var Search = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "gis-search leaflet-bar");
        div.innerHTML = "<input type=\"search\" placeholder=\"搜索 Search…\" aria-label=\"search\"><ul></ul>";
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var input = div.querySelector("input"), list = div.querySelector("ul");
        input.addEventListener("input", function () {
          var q = input.value.trim().toLowerCase();
          list.innerHTML = "";
          if (!q) { return; }
          var hits = [];
          GIS.layers.forEach(function (meta) {
            meta.layer.eachLayer(function (l) {
              var p = (l.feature && l.feature.properties) || {};
              var text = [p.name_zh, p.name_en, p.name, p.id, p.adcode].filter(Boolean).join(" ");
              if (text.toLowerCase().indexOf(q) >= 0 && hits.length < 12) {
                hits.push({l: l, meta: meta, p: p});
              }
            });
          });
          hits.forEach(function (h) {
            var li = document.createElement("li");
            li.textContent = (h.p.name_zh || h.p.name || h.p.id) +
              (h.p.name_en ? " " + h.p.name_en : "") + " · " + h.meta.title;
            li.addEventListener("click", function () {
              if (!map.hasLayer(h.meta.layer)) { map.addLayer(h.meta.layer); }
              if (h.l.getBounds) { map.fitBounds(h.l.getBounds(), {maxZoom: 14}); }
              else if (h.l.getLatLng) { map.setView(h.l.getLatLng(), 14); }
              if (h.l.openPopup) { h.l.openPopup(); }
            });
            list.appendChild(li);
          });
        });
        return div;
      }
    });
    new Search({position: "topright"}).addTo(map);
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
})(window);

/*
 * The briefing map's browser code: served as a static file (layers/assets.py), loaded once
 * with Leaflet and cached, so the map script and the layers pushed on every filter change
 * carry only data and one call each.
 *
 * Every text that arrives in `data` and is put in as HTML was escaped on the server
 * (layers.base.safe_text); values used in CSS class names are checked against known sets there.
 */
(function () {
    "use strict";

    function esc(s) {
        var d = document.createElement("div");
        d.textContent = s == null ? "" : String(s);
        return d.innerHTML;
    }

    function fetchJSON(url) {
        // A shared HTML file carries its data inline (it may be opened from disk, offline).
        var inline = window.briefingInline;
        if (inline && Object.prototype.hasOwnProperty.call(inline, url)) {
            var value = inline[url];
            // A string stands for another inlined file (a coarser level of detail).
            return Promise.resolve(typeof value === "string" ? inline[value] : value);
        }
        return fetch(url).then(function (r) {
            if (!r.ok) { throw new Error(url + ": " + r.status); }
            return r.json();
        });
    }

    var B = {map: null, layers: {}, hidden: {}, listeners: [],
             state: {contributors: [], active_seas: []}};
    window.briefing = B;

    /* The runtime: layer control, shared state, zoom classes. */
    B.runtime = function (map, opts) {
        B.map = map;
        // Presenter mode: large type (rules under .presenter in the stylesheet).
        map.getContainer().classList.toggle("presenter", !!opts.presenter);
        B.control = L.control.layers(null, null, {collapsed: !!opts.collapsed,
                                                  position: "topright"}).addTo(map);
        // Only the user's clicks in the control change what stays hidden.
        L.DomEvent.on(B.control.getContainer(), "change", function () {
            Object.keys(B.layers).forEach(function (name) {
                B.hidden[name] = !map.hasLayer(B.layers[name].layer);
            });
        });
        function zoomClasses() {
            var z = Math.round(map.getZoom()), el = map.getContainer();
            for (var i = 0; i <= 12; i++) { el.classList.toggle("z-ge-" + i, z >= i); }
            el.setAttribute("data-zoom", z);
        }
        map.on("zoomend", zoomClasses);
        zoomClasses();
    };

    /* A layer joins the layer control; a hidden one stays hidden when pushed again. */
    B.register = function (name, title, layer) {
        var old = B.layers[name];
        if (old) { B.control.removeLayer(old.layer); }
        B.layers[name] = {title: title, layer: layer};
        B.control.addOverlay(layer, title);
        if (B.hidden[name]) {
            // streamlit-folium adds a pushed group right after this call: take it off again.
            setTimeout(function () {
                // Unless a scene shown meanwhile asked for it.
                if (B.hidden[name]) { B.map.removeLayer(layer); }
            }, 0);
        }
    };

    B.onState = function (fn) { B.listeners.push(fn); fn(B.state); };
    B.setState = function (state) {
        B.state = state;
        B.listeners.forEach(function (fn) { fn(state); });
        if (B.map) { B.map.getContainer().setAttribute("data-state", JSON.stringify(state)); }
    };

    B.legend = function (map, opts) {
        var legend = L.control({position: opts.position || "bottomleft"});
        legend.onAdd = function () {
            var div = L.DomUtil.create("details", "map-legend");
            div.open = !!opts.open;
            div.innerHTML = "<summary>Legend</summary>" + opts.html;
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        legend.addTo(map);
    };

    /* Country outlines: the level of detail for the zoom, fetched once each. */
    B.countries = function (group, map, opts) {
        var contributors = new Set(), built = [], cache = {}, shown = null;
        function roleOf(p) {
            if (p.role === "host") { return "host"; }
            return contributors.has(p.iso_a3) ? "contributor" : "context";
        }
        function styleOf(f) { return opts.styles[roleOf(f.properties || {})]; }
        function pick(z) {
            for (var i = 0; i < opts.lods.length; i++) {
                var lod = opts.lods[i];
                if (z >= lod.min_zoom && z <= lod.max_zoom) { return lod; }
            }
            return opts.lods[opts.lods.length - 1];
        }
        function build(data) {
            var layer = L.geoJSON(data, {
                style: styleOf,
                onEachFeature: function (f, part) {
                    part.bindTooltip(esc((f.properties || {}).name), {sticky: true});
                }
            });
            built.push(layer);
            return layer;
        }
        function show() {
            var lod = pick(Math.round(map.getZoom()));
            if (shown === lod.url) { return; }
            shown = lod.url;
            var pending = cache[lod.url] || (cache[lod.url] = fetchJSON(lod.url).then(build));
            pending.then(function (layer) {
                if (shown !== lod.url) { return; }
                group.clearLayers();
                group.addLayer(layer);
                layer.bringToBack();
                map.getContainer().setAttribute("data-boundaries", lod.url);
            }).catch(function (err) {
                delete cache[lod.url];
                shown = null;
                console.warn("boundaries not loaded", err);
            });
        }
        map.on("zoomend", show);
        // Contributing nations follow the filters: restyle, never re-fetch.
        B.onState(function (state) {
            contributors = new Set(state.contributors || []);
            built.forEach(function (layer) { layer.setStyle(styleOf); });
        });
        show();
    };

    /* Sea areas: polygons fetched from the sites file; emphasised when active. */
    B.seaAreas = function (group, opts) {
        var active = new Set(), layer = null;
        function styleOf(f) {
            return active.has((f.properties || {}).id) ? opts.styles.active : opts.styles.inactive;
        }
        opts.labels.forEach(function (label) {
            L.marker([label.lat, label.lon], {
                interactive: false,
                keyboard: false,
                icon: L.divIcon({className: "sea-label-icon", iconSize: [140, 18],
                                 iconAnchor: [70, 9],
                                 html: '<div class="sea-label">' + label.name + "</div>"})
            }).addTo(group);
        });
        fetchJSON(opts.url).then(function (data) {
            layer = L.geoJSON(data, {
                filter: function (f) { return (f.properties || {}).kind === "sea_area"; },
                style: styleOf,
                interactive: false
            });
            group.addLayer(layer);
            layer.bringToBack();
        }).catch(function (err) { console.warn("sea areas not loaded", err); });
        B.onState(function (state) {
            active = new Set(state.active_seas || []);
            if (layer) { layer.setStyle(styleOf); }
        });
    };

    /* Your layers: uploaded GeoJSON features; names and properties arrive escaped. */
    B.overlays = function (group, data) {
        var style = data.style;
        L.geoJSON({type: "FeatureCollection", features: data.features}, {
            style: function () { return style; },
            pointToLayer: function (f, latlng) {
                return L.circleMarker(latlng, Object.assign({radius: 6}, style));
            },
            onEachFeature: function (f, layer) {
                var p = f.properties || {};
                var rows = (p.rows || []).map(function (r) {
                    return "<tr><th>" + r[0] + "</th><td>" + r[1] + "</td></tr>";
                }).join("");
                layer.bindPopup('<div class="dep-popup"><div class="title">' + p.name +
                    '</div><div class="meta">Your layer: ' + p.layer + "</div><table>" +
                    rows + "</table></div>");
            }
        }).addTo(group);
    };

    /* Sites: [lat, lon, kind, name] rows; labels shown from a zoom per kind (CSS). */
    B.sites = function (group, data) {
        data.sites.forEach(function (s) {
            L.circleMarker([s[0], s[1]], Object.assign({fill: true, fillOpacity: 1},
                                                      data.styles[s[2]]))
                .bindTooltip(s[3], {permanent: true, direction: "right", offset: [6, 0],
                                    className: "site-label site-label-" + s[2]})
                .addTo(group);
        });
    };

    /* A site's popup from its data (escaped texts; see layers/deployments.py popup_data).
       A line holds positions in the push's lists of nations, missions and sources. */
    function popupHtml(p, data) {
        var rows = p.r.map(function (r) {
            var nation = data.nations[r[0]];
            return '<tr class="status-' + r[3] + '"><td class="who"><span class="dot" ' +
                'style="background:' + nation[1] + '"></span><b>' + nation[0] + "</b><br>" +
                data.missions[r[1]] + "</td><td>" + r[2] + " \u00b7 <b>" + r[3] + "</b><br>" +
                r[4] + (r[5] ? "<br>" + r[5] : "") + '<br><span class="src">Source: ' +
                data.sources[r[6]] + "</span></td></tr>";
        }).join("");
        var more = p.x > 0 ?
            '<div class="more">\u2026 and ' + p.x + " more rows in the table</div>" : "";
        return '<div class="dep-popup"><div class="title">' + p.t + '</div><div class="meta">' +
            p.m + "</div><table>" + rows + "</table>" + more + "</div>";
    }

    /* Deployments: one marker per site, nation badges or an APP-6 symbol. */
    B.deployments = function (group, data) {
        data.markers.forEach(function (m) {
            var cls = "dep" + (m.sel ? " selected" : ""), html;
            var site = ' data-site="' + m.id + '"';
            if (m.svg) {
                html = '<div class="' + cls + ' dep-app6"' + site + ">" + m.svg + "</div>";
            } else {
                html = '<div class="' + cls + '"' + site + '><div class="dep-core" style="width:' + m.d +
                    "px;height:" + m.d + 'px">' + m.fig +
                    '</div><div class="dep-badges" style="left:' + (Math.floor(m.d / 2) + 4) +
                    'px">' + m.b.map(function (b) {
                        return '<span class="dep-badge status-' + b[2] + '" style="--c:' + b[1] +
                            '">' + b[0] + "</span>";
                    }).join("") + "</div></div>";
            }
            var marker = L.marker(m.ll, {
                icon: L.divIcon({html: html, className: "dep-icon", iconSize: [m.s, m.s],
                                 iconAnchor: [m.s / 2, m.s / 2]}),
                zIndexOffset: m.sel ? 1000 : 0,
                riseOnHover: true
            }).bindTooltip(m.tip)
                // Built when first opened, not for every marker on every push.
                .bindPopup(function () { return popupHtml(m.pop, data); }, {maxWidth: 420})
                .addTo(group);
            marker.on("click", function () { B.clicked = {site: m.id, at: Date.now()}; });
            // A click selects the site, which pushes the layers again and so closes the popup
            // it opened: open it again on the new marker.
            if (m.sel && B.clicked && B.clicked.site === m.id && Date.now() - B.clicked.at < 15000) {
                B.clicked = null;
                setTimeout(function () { marker.openPopup(); }, 0);
            }
        });
    };

    /* A quadratic Bezier from a to b ([lat, lon]), bent to the left of the straight line. */
    function curve(a, b, bend, points) {
        var cLat = (a[0] + b[0]) / 2 + bend * (b[1] - a[1]);
        var cLon = (a[1] + b[1]) / 2 - bend * (b[0] - a[0]);
        var out = [];
        for (var i = 0; i <= points; i++) {
            var t = i / points, u = 1 - t;
            out.push([u * u * a[0] + 2 * u * t * cLat + t * t * b[0],
                      u * u * a[1] + 2 * u * t * cLon + t * t * b[1]]);
        }
        return out;
    }
    B.curve = curve;

    /* Contribution lines: from a nation's anchor to a site, in the nation's colour. */
    B.contributions = function (group, data) {
        data.lines.forEach(function (l) {
            L.polyline(curve(l.a, l.b, data.bend, data.points),
                       Object.assign({color: l.c}, data.styles[l.st]))
                .bindTooltip(l.tip, {sticky: true})
                .addTo(group);
        });
    };

    /* The view of a scene: fly there once when the scene changes (not on every push), show
       its layers, and put its title and date over the map. */
    B.view = function (group, data) {
        var map = B.map;
        if (!data.scene) { B.lastScene = null; }
        if (data.scene && B.lastScene !== data.scene) {
            B.lastScene = data.scene;
            if (data.layers && data.layers.length) {
                var shown = new Set(data.layers);
                Object.keys(B.layers).forEach(function (name) {
                    var layer = B.layers[name].layer;
                    B.hidden[name] = !shown.has(name);
                    if (B.hidden[name]) {
                        setTimeout(function () {
                            if (B.hidden[name]) { map.removeLayer(layer); }
                        }, 0);
                    } else if (!map.hasLayer(layer)) {
                        map.addLayer(layer);
                    }
                });
            }
            if (data.bounds) {
                map.flyToBounds(data.bounds, {duration: data.instant ? 0 : 1.2, padding: [20, 20]});
            }
        }
        if (B.caption) { map.removeControl(B.caption); B.caption = null; }
        if (data.caption) {
            var caption = L.control({position: "topleft"});
            caption.onAdd = function () {
                var div = L.DomUtil.create("div", "map-caption");
                div.innerHTML = '<div class="caption-title">' + data.caption.title + "</div>" +
                    '<div class="caption-sub">' + data.caption.subtitle + "</div>" +
                    '<div class="caption-date">' + data.caption.when + "</div>";
                return div;
            };
            caption.addTo(map);
            B.caption = caption;
            map.getContainer().setAttribute("data-scene", data.scene || "");
        }
    };

    /* A shared briefing (a self-contained HTML file): the scenes' layers as data, stepped
       through with buttons or the arrow keys, in the same map as the app's. */
    B.player = function (scenes, titles) {
        var map = B.map, groups = [], current = -1;
        var bar = L.control({position: "bottomleft"});
        var label, prev, next;
        bar.onAdd = function () {
            var div = L.DomUtil.create("div", "player-bar");
            prev = L.DomUtil.create("button", "", div);
            prev.textContent = "\u25C0 Previous";
            label = L.DomUtil.create("span", "player-label", div);
            next = L.DomUtil.create("button", "", div);
            next.textContent = "Next \u25B6";
            L.DomEvent.on(prev, "click", function () { show(current - 1); });
            L.DomEvent.on(next, "click", function () { show(current + 1); });
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        bar.addTo(map);
        function show(i) {
            if (i < 0 || i >= scenes.length || i === current) { return; }
            groups.forEach(function (g) { map.removeLayer(g); });
            groups = [];
            var scene = scenes[i];
            ["contributions", "deployments", "events"].forEach(function (name) {
                var group = L.featureGroup();
                B[name](group, scene.layers[name]);
                B.register(name, titles[name], group);
                group.addTo(map);
                groups.push(group);
            });
            B.setState(scene.state);
            B.view(null, scene.view);
            current = i;
            label.textContent = "Scene " + (i + 1) + " of " + scenes.length;
            prev.disabled = i === 0;
            next.disabled = i === scenes.length - 1;
        }
        document.addEventListener("keydown", function (e) {
            if (e.key === "ArrowRight" || e.key === "PageDown") { show(current + 1); }
            if (e.key === "ArrowLeft" || e.key === "PageUp") { show(current - 1); }
        });
        show(0);
    };

    /* Events: small diamonds up and to the left of their site. */
    B.events = function (group, data) {
        var mark = '<span class="event-mark" style="border-color:' + data.style.color +
            ";background:" + data.style.fillColor + '"></span>';
        data.marks.forEach(function (e) {
            L.marker(e.ll, {icon: L.divIcon({html: mark, className: "event-icon",
                                             iconSize: [12, 12], iconAnchor: [e.x, 22]})})
                .bindTooltip(e.tip)
                .addTo(group);
        });
    };
})();

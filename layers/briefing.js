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
        // The map's size changes with its frame (presenter mode: the window; the stylesheet
        // may arrive after the map is made): Leaflet learns it, and a scene is fitted again.
        if (window.ResizeObserver) {
            new ResizeObserver(function () {
                var before = map.getSize();
                map.invalidateSize({pan: false});
                var after = map.getSize();
                if (before.x !== after.x || before.y !== after.y) { B.fitScene(false); }
            }).observe(map.getContainer());
        }
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
        if (opts.presenter && map.zoomControl) {
            // Clear of the title card (top left) and the legend (bottom right).
            map.zoomControl.setPosition("bottomleft");
        }
        // Markers and labels are placed again whenever the view changes (see B.declutter).
        map.on("moveend resize overlayadd overlayremove", B.schedule);
        B.schedule();
    };

    /* One declutter pass per frame at most, after whatever changed the map. */
    B.schedule = function () {
        if (B.pending) { return; }
        // While the time bar moves, placing is held until it settles (timebar.js).
        if (B.holdDeclutter) { B.deferred = true; return; }
        B.pending = true;
        window.requestAnimationFrame(function () {
            B.pending = false;
            if (B.map) { B.declutter(); }
        });
    };

    /* A layer joins the layer control; a hidden one stays hidden when pushed again. */
    B.register = function (name, title, layer) {
        var old = B.layers[name];
        if (old) { B.control.removeLayer(old.layer); }
        B.layers[name] = {title: title, layer: layer};
        B.control.addOverlay(layer, title);
        B.schedule();
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
        // Several pushes each hand over their part (the deployments, the view's story).
        state = Object.assign({}, B.state, state);
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
            div.addEventListener("toggle", B.schedule);
            B.legendEl = div;
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        legend.addTo(map);
    };

    /* Country outlines: the level of detail for the zoom, fetched once each. */
    B.countries = function (group, map, opts) {
        var contributors = new Set(), built = [], cache = {}, shown = null;
        var hosts = null;
        function roleOf(p) {
            // The view's story names its hosts; without one, the file's roles.
            if (hosts ? hosts.has(p.iso_a3) : p.role === "host") { return "host"; }
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
        // Names inside each country's largest part, from the zoom where they fit (CSS), placed
        // clear of markers and other names by B.declutter.
        var names = L.layerGroup();
        B.countryLabels = (opts.labels || []).map(function (row) {
            var marker = L.marker([row[1], row[2]], {
                interactive: false, keyboard: false,
                icon: L.divIcon({className: "country-label-icon", iconSize: [160, 16],
                                 iconAnchor: [80, 8],
                                 html: '<div class="country-label country-label-z' + row[3] +
                                     '">' + row[0] + "</div>"})
            }).addTo(names);
            marker.rank = 3;
            marker.code = row[4];
            return marker;
        });
        // The countries of the view's story are named at every zoom, before the others.
        function storyNames(state) {
            var told = new Set((state.hosts || []).concat(state.contributors || []));
            B.countryLabels.forEach(function (marker) {
                var inStory = told.has(marker.code), icon = marker.getElement();
                marker.rank = inStory ? 1.5 : 3;
                if (icon && icon.firstElementChild) {
                    icon.firstElementChild.classList.toggle("story", inStory);
                }
            });
            B.schedule();  // a name shown now is placed too
        }
        names.on("add", function () { setTimeout(function () { storyNames(B.state); }, 0); });
        function show() {
            var lod = pick(Math.round(map.getZoom()));
            if (shown === lod.url) { return; }
            shown = lod.url;
            var pending = cache[lod.url] || (cache[lod.url] = fetchJSON(lod.url).then(build));
            pending.then(function (layer) {
                if (shown !== lod.url) { return; }
                group.clearLayers();
                group.addLayer(layer);
                group.addLayer(names);
                layer.bringToBack();
                B.schedule();
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
            hosts = state.hosts ? new Set(state.hosts) : null;
            storyNames(state);
            // Only the countries whose role changed are restyled (the time bar changes a few
            // at a time, many times a second).
            built.forEach(function (layer) {
                layer.eachLayer(function (part) {
                    var role = roleOf((part.feature || {}).properties || {});
                    if (part.role !== role) { part.role = role; part.setStyle(opts.styles[role]); }
                });
            });
        });
        show();
    };

    /* Sea areas: polygons fetched from the sites file; emphasised when active. */
    B.seaAreas = function (group, opts) {
        var active = new Set(), layer = null;
        function styleOf(f) {
            return active.has((f.properties || {}).id) ? opts.styles.active : opts.styles.inactive;
        }
        B.seaLabels = opts.labels.map(function (label) {
            return L.marker([label.lat, label.lon], {
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
        B.siteMarkers = data.sites.map(function (s) {
            var marker = L.circleMarker([s[0], s[1]], Object.assign(
                {fill: true, fillOpacity: 1, className: "site-dot site-" + s[2]}, data.styles[s[2]]))
                .bindTooltip(s[3], {permanent: true, direction: "right", offset: [6, 0],
                                    className: "site-label site-label-" + s[2]})
                .addTo(group);
            marker.kind = s[2];
            marker.siteId = s[4];
            marker.fullStyle = data.styles[s[2]];
            return marker;
        });
        // The view's story: its sites in full, the others quietly or not at all.
        B.onState(function (state) {
            if (!state.sites) { return; }
            var named = new Set(state.sites), quiet = new Set(state.quiet || []);
            B.siteMarkers.forEach(function (marker) {
                var shown = named.has(marker.siteId) || quiet.has(marker.siteId);
                marker.quiet = !named.has(marker.siteId);
                if (!shown) { group.removeLayer(marker); return; }
                if (!group.hasLayer(marker)) { group.addLayer(marker); }
                marker.setStyle(marker.quiet ? data.quiet : marker.fullStyle);
                if (marker.quiet && marker.setRadius) { marker.setRadius(data.quiet.radius); }
                else if (marker.fullStyle.radius) { marker.setRadius(marker.fullStyle.radius); }
            });
            B.schedule();
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
        // Lines from a site to its marker moved aside (drawn by B.declutter).
        B.leaders = L.layerGroup().addTo(group);
        B.leaderStyle = data.leader;
        B.depMarkers = [];
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
                        return '<span class="dep-badge status-' + b[2] + '" data-n="' + b[0] +
                            '" style="--c:' + b[1] + '">' + b[0] + "</span>";
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
            marker.siteId = m.id;  // the time bar (timebar.js) finds its rows by it
            marker.siteName = m.nm;
            // Exact places keep their place; whole countries and sea areas move aside first.
            marker.isDeployment = true;
            marker.order = [{region: 2, sea_area: 1}[m.k] || 0, -(m.b ? m.b.length : 0), m.id];
            B.depMarkers.push(marker);
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
        // Badges where the lines of a nation out of view leave the map (drawn by B.declutter).
        B.edges = L.layerGroup().addTo(group);
        B.lines = data.lines.map(function (l) {
            var points = curve(l.a, l.b, data.bend, data.points);
            var layer = L.polyline(points, Object.assign({color: l.c, className: "contrib-" + l.st},
                                                         data.styles[l.st]))
                .bindTooltip(l.tip, {sticky: true})
                .addTo(group);
            return {points: points, code: l.n, color: l.c, site: l.site, layer: layer};
        });
    };

    /* The view of a scene: fly there once when the scene changes (not on every push), show
       its layers, and put its title and date over the map. */
    B.view = function (group, data) {
        var map = B.map;
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
        if (!data.scene) { B.lastScene = null; B.sceneBounds = null; }
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
            B.sceneBounds = data.bounds || null;
            B.fitScene(!data.instant);
        }
        B.schedule();
    };

    /* Fit the scene's bounds inside what the controls (title card, legend, zoom) leave free. */
    B.fitScene = function (animate) {
        var map = B.map;
        if (!B.sceneBounds) { return; }
        // Leaflet drops a new view while a zoom animation runs (the first fit of the base
        // map): fit once it ends.
        if (map._animatingZoom) {
            map.once("zoomend", function () { B.fitScene(animate); });
            return;
        }
        var padding = B.viewPadding();
        if (animate) {
            map.flyToBounds(B.sceneBounds, Object.assign({duration: 1.2}, padding));
        } else {
            map.fitBounds(B.sceneBounds, Object.assign({animate: false}, padding));
        }
    };

    /* Boxes of the map's controls, in pixels of the map: [left, top, right, bottom]. */
    function controlBoxes() {
        var container = B.map.getContainer(), origin = container.getBoundingClientRect();
        var boxes = [];
        container.querySelectorAll(".leaflet-control").forEach(function (el) {
            var r = el.getBoundingClientRect();
            if (r.width > 0 && r.height > 0) {
                boxes.push([r.left - origin.left, r.top - origin.top,
                            r.right - origin.left, r.bottom - origin.top]);
            }
        });
        return boxes;
    }
    B.controlBoxes = controlBoxes;

    /* fitBounds padding that keeps a scene's content clear of the controls: the band the
       top corners' controls take, and the band the bottom corners' take. */
    B.viewPadding = function () {
        var size = B.map.getSize(), top = 0, bottom = 0, margin = 14;
        controlBoxes().forEach(function (b) {
            if ((b[1] + b[3]) / 2 < size.y / 2) { top = Math.max(top, b[3]); }
            else { bottom = Math.max(bottom, size.y - b[1]); }
        });
        return {paddingTopLeft: [margin, top + margin],
                paddingBottomRight: [margin, bottom + margin]};
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
        B.eventMarkers = data.marks.map(function (e) {
            var marker = L.marker(e.ll, {icon: L.divIcon({html: mark, className: "event-icon",
                                                          iconSize: [12, 12],
                                                          iconAnchor: [e.x, 22]})})
                .bindTooltip(e.tip)
                .addTo(group);
            marker.order = [3, 0, ""];
            marker.row = e.k;  // the event's row in the time bar's columns
            return marker;
        });
    };

    /* Decluttering, recomputed whenever the view changes (as the static export does,
       export/draw.py): markers that would overlap move aside, with a leader line to their
       site; labels take a free place next to their point, or hide; nothing stays under a
       control; lines to nations out of view end at the map's edge with the nation's badge.
       Boxes are [left, top, right, bottom] in pixels of the map. */
    function area(a, b) {
        var w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        var h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        return w > 0 && h > 0 ? w * h : 0;
    }
    function hits(box, boxes) {
        for (var i = 0; i < boxes.length; i++) { if (area(box, boxes[i]) > 0) { return true; } }
        return false;
    }
    function moved(box, dx, dy) { return [box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy]; }
    function grown(box, by) { return [box[0] - by, box[1] - by, box[2] + by, box[3] + by]; }
    function within(box, frame) {
        return box[0] >= frame[0] && box[1] >= frame[1] && box[2] <= frame[2] &&
            box[3] <= frame[3];
    }
    function boxOf(elements, origin) {
        var box = null;
        elements.forEach(function (el) {
            var r = el.getBoundingClientRect();
            if (!r.width && !r.height) { return; }
            var b = [r.left - origin.left, r.top - origin.top, r.right - origin.left,
                     r.bottom - origin.top];
            box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]),
                         Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
        });
        return box;
    }
    function compare(a, b) {
        for (var i = 0; i < a.order.length; i++) {
            if (a.order[i] < b.order[i]) { return -1; }
            if (a.order[i] > b.order[i]) { return 1; }
        }
        return 0;
    }

    /* What a marker looks like on the map: its core and badges, or its symbol. */
    function markerParts(inner) {
        var parts = inner.querySelectorAll(".dep-core, .dep-badge");
        if (parts.length) { return Array.prototype.slice.call(parts); }
        // An APP-6 symbol: its frame and the texts drawn outside it (overflow is visible).
        var svg = inner.querySelector("svg");
        return svg ? [svg].concat(Array.prototype.slice.call(svg.querySelectorAll("text")))
            : [inner];
    }

    function placeMarkers(map, origin, frame, controls, cores) {
        var items = [];
        (B.depMarkers || []).concat(B.eventMarkers || []).forEach(function (marker) {
            var icon = marker.getElement();
            if (!icon || !map.hasLayer(marker) || !icon.firstElementChild || marker.timeHidden) {
                return;
            }
            var inner = icon.firstElementChild;
            inner.style.translate = "";
            var box = boxOf(markerParts(inner), origin);
            if (!box || area(box, frame) === 0) { return; }  // out of view
            var core = inner.querySelector(".dep-core") || inner;
            var r = core.getBoundingClientRect();
            items.push({marker: marker, inner: inner, box: box,
                        size: Math.min(r.width, r.height), order: marker.order});
        });
        items.sort(compare);
        var placed = [], leaders = B.leaders;
        if (leaders) { leaders.clearLayers(); }
        items.forEach(function (item) {
            var offset = freeOffset(item, placed, frame, controls);
            item.inner.style.translate = offset[0] || offset[1] ?
                offset[0] + "px " + offset[1] + "px" : "";
            placed.push(moved(item.box, offset[0], offset[1]));
            if (!offset[0] && !offset[1] && item.marker.isDeployment) {
                var c = item.inner.querySelector(".dep-core, svg");
                var cb = c && boxOf([c], origin);
                if (cb) { cores.push(cb); }  // a marker on its site covers the site's dot
            }
            if ((offset[0] || offset[1]) && leaders && map.hasLayer(leaders)) {
                var site = item.marker.getLatLng(), at = map.latLngToContainerPoint(site);
                var end = map.containerPointToLatLng([at.x + offset[0], at.y + offset[1]]);
                var style = Object.assign({interactive: false}, B.leaderStyle || {});
                L.polyline([site, end], style).addTo(leaders);
                L.circleMarker(site, Object.assign({}, style, {radius: 2.5, fill: true,
                    fillColor: style.color, fillOpacity: 1, weight: 0})).addTo(leaders);
            }
        });
        return placed;
    }

    /* Where a marker goes: its site when free, else the free spot on the nearest ring
       around it that is farthest from the markers already placed. */
    function freeOffset(item, placed, frame, controls) {
        var step = item.size + 14, centres = placed.map(function (b) {
            return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
        });
        var taken = placed.concat(controls);
        for (var ring = 0; ring < 8; ring++) {
            var directions = ring ? 16 : 1, best = null, room = -1;
            for (var k = 0; k < directions; k++) {
                var angle = -Math.PI / 2 + 2 * Math.PI * k / directions;
                var dx = Math.round(ring * step * Math.cos(angle));
                var dy = Math.round(ring * step * Math.sin(angle));
                var box = moved(item.box, dx, dy);
                if (ring && !within(box, frame)) { continue; }
                if (hits(box, taken)) { continue; }
                if (!ring) { return [0, 0]; }
                var cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2, near = Infinity;
                centres.forEach(function (c) {
                    near = Math.min(near, Math.hypot(c[0] - cx, c[1] - cy));
                });
                if (near > room) { best = [dx, dy]; room = near; }
            }
            if (best) { return best; }
        }
        return [0, 0];
    }

    /* Candidate shifts of a label box: around its point for a site's name (right of the
       dot first, as drawn), near its anchor for an area's name. */
    function labelShifts(box, point, aroundPoint) {
        var w = box[2] - box[0], h = box[3] - box[1];
        if (aroundPoint) {
            // Close to the dot first; farther out when a marker sits on the site.
            var spots = [];
            [8, 18, 30].forEach(function (gap) {
                var d = gap * 0.7;
                spots.push([point.x + gap, point.y - h / 2], [point.x - gap - w, point.y - h / 2],
                           [point.x - w / 2, point.y - gap - h], [point.x - w / 2, point.y + gap],
                           [point.x + d, point.y - d - h], [point.x + d, point.y + d],
                           [point.x - d - w, point.y - d - h], [point.x - d - w, point.y + d]);
            });
            return spots.map(function (s) { return [s[0] - box[0], s[1] - box[1]]; });
        }
        var out = [[0, 0]];
        [1, 2, 3].forEach(function (n) {
            out.push([0, -n * h], [0, n * h], [-n * w / 3, 0], [n * w / 3, 0]);
        });
        return out;
    }

    /* The contribution lines on the map as segments [x0, y0, x1, y1] in pixels of the map. */
    function lineSegments(map, frame) {
        var segs = [];
        if (!B.edges || !map.hasLayer(B.edges)) { return segs; }  // the layer is off
        (B.lines || []).forEach(function (line) {
            var prev = null;
            line.points.forEach(function (ll) {
                var p = map.latLngToContainerPoint(ll);
                if (prev) {
                    var s = [prev.x, prev.y, p.x, p.y];
                    if (area(grown([Math.min(s[0], s[2]), Math.min(s[1], s[3]),
                                    Math.max(s[0], s[2]), Math.max(s[1], s[3])], 1), frame)) {
                        segs.push(s);
                    }
                }
                prev = p;
            });
        });
        return segs;
    }

    /* Whether a segment crosses a box (Liang-Barsky clipping). */
    function segmentHits(box, s) {
        var t0 = 0, t1 = 1, dx = s[2] - s[0], dy = s[3] - s[1];
        var p = [-dx, dx, -dy, dy], q = [s[0] - box[0], box[2] - s[0], s[1] - box[1],
                                         box[3] - s[1]];
        for (var i = 0; i < 4; i++) {
            if (p[i] === 0) { if (q[i] < 0) { return false; } continue; }
            var t = q[i] / p[i];
            if (p[i] < 0) { if (t > t1) { return false; } if (t > t0) { t0 = t; } }
            else { if (t < t0) { return false; } if (t < t1) { t1 = t; } }
        }
        return true;
    }
    function crossed(box, segs) {
        for (var i = 0; i < segs.length; i++) { if (segmentHits(box, segs[i])) { return true; } }
        return false;
    }

    function placeLabels(map, origin, frame, taken) {
        var labels = [], segs = lineSegments(map, frame);
        (B.siteMarkers || []).forEach(function (marker) {
            var tip = marker.getTooltip(), el = tip && tip.getElement();
            if (el && map.hasLayer(marker)) {
                el.classList.toggle("quiet", !!marker.quiet);
                labels.push({el: el, point: map.latLngToContainerPoint(marker.getLatLng()),
                             around: true,
                             rank: marker.quiet ? 2.5 : marker.kind === "city" ? 1 : 0});
            }
        });
        (B.seaLabels || []).concat(B.countryLabels || []).forEach(function (marker) {
            var icon = marker.getElement();
            if (icon && map.hasLayer(marker) && icon.firstElementChild) {
                labels.push({el: icon.firstElementChild, around: false,
                             rank: marker.rank || 2});
            }
        });
        labels.sort(function (a, b) { return a.rank - b.rank; });
        // Sites' dots: no name sits on another site.
        (B.siteMarkers || []).forEach(function (marker) {
            if (!map.hasLayer(marker)) { return; }
            var p = map.latLngToContainerPoint(marker.getLatLng());
            if (p.x >= 0 && p.y >= 0 && p.x <= frame[2] && p.y <= frame[3]) {
                taken.push([p.x - 4, p.y - 4, p.x + 4, p.y + 4]);
            }
        });
        var dots = taken.length;
        labels.forEach(function (label) {
            var el = label.el;
            el.style.translate = "";
            el.classList.remove("label-hidden");
            var box = boxOf([el], origin);
            if (!box || area(box, frame) === 0) { return; }  // not shown, or out of view
            // A site's own dot is not in its way.
            var others = label.around ? taken.filter(function (b, i) {
                return i >= dots || !within(b, grown([label.point.x, label.point.y,
                                                      label.point.x, label.point.y], 5));
            }) : taken;
            var shifts = labelShifts(box, label.point, label.around);
            // Off the contribution lines where a free place exists; else across them.
            for (var pass = 0; pass < 2; pass++) {
                for (var i = 0; i < shifts.length; i++) {
                    var spot = moved(box, shifts[i][0], shifts[i][1]);
                    if (within(spot, frame) && !hits(grown(spot, 1), others) &&
                            (pass || !crossed(spot, segs))) {
                        el.style.translate = shifts[i][0] + "px " + shifts[i][1] + "px";
                        taken.push(spot);
                        return;
                    }
                }
            }
            el.classList.add("label-hidden");
        });
    }

    /* A nation's lines that come from out of view: its badge where each leaves the map
       (or goes under a control), one badge per nation and edge spot. */
    function placeEdgeBadges(map, origin, frame, controls) {
        var edges = B.edges, boxes = [];
        if (!edges) { return boxes; }
        edges.clearLayers();
        if (!map.hasLayer(edges)) { return boxes; }
        // The badge's centre stays far enough inside for the whole badge to show.
        var inner = grown(frame, -16), spots = [];
        var clear = controls.map(function (b) { return grown(b, 14); });
        (B.lines || []).forEach(function (line) {
            if (line.hidden) { return; }  // not on the time bar's day
            var pts = line.points.map(function (ll) { return map.latLngToContainerPoint(ll); });
            function free(p) {
                return within([p.x, p.y, p.x, p.y], inner) &&
                    !hits([p.x, p.y, p.x + 0.1, p.y + 0.1], clear);
            }
            if (free(pts[0]) || !free(pts[pts.length - 1])) { return; }  // start in view
            var i = pts.length - 1;
            while (i > 0 && free(pts[i - 1])) { i--; }
            // Halve the last step to the edge: [a, b] with a out, b in.
            var a = pts[i - 1], b = pts[i];
            for (var n = 0; n < 12; n++) {
                var mid = L.point((a.x + b.x) / 2, (a.y + b.y) / 2);
                if (free(mid)) { b = mid; } else { a = mid; }
            }
            var near = spots.some(function (s) {
                return s.code === line.code && Math.hypot(s.p.x - b.x, s.p.y - b.y) < 40;
            });
            if (near) { return; }
            spots.push({code: line.code, p: b});
            var badge = L.marker(map.containerPointToLatLng(b), {
                interactive: false, keyboard: false,
                icon: L.divIcon({className: "edge-badge-icon", iconSize: [0, 0],
                                 html: '<span class="dep-badge edge-badge" style="--c:' +
                                     line.color + '">' + line.code + "</span>"})
            }).addTo(edges);
            var box = boxOf([badge.getElement().firstElementChild], origin);
            if (box) { boxes.push(box); }
        });
        return boxes;
    }

    /* A site's dot under a marker that sits on the site is not seen: marked, so that the
       legend does not list its kind for it. */
    function markCovered(map, cores) {
        (B.siteMarkers || []).forEach(function (marker) {
            var el = marker.getElement && marker.getElement();
            if (!el) { return; }
            var under = false;
            if (map.hasLayer(marker)) {
                var p = map.latLngToContainerPoint(marker.getLatLng());
                under = cores.some(function (c) {
                    return p.x >= c[0] && p.x <= c[2] && p.y >= c[1] && p.y <= c[3];
                });
            }
            el.classList.toggle("under-marker", under);
        });
    }

    /* The legend lists only what the map draws: the layers shown, and of their entries
       those whose selector finds something seen in the map's frame. */
    function updateLegend(map) {
        var legend = B.legendEl;
        if (!legend) { return; }
        var container = map.getContainer(), origin = container.getBoundingClientRect();
        // Seen: drawn, and within the map's frame (a site far out of view is not).
        function seen(selector) {
            var found = container.querySelectorAll(selector);
            for (var i = 0; i < found.length; i++) {
                if (found[i].closest(".map-legend")) { continue; }  // its own swatches
                var r = found[i].getBoundingClientRect();
                if ((r.width || r.height) && r.right > origin.left && r.left < origin.right &&
                    r.bottom > origin.top && r.top < origin.bottom) { return true; }
            }
            return false;
        }
        legend.querySelectorAll(".legend-block").forEach(function (block) {
            var entry = B.layers[block.getAttribute("data-layer")];
            var shown = !entry || map.hasLayer(entry.layer), rows = 0;
            block.querySelectorAll(".legend-row").forEach(function (row) {
                var selector = row.getAttribute("data-shows");
                var on = shown && (!selector || seen(selector));
                row.hidden = !on;
                rows += on ? 1 : 0;
            });
            block.hidden = !rows;
        });
    }

    B.declutter = function () {
        var map = B.map, container = map.getContainer();
        var origin = container.getBoundingClientRect();
        var frame = [0, 0, origin.width, origin.height];
        var controls = controlBoxes().map(function (b) { return grown(b, 4); });
        var edges = placeEdgeBadges(map, origin, frame, controls), cores = [];
        var markers = placeMarkers(map, origin, frame, controls.concat(edges), cores);
        markCovered(map, cores);
        updateLegend(map);
        placeLabels(map, origin, frame, controls.concat(edges, markers));
        container.setAttribute("data-decluttered", String(Date.now()));
    };
})();

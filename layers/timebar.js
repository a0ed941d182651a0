/*
 * The time bar: scrub and play the briefing's days in the browser, no rerun while moving.
 *
 * Served as a static file after briefing.js (layers/assets.py). The columns arrive once with
 * the filtered layers (layers/timebar.py time_columns); the filter functions at the top are
 * pure and also run under node (tests/test_timebar.py), which compares them with
 * geo/filters.py. When the bar settles (released, paused, or idle 300 ms) the day goes back
 * to the app once, through streamlit-folium's returned "selected_tags".
 *
 * Texts that arrive in the columns (site ids, nation codes) were escaped on the server; the
 * day shown is made here from numbers and put in as text.
 */
(function (root) {
    "use strict";

    var OPEN_START = -2147483648, OPEN_END = 2147483647, DAY_MS = 86400000;
    var SETTLE_MS = 300;

    /* Typed columns: an unstated start and an empty end become the widest day numbers, so
       the test per row is two comparisons. */
    function prepare(cols) {
        function typed(part) {
            var n = part.s.length, s = new Int32Array(n), e = new Int32Array(n);
            for (var i = 0; i < n; i++) {
                s[i] = part.o[i] || part.s[i] === null ? OPEN_START : part.s[i];
                e[i] = part.e[i] === null ? OPEN_END : part.e[i];
            }
            return {s: s, e: e, n: n, site: Int32Array.from(part.site)};
        }
        var rows = typed(cols.rows), events = typed(cols.events);
        rows.nation = Int32Array.from(cols.rows.nation);
        rows.host = Int32Array.from(cols.rows.host);
        rows.st = Int32Array.from(cols.rows.st);
        rows.p = Int32Array.from(cols.rows.p);
        return {cols: cols, rows: rows, events: events,
                declined: cols.statuses.indexOf("declined")};
    }

    /* Rows active on a day: start <= day <= end, both inclusive, open ends open. */
    function activeRows(prep, day) {
        var r = prep.rows, out = new Uint8Array(r.n);
        for (var i = 0; i < r.n; i++) { out[i] = r.s[i] <= day && r.e[i] >= day ? 1 : 0; }
        return out;
    }

    /* Events of the `recent` days up to a day (geo.dataset.select, "as of a day"). */
    function activeEvents(prep, day) {
        var ev = prep.events, from = day - prep.cols.recent, out = new Uint8Array(ev.n);
        for (var i = 0; i < ev.n; i++) { out[i] = ev.s[i] <= day && ev.e[i] >= from ? 1 : 0; }
        return out;
    }

    function diameter(marker, personnel, known) {
        if (!known || personnel <= 0) { return marker.low; }
        return Math.round(marker.low + (marker.high - marker.low) *
            Math.sqrt(Math.min(personnel, marker.full)) / Math.sqrt(marker.full));
    }

    /* What a day shows: per site its personnel and per (site, nation) the best status; the
       contributing nations, hosts and named sites (geo.story). */
    function dayView(prep, day) {
        var cols = prep.cols, r = prep.rows, nn = cols.nations.length || 1;
        var nSites = cols.sites.length, rows = activeRows(prep, day);
        var events = activeEvents(prep, day);
        var pair = new Int32Array(nSites * nn).fill(-1);
        var people = new Float64Array(nSites), known = new Uint8Array(nSites);
        var shown = new Uint8Array(nSites), named = new Uint8Array(nSites);
        var contributors = new Uint8Array(nn), hosts = new Uint8Array(cols.hosts.length);
        for (var i = 0; i < r.n; i++) {
            if (!rows[i]) { continue; }
            var site = r.site[i], k = site * nn + r.nation[i];
            shown[site] = 1;
            named[site] = 1;
            if (pair[k] < 0 || r.st[i] < pair[k]) { pair[k] = r.st[i]; }
            if (r.p[i] >= 0) { people[site] += r.p[i]; known[site] = 1; }
            if (r.st[i] !== prep.declined) {
                contributors[r.nation[i]] = 1;
                if (r.host[i] >= 0) { hosts[r.host[i]] = 1; }
            }
        }
        if (cols.with_events) {
            for (var j = 0; j < events.length; j++) {
                if (events[j] && prep.events.site[j] >= 0) { named[prep.events.site[j]] = 1; }
            }
        }
        return {day: day, rows: rows, events: events, pair: pair, people: people, known: known,
                shown: shown, named: named, contributors: contributors, hosts: hosts};
    }

    function picked(flags, names) {
        var out = [];
        for (var i = 0; i < flags.length; i++) { if (flags[i]) { out.push(names[i]); } }
        return out;
    }

    /* Day numbers and dates: UTC, so no time zone moves a day. */
    function isoDay(day) { return new Date(day * DAY_MS).toISOString().slice(0, 10); }
    function dayText(day) {
        return new Date(day * DAY_MS).toLocaleDateString("en-GB", {
            day: "numeric", month: "short", year: "numeric", timeZone: "UTC"});
    }
    function addMonths(day, months) {
        var d = new Date(day * DAY_MS), target = d.getUTCMonth() + months;
        var out = new Date(Date.UTC(d.getUTCFullYear(), target, 1));
        var last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
        out.setUTCDate(Math.min(d.getUTCDate(), last));
        return Math.round(out.getTime() / DAY_MS);
    }

    var api = {prepare: prepare, activeRows: activeRows, activeEvents: activeEvents,
               dayView: dayView, diameter: diameter, isoDay: isoDay, addMonths: addMonths};
    if (typeof module !== "undefined" && module.exports) { module.exports = api; }
    var B = root.briefing;
    if (!B || typeof L === "undefined") { return; }
    B.time = api;

    /* The map follows a day: toggles and restyles what is there, builds nothing. */
    function apply(T, view) {
        var cols = T.prep.cols, nn = cols.nations.length || 1;
        var siteIndex = T.siteIndex, nationIndex = T.nationIndex;
        (B.depMarkers || []).forEach(function (marker) {
            var el = marker.getElement(), site = siteIndex[marker.siteId];
            if (!el || site === undefined) { return; }
            parts(marker, el);
            var on = !!view.shown[site];
            marker.timeHidden = !on;
            el.style.display = on ? "" : "none";
            if (!on) { return; }
            var codes = cols.nations.filter(function (code, n) { return view.pair[site * nn + n] >= 0; });
            var tip = marker.siteName + ": " + codes.join(", ");
            if (marker.tipText !== tip) { marker.tipText = tip; marker.setTooltipContent(tip); }
            if (!marker.badges) { return; }
            marker.badges.forEach(function (badge) {
                var rank = view.pair[site * nn + nationIndex[badge.code]];
                badge.el.style.display = rank >= 0 ? "" : "none";
                var status = cols.statuses[rank] || "unknown";
                if (badge.status !== status) {
                    badge.el.classList.remove("status-" + badge.status);
                    badge.el.classList.add("status-" + status);
                    badge.status = status;
                }
            });
            var d = diameter(cols.marker, view.people[site], view.known[site]);
            if (marker.core && marker.size !== d) {
                marker.size = d;
                marker.core.style.width = marker.core.style.height = d + "px";
                el.style.width = el.style.height = d + "px";
                el.style.marginLeft = el.style.marginTop = -d / 2 + "px";
                if (marker.badgeBox) { marker.badgeBox.style.left = Math.floor(d / 2) + 4 + "px"; }
            }
            if (marker.core) {
                var fig = view.known[site] ? String(view.people[site]) : "";
                if (marker.core.textContent !== fig) { marker.core.textContent = fig; }
            }
        });
        (B.lines || []).forEach(function (line) {
            var site = siteIndex[line.site], nation = nationIndex[line.code];
            var on = site !== undefined && nation !== undefined &&
                view.pair[site * nn + nation] >= 0;
            line.hidden = !on;
            var path = line.layer && line.layer.getElement();
            if (path) { path.style.display = on ? "" : "none"; }
        });
        (B.eventMarkers || []).forEach(function (marker) {
            var el = marker.getElement(), on = !!view.events[marker.row];
            marker.timeHidden = !on;
            if (el) { el.style.display = on ? "" : "none"; }
        });
        // The shading and the story's sites: restyled only when they change.
        var named = picked(view.named, cols.sites), state = {
            active_seas: cols.seas.filter(function (i) { return view.shown[i]; })
                .map(function (i) { return cols.sites[i]; }),
            contributors: picked(view.contributors, cols.nations),
            hosts: picked(view.hosts, cols.hosts),
            sites: named
        };
        if (cols.quiet) {
            var inStory = new Set(named);
            state.quiet = cols.quiet.filter(function (s) { return !inStory.has(s); });
        }
        var key = JSON.stringify(state);
        if (key !== T.stateKey) { T.stateKey = key; B.setState(state); }
        var container = B.map.getContainer();
        container.setAttribute("data-time-day", isoDay(view.day));
        container.setAttribute("data-time-rows", String(countOn(view.rows)));
    }

    function countOn(flags) {
        var n = 0;
        for (var i = 0; i < flags.length; i++) { n += flags[i]; }
        return n;
    }

    /* A marker's parts (core, badges), found once per icon element: Leaflet makes the
       element again when a layer is shown again. */
    function parts(marker, el) {
        if (marker.partsOf === el) { return; }
        marker.partsOf = el;
        marker.core = el.querySelector(".dep-core");
        marker.badgeBox = el.querySelector(".dep-badges");
        marker.size = marker.core ? parseFloat(marker.core.style.width) : null;
        marker.badges = Array.prototype.map.call(el.querySelectorAll(".dep-badge"), function (b) {
            var status = (b.className.match(/status-(\S+)/) || [])[1] || "unknown";
            return {el: b, code: b.getAttribute("data-n"), status: status};
        });
    }

    /* Where each site and nation sits in the columns; a layer shown again is set again. */
    function index(T) {
        T.siteIndex = {};
        T.prep.cols.sites.forEach(function (s, i) { T.siteIndex[s] = i; });
        T.nationIndex = {};
        T.prep.cols.nations.forEach(function (n, i) { T.nationIndex[n] = i; });
        ["deployments", "events", "contributions"].forEach(function (name) {
            var entry = B.layers[name];
            if (entry && !entry.layer.timeHooked) {
                entry.layer.timeHooked = true;
                entry.layer.on("add", function () {
                    if (B.timeState) { render(B.timeState); }
                });
            }
        });
    }

    /* Back to the app once the bar settles, as streamlit-folium's returned value. */
    function settle(T) {
        clearTimeout(T.idle);
        if (T.playing) { return; }
        // Markers and labels are placed again once, now that the day stands still.
        B.holdDeclutter = false;
        if (B.deferred) { B.deferred = false; B.schedule(); }
        if (T.day === T.sent) { return; }
        T.sent = T.day;
        T.history[T.day] = true;
        var g = root.__GLOBAL_DATA__, S = root.Streamlit;
        if (!g || !S) { return; }  // a shared HTML file: no app to tell
        g.selected_tags = ["day:" + isoDay(T.day), "n:" + Date.now() + "-" + (++T.seq)];
        // The shape streamlit-folium itself sends, so a later move of the map sends nothing.
        var data = Object.assign({}, g.previous_data || {}, {selected_tags: g.selected_tags});
        g.previous_data = data;
        S.setComponentValue(data);
        B.map.getContainer().setAttribute("data-time-sent", isoDay(T.day));
    }

    function render(T, started) {
        if (T.frame) { return; }
        T.frame = root.requestAnimationFrame(function () {
            T.frame = 0;
            apply(T, dayView(T.prep, T.day));
            if (started !== undefined) {
                // The layout the changes need, done now: part of the frame's time.
                B.map.getContainer().getBoundingClientRect();
                T.frames.push(root.performance.now() - started);
                if (T.frames.length > 2000) { T.frames.shift(); }
            }
        });
    }

    function setDay(T, day, started) {
        // Moving: placing markers and labels (B.declutter, a layout per label) waits for the
        // bar to settle; each frame only shows, hides and restyles.
        if (started !== undefined) { B.holdDeclutter = true; }
        day = Math.max(T.prep.cols.first, Math.min(T.prep.cols.last, day));
        T.day = day;
        T.input.value = String(day);
        T.label.textContent = dayText(day);
        T.input.setAttribute("aria-valuetext", dayText(day));
        render(T, started);
    }

    function idleSettle(T) {
        clearTimeout(T.idle);
        T.idle = setTimeout(function () { settle(T); }, SETTLE_MS);
    }

    function play(T, on) {
        T.playing = on;
        T.button.textContent = on ? "\u275A\u275A" : "\u25B6";
        T.button.setAttribute("aria-label", on ? "Pause" : "Play");
        if (!on) { settle(T); return; }
        if (T.day >= T.prep.cols.last) { setDay(T, T.prep.cols.first); }
        var last = root.performance.now(), carry = 0;
        function tick(now) {
            if (!T.playing) { return; }
            carry += (now - last) / 1000 * T.speed;
            last = now;
            var whole = Math.floor(carry);
            if (whole > 0) {
                carry -= whole;
                setDay(T, T.day + whole, now);
                if (T.day >= T.prep.cols.last) { play(T, false); return; }
            }
            root.requestAnimationFrame(tick);
        }
        root.requestAnimationFrame(tick);
    }

    function control(T, presenter) {
        var bar = L.control({position: presenter ? "bottomleft" : "topleft"});
        bar.onAdd = function () {
            var div = L.DomUtil.create("div", "time-bar");
            div.setAttribute("data-testid", "time-bar");
            T.button = L.DomUtil.create("button", "time-play", div);
            T.button.type = "button";
            T.button.textContent = "\u25B6";
            T.button.setAttribute("aria-label", "Play");
            T.input = L.DomUtil.create("input", "time-scrub", div);
            T.input.type = "range";
            T.input.step = "1";
            T.input.setAttribute("data-testid", "time-scrub");
            T.input.setAttribute("aria-label", "Day shown on the map");
            T.label = L.DomUtil.create("output", "time-day", div);
            T.label.setAttribute("data-testid", "time-day");
            var speed = L.DomUtil.create("select", "time-speed", div);
            speed.setAttribute("aria-label", "Play speed, days per second");
            [1, 7, 30, 91].forEach(function (n) {
                var option = document.createElement("option");
                option.value = String(n);
                option.textContent = n + " d/s";
                speed.appendChild(option);
            });
            speed.value = String(T.speed);
            L.DomEvent.on(speed, "change", function () { T.speed = Number(speed.value); });
            L.DomEvent.on(T.button, "click", function () { play(T, !T.playing); });
            L.DomEvent.on(T.input, "input", function (e) {
                setDay(T, Number(T.input.value), e.timeStamp || root.performance.now());
                idleSettle(T);
            });
            L.DomEvent.on(T.input, "change", function () { settle(T); });
            L.DomEvent.on(div, "keydown", function (e) {
                var step = {ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1}[e.key];
                var months = {PageUp: 1, PageDown: -1}[e.key];
                if (e.key === " " || e.key === "Spacebar") {
                    L.DomEvent.preventDefault(e);
                    play(T, !T.playing);
                    return;
                }
                if (step === undefined && months === undefined) { return; }
                if (e.target === speed) { return; }
                L.DomEvent.preventDefault(e);
                setDay(T, step !== undefined ? T.day + step : addMonths(T.day, months),
                       e.timeStamp || root.performance.now());
                idleSettle(T);
            });
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        bar.addTo(B.map);
        return bar;
    }

    /* Pushed with the filtered layers (after them): the day, and the columns or the URL of
       their file (fetched once per filter, then kept). Until they arrive the layers, drawn
       for every date, stay hidden. */
    var files = {};
    B.timebar = function (group, data) {
        var container = B.map.getContainer(), token = {};
        B.timePending = token;
        var ready = data.url ? files[data.url] : data;
        if (ready) {
            container.classList.remove("time-pending");
            start(Object.assign({}, ready, {day: data.day, first: data.first, last: data.last}));
            return;
        }
        container.classList.add("time-pending");
        fetch(data.url).then(function (r) {
            if (!r.ok) { throw new Error(data.url + ": " + r.status); }
            return r.json();
        }).then(function (cols) {
            files[data.url] = cols;
            if (B.timePending !== token) { return; }  // a later push took over
            container.classList.remove("time-pending");
            start(Object.assign({}, cols, {day: data.day, first: data.first, last: data.last}));
        }).catch(function (err) {
            container.classList.remove("time-pending");
            console.warn("time bar columns not loaded", err);
        });
    };

    function start(cols) {
        var T = B.timeState;
        var presenter = B.map.getContainer().classList.contains("presenter");
        if (!T) {
            T = B.timeState = {speed: 7, seq: 0, frames: [], playing: false, history: {}};
            T.bar = control(T, presenter);
        }
        T.prep = prepare(cols);
        T.input.min = String(cols.first);
        T.input.max = String(cols.last);
        T.stateKey = null;
        index(T);
        // The app's day, unless the bar is moving (then the bar's day stands, and is sent).
        // A push for a day the bar sent before its latest is late: the latest stands.
        var stale = T.history[cols.day] && cols.day !== T.sent;
        var moving = T.playing || T.idle && T.day !== T.sent || stale;
        if (!moving) { T.sent = cols.day; }
        setDay(T, moving ? T.day : cols.day);
        // streamlit-folium adds the pushed groups to the map after their scripts ran: apply
        // the day right after (a microtask, before anything is painted), not a frame later.
        root.cancelAnimationFrame(T.frame);
        T.frame = 0;
        Promise.resolve().then(function () {
            if (B.timeState === T) { apply(T, dayView(T.prep, T.day)); B.schedule(); }
        });
    }

    /* Another time mode: no bar (pushed instead of the columns). */
    B.timebarOff = function () {
        var T = B.timeState;
        B.timePending = null;
        B.map.getContainer().classList.remove("time-pending");
        if (!T) { return; }
        play(T, false);
        clearTimeout(T.idle);
        B.holdDeclutter = false;
        B.map.removeControl(T.bar);
        B.timeState = null;
    };
})(typeof window !== "undefined" ? window : globalThis);

/// The hub's web dashboard: one self-contained HTML page the hub serves at `GET /`.
///
/// Everything the page needs is inline (style, script, charts drawn as SVG); it loads no font,
/// script or image from elsewhere, because the home network the hub lives on may be offline.
/// The page polls the hub's JSON API (`/api/v1/health`, `/api/v1/sensors` and
/// `/api/v1/sensors/{id}/readings`). Its charts show the last 30 minutes, fetched reading by
/// reading and incrementally with `since`, or the last 24 hours or 7 days, fetched as the hub's
/// buckets (`bucket_seconds`: a few hundred per chart, drawn as the mean and a band from the
/// minimum to the maximum). The range is chosen with buttons or the URL's fragment (`#24h`, `#7d`).
///
/// Test hooks: every sensor card carries `data-sensor-id="<id>"` and holds an element with class
/// `value` whose text is the latest value (empty while the sensor has no reading), and an
/// element with class `chart` whose `data-points` is how many points its line has and whose
/// `data-first` and `data-last` are the RFC 3339 times of the first and last of them.
/// The text is pure ASCII, so its UTF-8 bytes are its characters.
public enum DashboardPage {
  /// The media type to send with `html`.
  public static let contentType: String = "text/html; charset=utf-8"

  /// The complete page, served as is.
  public static let html: String = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>Loam hub</title>
    <link rel="icon" href="data:,">
    <style>
    :root {
      --bg: #f4f5f7; --card: #ffffff; --text: #1b1f24; --muted: #57606a; --line: #d8dde3;
      --ok: #1a7f37; --warn-bg: #fff4d6; --warn-text: #6b4a00;
      --bad-bg: #ffe3e3; --bad-text: #8a1c1c;
      --c-soil_moisture: #2f8a3e; --c-temperature: #c2571a; --c-humidity: #1f6fd1;
      --c-tvoc: #8a4fd1; --c-eco2: #0f8a8a; --c-co2: #6b7f1f; --c-other: #57606a;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #0f1216; --card: #181c22; --text: #e6e9ed; --muted: #9aa4af; --line: #2c333c;
        --ok: #4ac26b; --warn-bg: #3b2f0c; --warn-text: #f5d27a; --bad-bg: #3d1618;
        --bad-text: #ffb4b4; --c-soil_moisture: #5cc46e; --c-temperature: #f08a4b;
        --c-humidity: #5fa3f5; --c-tvoc: #b88af0; --c-eco2: #3fc7c7; --c-co2: #a9c24a;
        --c-other: #9aa4af;
      }
    }
    * { box-sizing: border-box; }
    body {
      margin: 0; background: var(--bg); color: var(--text); line-height: 1.4;
      font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
        sans-serif;
    }
    header {
      display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px;
      padding: 12px 16px; background: var(--card); border-bottom: 1px solid var(--line);
    }
    h1 { font-size: 1.15rem; margin: 0; margin-right: auto; }
    #health { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0; font-size: .85rem; }
    #health div { display: flex; gap: 4px; }
    #health dt { color: var(--muted); }
    #health dd { margin: 0; font-variant-numeric: tabular-nums; }
    .pill { font-weight: 600; }
    .pill.ok { color: var(--ok); }
    .pill.down { color: var(--bad-text); }
    #ranges { display: flex; gap: 4px; }
    #ranges button { font: inherit; font-size: .85rem; padding: 2px 10px; border-radius: 6px;
      border: 1px solid var(--line); background: var(--bg); color: var(--text); cursor: pointer; }
    #ranges button[aria-pressed="true"] { background: var(--text); color: var(--card);
      border-color: var(--text); }
    #banner { margin: 12px 16px 0; padding: 10px 14px; border-radius: 8px; font-weight: 500; }
    #banner.down { background: var(--bad-bg); color: var(--bad-text); }
    #banner.up { background: var(--warn-bg); color: var(--warn-text); }
    main { padding: 4px 16px 24px; max-width: 1280px; margin: 0 auto; }
    h2 { font-size: 1rem; margin: 18px 0 8px; }
    h2 small { color: var(--muted); font-weight: 400; font-family: ui-monospace, monospace; }
    .grid {
      display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr));
    }
    .card {
      background: var(--card); border: 1px solid var(--line); border-radius: 10px;
      padding: 12px 14px 10px; border-top: 3px solid var(--c);
    }
    .card h3 { display: flex; justify-content: space-between; gap: 8px; margin: 0;
      font-size: .9rem; font-weight: 600; color: var(--muted); }
    .card h3 small { font: 400 .75rem ui-monospace, monospace; overflow: hidden;
      text-overflow: ellipsis; white-space: nowrap; }
    .reading {
      display: flex; align-items: baseline; gap: 6px; margin: 2px 0 0; min-height: 2.7rem;
    }
    .value { font-size: 1.9rem; font-weight: 600; font-variant-numeric: tabular-nums; }
    .unit { color: var(--muted); }
    .missing { font-size: 1.9rem; color: var(--muted); }
    .age { font-size: .8rem; color: var(--muted); margin: 0 0 6px; min-height: 1.2em; }
    .age.stale { color: var(--warn-text); background: var(--warn-bg); display: inline-block;
      padding: 0 6px; border-radius: 4px; font-weight: 600; }
    .chart { position: relative; height: 84px; margin: 4px 0 0; padding-right: 64px; }
    .chart svg { display: block; width: 100%; height: 100%; overflow: visible; }
    .chart .trace { fill: none; stroke: var(--c); stroke-width: 1.75; stroke-linejoin: round; }
    .chart .band { fill: var(--c); fill-opacity: .2; stroke: none; }
    .chart .midnight { stroke: var(--line); stroke-width: 1; }
    .chart .guide { stroke: var(--line); stroke-width: 1; stroke-dasharray: 3 3; }
    .chart .label { position: absolute; right: 0; width: 58px; font-size: .72rem;
      color: var(--muted); transform: translateY(-50%); white-space: nowrap; overflow: hidden;
      text-overflow: ellipsis; font-variant-numeric: tabular-nums; }
    .nodata { position: absolute; inset: 0 64px 0 0; display: flex; align-items: center;
      justify-content: center; font-size: .8rem; color: var(--muted); }
    .axis { display: flex; justify-content: space-between; font-size: .72rem; color: var(--muted);
      border-top: 1px solid var(--line); margin: 2px 64px 0 0; padding-top: 2px; }
    .empty { color: var(--muted); text-align: center; padding: 48px 16px; }
    [hidden] { display: none !important; }
    </style>
    </head>
    <body>
    <header>
      <h1>Loam hub</h1>
      <div id="ranges" role="group" aria-label="Time range shown by the charts">
        <button type="button" data-range="30m">30 min</button>
        <button type="button" data-range="24h">24 h</button>
        <button type="button" data-range="7d">7 days</button>
      </div>
      <dl id="health">
        <div><dt>Status</dt><dd id="h-status" class="pill">connecting&hellip;</dd></div>
        <div><dt>Readings</dt><dd id="h-readings">&ndash;</dd></div>
        <div><dt>Sensors</dt><dd id="h-sensors">&ndash;</dd></div>
        <div><dt>Uptime</dt><dd id="h-uptime">&ndash;</dd></div>
        <div><dt>Version</dt><dd id="h-version">&ndash;</dd></div>
      </dl>
    </header>
    <div id="banner" role="status" aria-live="polite" hidden></div>
    <main>
      <p id="empty" class="empty" hidden>No sensors yet. They appear here as soon as an appliance
        sends its first reading.</p>
      <div id="appliances"></div>
      <noscript><p class="empty">This dashboard needs JavaScript.</p></noscript>
    </main>
    <script>
    "use strict";
    const POLL_MS = 2500;           // how often to ask the hub for news
    const FETCH_TIMEOUT_MS = 5000;  // a hub that does not answer within this counts as down
    const WINDOW_MS = 30 * 60e3;    // the live chart shows at most this much recent history
    const MIN_WINDOW_MS = 2 * 60e3;  // and at least this much, so a new sensor's line has room
    const MAX_POINTS = 1200;        // cap per sensor: 30 min at one reading every 1.5 s
    const GAP_MS = 60e3;            // a pause longer than this (and than 2.5 usual intervals)
                                    // breaks the live chart's line
    // The chart's time ranges: the live one holds readings; the longer ones ask the hub for
    // buckets (288 of 5 min in a day, 336 of 30 min in a week), redrawn as time moves on.
    const RANGES = {
      "30m": {spanMs: WINDOW_MS, bucketMs: 0},
      "24h": {spanMs: 24 * 3600e3, bucketMs: 5 * 60e3},
      "7d": {spanMs: 7 * 86400e3, bucketMs: 30 * 60e3},
    };
    const QUANTITIES = {
      soil_moisture: "Soil moisture", temperature: "Temperature", humidity: "Humidity",
      tvoc: "Total VOC", eco2: "eCO\u2082", co2: "CO\u2082",
    };
    const SVG_NS = "http://www.w3.org/2000/svg";
    // The plot stretches its 100x100 viewBox to the card; keep strokes from stretching with it.
    const THIN = {"vector-effect": "non-scaling-stroke"};

    // id -> {info, points: [{t, v, seq}] (the live range's readings),
    //        buckets: {range, fetchedMs, latest, list: [{t, v, lo, hi}]}, card: {...elements}}
    const sensors = new Map();
    let range = "30m";          // a key of RANGES
    let pollTimer = null;
    let polling = false;
    let clockOffsetMs = 0;      // hub clock minus our clock, from the HTTP Date header
    let lastContactMs = 0;
    let layoutKey = null;       // the sensor ids last laid out

    const $ = (id) => document.getElementById(id);
    const hubNow = () => Date.now() + clockOffsetMs;

    /** Creates an element with attributes and children (strings become text nodes). */
    function el(tag, attrs, ...children) {
      const node = document.createElement(tag);
      for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
      node.append(...children);
      return node;
    }

    /** Creates an SVG element with attributes. */
    function svg(tag, attrs) {
      const node = document.createElementNS(SVG_NS, tag);
      for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
      return node;
    }

    /** A failure to talk to the hub, as opposed to a bug in this page. */
    class HubError extends Error {
      constructor(message, answered) {
        super(message);
        this.answered = answered;  // false: no answer at all; true: the hub reported an error
      }
    }

    /** Fetches JSON from the hub; throws a HubError, with the hub's own message on 4xx/5xx. */
    async function getJSON(path) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
      try {
        let response;
        let body;
        try {
          response = await fetch(path, {signal: abort.signal, cache: "no-store"});
          body = await response.json();
        } catch (error) {
          if (error.name === "AbortError") throw new HubError("no answer within 5 s", false);
          if (!response) throw new HubError("network error", false);
          body = null;  // not JSON: fall through to the status check
        }
        if (!response.ok || body === null) {
          const message = body && body.error ? body.error.message : response.statusText;
          throw new HubError("HTTP " + response.status + ": " + message, true);
        }
        noteHubClock(response.headers.get("Date"));
        return body;
      } finally {
        clearTimeout(timer);
      }
    }

    /** Ages are measured against the hub's clock, so a phone with a wrong clock still reads right.
        The Date header has whole seconds only: ignore differences that small. */
    function noteHubClock(dateHeader) {
      const hubMs = Date.parse(dateHeader || "");
      if (Number.isNaN(hubMs)) return;
      const offset = hubMs - Date.now();
      clockOffsetMs = Math.abs(offset) > 2000 ? offset : 0;
    }

    function words(name) {
      const text = name.replace(/[_-]+/g, " ");
      return text.charAt(0).toUpperCase() + text.slice(1);
    }

    function formatValue(value) {
      const whole = Math.abs(value) >= 100 || Number.isInteger(value);
      return whole ? value.toFixed(0) : value.toFixed(1);
    }

    /** "3.5 d", "12 h", "30 min" or "45 s", for chart axis labels. */
    function formatSpan(milliseconds) {
      const seconds = Math.round(milliseconds / 1000);
      if (seconds >= 2 * 86400) return Math.round(seconds / 8640) / 10 + " d";
      if (seconds >= 2 * 3600) return Math.round(seconds / 360) / 10 + " h";
      return seconds >= 120 ? Math.round(seconds / 60) + " min" : seconds + " s";
    }

    function formatDuration(seconds) {
      const s = Math.max(0, Math.floor(seconds));
      if (s < 60) return s + " s";
      if (s < 3600) return Math.floor(s / 60) + " min";
      if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor(s % 3600 / 60) + " min";
      return Math.floor(s / 86400) + " d " + Math.floor(s % 86400 / 3600) + " h";
    }

    /** Builds the card for one sensor; `renderSensor` fills it in. */
    function makeCard(info) {
      const known = Object.hasOwn(QUANTITIES, info.quantity);
      const title = known ? QUANTITIES[info.quantity] : words(info.quantity);
      const parts = {
        value: el("span", {class: "value"}),
        placeholder: el("span", {class: "missing", "aria-hidden": "true"}, "\u2013"),
        unit: el("span", {class: "unit"}, info.unit),
        age: el("p", {class: "age"}),
        trace: svg("path", {class: "trace", ...THIN}),
        band: svg("path", {class: "band"}),
        midnights: svg("g", {}),
        maxGuide: svg("line", {class: "guide", x1: 0, x2: 100, ...THIN}),
        minGuide: svg("line", {class: "guide", x1: 0, x2: 100, ...THIN}),
        maxLabel: el("span", {class: "label"}),
        minLabel: el("span", {class: "label"}),
        axisStart: el("span", {}),
        axisMiddle: el("span", {}),
        noData: el("span", {class: "nodata"}, "No recent readings"),
      };
      const plot = svg("svg", {viewBox: "0 0 100 100", preserveAspectRatio: "none",
        "aria-hidden": "true"});
      plot.append(parts.midnights, parts.maxGuide, parts.minGuide, parts.band, parts.trace);
      const chart = el("div", {class: "chart", role: "img"}, plot, parts.maxLabel, parts.minLabel,
        parts.noData);
      parts.chart = chart;
      parts.root = el("article", {class: "card", "data-sensor-id": info.id,
          style: "--c: var(--c-" + (known ? info.quantity : "other") + ")"},
        el("h3", {}, title, el("small", {}, info.id)),
        el("p", {class: "reading"}, parts.value, parts.placeholder, parts.unit),
        parts.age, chart,
        el("div", {class: "axis", "aria-hidden": "true"},
          parts.axisStart, parts.axisMiddle, el("span", {}, "now")));
      return parts;
    }

    /** Lays the cards out grouped by appliance; runs only when the set of sensors changes. */
    function layout(list) {
      const key = list.map((s) => s.id).join("\n");
      if (key === layoutKey) return;
      layoutKey = key;
      const groups = new Map();
      for (const info of list) {
        if (!groups.has(info.appliance)) groups.set(info.appliance, []);
        groups.get(info.appliance).push(sensors.get(info.id).card.root);
      }
      const sections = [];
      for (const [appliance, cards] of groups) {
        sections.push(el("section", {"aria-label": words(appliance)},
          el("h2", {}, words(appliance), " ", el("small", {}, appliance)),
          el("div", {class: "grid"}, ...cards)));
      }
      $("appliances").replaceChildren(...sections);
      $("empty").hidden = list.length > 0;
    }

    /** Appends new readings, skipping ones already held (`since` may include the last one). */
    function addPoints(sensor, readings) {
      const last = sensor.points[sensor.points.length - 1];
      for (const reading of readings) {
        const point = {t: Date.parse(reading.time), v: reading.value, seq: reading.seq};
        if (last && (point.t < last.t || (point.t === last.t && point.seq === last.seq))) continue;
        sensor.points.push(point);
      }
      const oldest = hubNow() - WINDOW_MS;
      let drop = Math.max(0, sensor.points.length - MAX_POINTS);
      while (drop < sensor.points.length && sensor.points[drop].t < oldest) drop++;
      sensor.points.splice(0, drop);
    }

    /** Fetches what the chosen range needs of one sensor: its readings, or its buckets. */
    function refreshReadings(sensor) {
      return RANGES[range].bucketMs ? refreshBuckets(sensor) : refreshLiveReadings(sensor);
    }

    /** Fetches what is new for one sensor: everything in the window at first, then only since
        the newest point held. Skips the request when the sensor list shows nothing new. */
    async function refreshLiveReadings(sensor) {
      const latest = sensor.info.latest;
      const last = sensor.points[sensor.points.length - 1];
      if (!latest || (last && Date.parse(latest.time) <= last.t)) return;
      const since = last ? last.t : hubNow() - WINDOW_MS;
      const query = "?since=" + encodeURIComponent(new Date(since).toISOString()) + "&limit=1000";
      const body = await getJSON("/api/v1/sensors/" + encodeURIComponent(sensor.info.id) +
        "/readings" + query);
      addPoints(sensor, body.readings);
    }

    /** Fetches the range's buckets of one sensor, again when a new reading came in or the
        window has moved on by a bucket. */
    async function refreshBuckets(sensor) {
      const {spanMs, bucketMs} = RANGES[range];
      const latest = sensor.info.latest ? sensor.info.latest.time : null;
      const held = sensor.buckets;
      if (!latest || (held && held.range === range && held.latest === latest &&
        hubNow() - held.fetchedMs < bucketMs)) return;
      const fetchedMs = hubNow();
      const query = "?since=" + encodeURIComponent(new Date(fetchedMs - spanMs).toISOString()) +
        "&bucket_seconds=" + bucketMs / 1000 + "&limit=1000";
      const body = await getJSON("/api/v1/sensors/" + encodeURIComponent(sensor.info.id) +
        "/readings" + query);
      const list = body.buckets.map((b) => ({t: Date.parse(b.time), v: b.mean, lo: b.min,
        hi: b.max}));
      sensor.buckets = {range, fetchedMs, latest, list};
    }

    /** The usual time between readings: the median gap of the last few points. */
    function usualIntervalMs(points) {
      const gaps = [];
      for (let i = Math.max(1, points.length - 9); i < points.length; i++) {
        gaps.push(points[i].t - points[i - 1].t);
      }
      if (gaps.length === 0) return null;
      gaps.sort((a, b) => a - b);
      return gaps[Math.floor(gaps.length / 2)];
    }

    /** Rewrites the age line; called every second, so it stays cheap. */
    function updateAge(sensor) {
      const {card, info, points} = sensor;
      if (!info.latest) {
        card.age.textContent = "No readings yet";
        card.age.classList.remove("stale");
        return;
      }
      const ageMs = hubNow() - Date.parse(info.latest.received_at || info.latest.time);
      const interval = usualIntervalMs(points);
      // Stale after three missed readings, but never sooner than 10 s nor later than 60 s.
      const limit = interval ? Math.min(60e3, Math.max(10e3, 3 * interval)) : 60e3;
      const stale = ageMs > limit;
      const age = ageMs < 2000 ? "just now" : formatDuration(ageMs / 1000) + " ago";
      card.age.textContent = (stale ? "Stale: last reading " : "Updated ") + age;
      card.age.classList.toggle("stale", stale);
    }

    /** What the chart shows: its start and span, and its points {t, v, lo, hi}, each at the
        middle of its bucket in the longer ranges. The live range spans the recent history held
        (2 to 30 minutes). */
    function chartSeries(sensor, end) {
      const {spanMs, bucketMs} = RANGES[range];
      if (bucketMs) {
        const held = sensor.buckets && sensor.buckets.range === range ? sensor.buckets.list : [];
        const start = end - spanMs;
        // The newest bucket is still filling: its point stays at "now", not after it.
        const points = held.map((b) => ({t: Math.min(b.t + bucketMs / 2, end), v: b.v, lo: b.lo,
          hi: b.hi})).filter((p) => p.t >= start);
        return {start, shownMs: spanMs, points, gapMs: 2.5 * bucketMs};
      }
      const points = sensor.points;
      const held = points.length > 0 ? end - points[0].t : 0;
      const shownMs = Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, held));
      const start = end - shownMs;
      const shown = points.filter((p) => p.t >= start).map((p) => ({t: p.t, v: p.v, lo: p.v,
        hi: p.v}));
      return {start, shownMs, points: shown,
        gapMs: Math.max(GAP_MS, 2.5 * (usualIntervalMs(points) || 0))};
    }

    /** Faint vertical lines at each local midnight in a range of days. */
    function drawMidnights(card, start, shownMs) {
      const lines = [];
      if (shownMs >= 86400e3) {
        const midnight = new Date(start);
        midnight.setHours(24, 0, 0, 0);
        for (let t = midnight.getTime(); t < start + shownMs; ) {
          const x = (t - start) / shownMs * 100;
          lines.push(svg("line", {class: "midnight", x1: x, x2: x, y1: 0, y2: 100, ...THIN}));
          const next = new Date(t);
          next.setDate(next.getDate() + 1);  // a calendar day: 23 or 25 hours at a DST change
          t = next.getTime();
        }
      }
      card.midnights.replaceChildren(...lines);
    }

    /** Redraws the chart: x spans the range, y the data's min and max; in the longer ranges a
     *  band spans each bucket's min and max around the line of its means. */
    function drawChart(sensor) {
      const {card, info} = sensor;
      const end = hubNow();
      const {start, shownMs, points: shown, gapMs} = chartSeries(sensor, end);
      card.axisStart.textContent = "\u2212" + formatSpan(shownMs);
      card.axisMiddle.textContent = "\u2212" + formatSpan(shownMs / 2);
      drawMidnights(card, start, shownMs);
      const labels = [card.maxLabel, card.minLabel, card.maxGuide, card.minGuide];
      card.noData.hidden = shown.length > 0;
      card.chart.dataset.points = shown.length;
      card.chart.dataset.first = shown.length ? new Date(shown[0].t).toISOString() : "";
      card.chart.dataset.last = shown.length ?
        new Date(shown[shown.length - 1].t).toISOString() : "";
      if (shown.length === 0) {
        card.trace.setAttribute("d", "");
        card.band.setAttribute("d", "");
        for (const node of labels) node.style.visibility = "hidden";
        card.chart.setAttribute("aria-label", "No readings in the last " + formatSpan(shownMs));
        return;
      }
      let min = Infinity;
      let max = -Infinity;
      for (const p of shown) { min = Math.min(min, p.lo); max = Math.max(max, p.hi); }
      const span = max - min || Math.abs(max) * 0.1 || 1;  // a flat line sits mid-chart
      const low = min - span * 0.15;
      const high = max + span * 0.15;
      const y = (v) => ((high - v) / (high - low) * 100).toFixed(2);
      const x = (t) => ((t - start) / shownMs * 100).toFixed(2);
      // Unbroken runs of points: a pause longer than gapMs breaks the line and the band.
      const runs = [];
      let previous = null;
      for (const p of shown) {
        if (previous === null || p.t - previous > gapMs) runs.push([]);
        runs[runs.length - 1].push(p);
        previous = p.t;
      }
      let d = "";
      let band = "";
      for (const run of runs) {
        d += run.map((p, i) => (i ? "L" : "M") + x(p.t) + " " + y(p.v)).join("");
        if (RANGES[range].bucketMs) {
          band += run.map((p, i) => (i ? "L" : "M") + x(p.t) + " " + y(p.hi)).join("") +
            run.slice().reverse().map((p) => "L" + x(p.t) + " " + y(p.lo)).join("") + "Z";
        }
      }
      card.trace.setAttribute("d", d);
      card.band.setAttribute("d", band);
      for (const [guide, label, v, word] of [[card.maxGuide, card.maxLabel, max, "max"],
        [card.minGuide, card.minLabel, min, "min"]]) {
        guide.setAttribute("y1", y(v));
        guide.setAttribute("y2", y(v));
        label.textContent = word + " " + formatValue(v);
        label.style.top = y(v) + "%";
      }
      for (const node of labels) node.style.visibility = "";
      // One label is enough when the line is flat.
      card.minLabel.style.visibility = max === min ? "hidden" : "";
      card.chart.setAttribute("aria-label", "Last " + formatSpan(shownMs) + ": min " +
        formatValue(min) + " " + info.unit + ", max " + formatValue(max) + " " + info.unit);
    }

    function renderSensor(sensor) {
      const latest = sensor.info.latest;
      sensor.card.value.textContent = latest ? formatValue(latest.value) : "";
      sensor.card.unit.hidden = !latest;
      sensor.card.placeholder.hidden = Boolean(latest);
      updateAge(sensor);
      drawChart(sensor);
    }

    function renderHealth(health) {
      const status = $("h-status");
      status.textContent = health.status;
      status.className = "pill " + (health.status === "ok" ? "ok" : "down");
      $("h-readings").textContent = health.readings.toLocaleString("en-US");
      $("h-sensors").textContent = health.sensors;
      $("h-uptime").textContent = formatDuration(health.uptime_seconds);
      $("h-version").textContent = health.version;
    }

    /** Shows the offline banner while polls fail and a short note once the hub is back. */
    function showConnection(error) {
      const banner = $("banner");
      if (error) {
        $("h-status").textContent = error.answered ? "error" : "unreachable";
        $("h-status").className = "pill down";
        const since = lastContactMs ?
          " Last contact " + formatDuration((Date.now() - lastContactMs) / 1000) + " ago." : "";
        const what = error.answered ? "The hub reported an error" : "Hub unreachable";
        banner.textContent = what + " (" + error.message + "). Retrying." + since;
        banner.className = "down";
        banner.hidden = false;
      } else if (banner.className === "down") {
        banner.textContent = "Connection to the hub restored.";
        banner.className = "up";
        setTimeout(() => { if (banner.className === "up") banner.hidden = true; }, 4000);
      }
    }

    async function poll() {
      polling = true;
      const polledRange = range;
      try {
        const [health, list] = await Promise.all([
          getJSON("/api/v1/health"), getJSON("/api/v1/sensors")]);
        for (const info of list.sensors) {
          if (!sensors.has(info.id)) sensors.set(info.id, {info, points: [], card: makeCard(info)});
          sensors.get(info.id).info = info;
        }
        const listed = new Set(list.sensors.map((s) => s.id));
        for (const id of sensors.keys()) if (!listed.has(id)) sensors.delete(id);
        await Promise.all(list.sensors.map((info) => refreshReadings(sensors.get(info.id))));
        layout(list.sensors);
        for (const sensor of sensors.values()) renderSensor(sensor);
        renderHealth(health);
        lastContactMs = Date.now();
        showConnection(null);
      } catch (error) {
        showConnection(error);
        if (!(error instanceof HubError)) throw error;  // a bug: let it reach the console
      } finally {
        polling = false;
        // Scheduled after the answer, so slow polls never pile up; at once if the range
        // changed meanwhile, since this poll fetched for the old one.
        pollTimer = setTimeout(poll, range === polledRange ? POLL_MS : 0);
      }
    }

    /** Shows the range named by the URL's fragment (#30m, #24h, #7d; the live one otherwise),
        at once with what is held, then with what the next poll, started now, fetches. */
    function showRange() {
      const asked = location.hash.slice(1);
      range = Object.hasOwn(RANGES, asked) ? asked : "30m";
      for (const button of document.querySelectorAll("#ranges button")) {
        button.setAttribute("aria-pressed", String(button.dataset.range === range));
      }
      for (const sensor of sensors.values()) drawChart(sensor);
      if (!polling) {
        clearTimeout(pollTimer);
        poll();
      }
    }

    for (const button of document.querySelectorAll("#ranges button")) {
      button.addEventListener("click", () => { location.hash = button.dataset.range; });
    }
    window.addEventListener("hashchange", showRange);
    setInterval(() => { for (const sensor of sensors.values()) updateAge(sensor); }, 1000);
    showRange();
    </script>
    </body>
    </html>
    """#
}

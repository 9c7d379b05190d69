#!/usr/bin/env python3
"""A stand-in for the hub's HTTP API, for developing the dashboard without the hub.

Serves the page from Sources/HubCore/DashboardPage.swift at GET / and fake readings that follow
smooth curves over time, with 40 minutes of history so the charts start full.

    scripts/mock-hub.py [--port 8080] [--empty] [--stale ID] [--silent ID] [--outage N:M]

--empty lists no sensors; --stale ID stops a sensor's readings 2 minutes ago; --silent ID lists
a sensor that never sent a reading; --outage N:M leaves health requests N to M-1 (counted from
1, one per page poll) without an answer, to see the page go offline and recover.
"""
import argparse
import json
import math
import pathlib
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "Sources/HubCore/DashboardPage.swift"
START = time.time()
HISTORY_S = 40 * 60

# id, appliance, quantity, unit, seconds between readings, mean, swing, period in seconds
SENSORS = [
    ("fridge.eco2", "fridge", "eco2", "ppm", 3, 520, 80, 900),
    ("fridge.humidity", "fridge", "humidity", "%RH", 3, 62, 6, 1300),
    ("fridge.temperature", "fridge", "temperature", "\u00b0C", 3, 4.2, 0.8, 700),
    ("fridge.tvoc", "fridge", "tvoc", "ppb", 3, 140, 60, 500),
    ("plant-pot.soil", "plant-pot", "soil_moisture", "%", 5, 41, 4, 2400),
    ("plant-pot.temperature", "plant-pot", "temperature", "\u00b0C", 5, 21.5, 1.5, 1800),
]


def page_html():
    """The text between the raw string markers, with the closing marker's indent removed."""
    source = PAGE.read_text()
    body = source[source.index('#"""\n') + 5:source.rindex('"""#')]
    lines = body.split("\n")
    indent = len(lines[-1])  # the closing marker's line holds only its indent
    return "\n".join(line[indent:] for line in lines[:-1])


def rfc3339(seconds):
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_rfc3339(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp()


class Mock:
    def __init__(self, options):
        self.options = options
        self.health_requests = 0

    def in_outage(self):
        self.health_requests += 1
        if not self.options.outage:
            return False
        first, end = (int(n) for n in self.options.outage.split(":"))
        return first <= self.health_requests < end

    def sensors(self):
        if self.options.empty:
            return []
        rows = list(SENSORS)
        if self.options.silent:
            rows.append((self.options.silent, self.options.silent.split(".")[0], "humidity",
                         "%RH", 3, 0, 0, 1))
        return sorted(rows)

    def readings(self, sensor, since, until):
        """Readings of `sensor` with since <= time <= until, ascending."""
        sid, _, _, _, step, mean, swing, period = sensor
        if sid == self.options.silent:
            return []
        if sid == self.options.stale:
            until = min(until, time.time() - 120)
        first = START - HISTORY_S
        k = max(0, math.ceil((since - first) / step))
        out = []
        while first + k * step <= until:
            t = first + k * step
            value = mean + swing * math.sin(2 * math.pi * t / period) + \
                swing * 0.08 * math.sin(t / 23)
            out.append({"seq": k + 1, "time": rfc3339(t), "value": round(value, 2)})
            k += 1
        return out

    def sensor_json(self, sensor):
        history = self.readings(sensor, time.time() - 600, time.time())
        latest = dict(history[-1], received_at=history[-1]["time"]) if history else None
        count = len(self.readings(sensor, 0, time.time()))
        return {"id": sensor[0], "appliance": sensor[1], "quantity": sensor[2],
                "unit": sensor[3], "reading_count": count, "latest": latest}


class Handler(BaseHTTPRequestHandler):
    mock = None

    def log_message(self, *args):
        pass

    def send(self, status, body, kind="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.send(status, {"error": {"code": code, "message": message}})

    def do_GET(self):
        url = urlparse(self.path)
        parts = [unquote(p) for p in url.path.split("/") if p]
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        sensors = {s[0]: s for s in self.mock.sensors()}
        if url.path == "/":
            return self.send(200, page_html(), "text/html; charset=utf-8")
        if parts == ["api", "v1", "health"]:
            if self.mock.in_outage():
                self.close_connection = True  # hang up without a word, as a dead hub would
                return None
            count = sum(len(self.mock.readings(s, 0, time.time())) for s in sensors.values())
            return self.send(200, {"status": "ok", "version": "0.1.0",
                                   "uptime_seconds": int(time.time() - START),
                                   "appliances": len({s[1] for s in sensors.values()}),
                                   "sensors": len(sensors), "readings": count,
                                   "store": {"kind": "append-only-log", "bytes": count * 40}})
        if parts == ["api", "v1", "sensors"]:
            return self.send(200, {"sensors": [self.mock.sensor_json(s)
                                               for s in sensors.values()]})
        if len(parts) == 5 and parts[:3] == ["api", "v1", "sensors"] and parts[4] == "readings":
            if parts[3] not in sensors:
                return self.error(404, "not_found", f"no sensor {parts[3]}")
            try:
                since = parse_rfc3339(query["since"]) if "since" in query else 0
                until = parse_rfc3339(query["until"]) if "until" in query else time.time()
                limit = min(int(query.get("limit", 1000)), 10000)
            except ValueError as error:
                return self.error(400, "bad_request", str(error))
            found = self.mock.readings(sensors[parts[3]], since, min(until, time.time()))
            return self.send(200, {"sensor": parts[3], "readings": found[-limit:],
                                   "truncated": len(found) > limit})
        return self.error(404, "not_found", f"no route {url.path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--empty", action="store_true")
    parser.add_argument("--stale", metavar="ID")
    parser.add_argument("--silent", metavar="ID")
    parser.add_argument("--outage", metavar="N:M")
    options = parser.parse_args()
    Handler.mock = Mock(options)
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    print(f"mock hub on http://127.0.0.1:{options.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

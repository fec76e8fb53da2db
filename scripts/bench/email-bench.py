#!/usr/bin/env python3
"""The email benchmark's two measurements (run by scripts/bench/email.sh, not a timed test; not named email.py, which would hide the standard library's email package).

latency BASE SPOOL STAFF COUNT: COUNT enquiries one after another (0.1 s apart); for each, the
time from just before its POST (so the commit and the HTTP round trip are inside) to the test
SMTP server's acceptance of its staff email (received_at in the spool). Prints p50/p99/max ms.

drain BASE SPOOL STAFF COUNT CONTROL: the server refuses every MAIL FROM with 421 for 30 s;
COUNT enquiries are posted at once; waits until COUNT staff emails are accepted. Prints how
many were delivered, how many enquiries got more than one (duplicates), and how long it took.
"""
import http.client, json, sys, time, urllib.parse, urllib.request
from pathlib import Path


def post(conn, i, tag):
    body = json.dumps({"first_name": f"Bench{i}", "last_name": tag, "email": f"bench{i}-{tag.lower()}@example.com",
                       "service_interest": "Other", "message": f"Enquiry {i}", "consent": True})
    conn.request("POST", "/api/contact", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    answer = response.read()
    if response.status != 201:
        raise SystemExit(f"POST answered {response.status}: {answer[:200]!r}")
    return json.loads(answer)["id"]


def received(spool, staff):
    found = {}
    for path in Path(spool).glob("*.json"):
        try:
            message = json.loads(path.read_text())
        except ValueError:
            continue
        if staff in message["rcpt_tos"]:
            enquiry = dict(message["headers"]).get("X-LeadBridge-Enquiry")
            found.setdefault(enquiry, []).append(message)
    return found


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(base, spool, staff, count):
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    started = {}
    for i in range(count):
        before = time.time()
        started[str(post(conn, i, "Latency"))] = before
        time.sleep(0.1)
    deadline = time.time() + 60
    while time.time() < deadline:
        found = received(spool, staff)
        if all(key in found for key in started):
            break
        time.sleep(0.2)
    found = received(spool, staff)
    missing = [key for key in started if key not in found]
    if missing:
        raise SystemExit(f"{len(missing)} staff emails never arrived")
    ms = [(min(m["received_at"] for m in found[key]) - started[key]) * 1000 for key in started]
    print(f"commit -> staff email accepted, {count} enquiries: p50 {percentile(ms, 50):.0f} ms, "
          f"p99 {percentile(ms, 99):.0f} ms, max {max(ms):.0f} ms")


def drain(base, spool, staff, count, control):
    urllib.request.urlopen(urllib.request.Request(control + "/refuse?code=421&seconds=30", method="POST")).read()
    began = time.time()
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    ids = {str(post(conn, i, "Drain")) for i in range(count)}
    posted = time.time() - began
    while time.time() - began < 600:
        found = received(spool, staff)
        if ids.issubset(found.keys()):
            break
        time.sleep(0.5)
    found = received(spool, staff)
    delivered = len(ids & found.keys())
    duplicated = sum(1 for key in ids if len(found.get(key, [])) > 1)
    stats = json.loads(urllib.request.urlopen(control + "/stats").read())
    print(f"{count} queued while the server answered 421 for 30 s (posted in {posted:.1f} s): {delivered} delivered, "
          f"{duplicated} duplicated, all in {time.time() - began:.1f} s; the server refused {stats['refused']} tries")
    if delivered != count or duplicated:
        raise SystemExit(1)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "latency":
        latency(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        drain(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])

"""spam-flood.sh's driver: SPAM spam submissions (honeypot JSON, a rule's phrase, a form sent
at once after /f/contact/stamp) and REAL real enquiries spread among them, CONCURRENCY at a
time. Prints the intake's latency: p50 and p99 over every request, and over the real ones."""

import http.client
import json
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

base, spam_count, real_count, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
host = urllib.parse.urlsplit(base)
local = threading.local()


def connection():
    if not hasattr(local, "conn"):
        local.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    return local.conn


def send(method, path, body=None, headers=None):
    conn = connection()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, data
    except (http.client.HTTPException, OSError):
        local.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        raise


def job(n):
    real = n % (spam_count // real_count + 1) == 0 and n // (spam_count // real_count + 1) < real_count
    started = time.perf_counter()
    if real:
        body = json.dumps({"first_name": f"Real{n}", "email": f"real{n}@example.com", "consent": True, "message": "A real lead"})
        status, _ = send("POST", "/api/contact", body, {"Content-Type": "application/json"})
        ok = status == 201
    elif n % 3 == 0:
        body = json.dumps({"first_name": f"Bot{n}", "email": f"bot{n}@spam.example", "consent": True, "website": "http://x.example"})
        status, _ = send("POST", "/api/contact", body, {"Content-Type": "application/json"})
        ok = status == 202
    elif n % 3 == 1:
        body = json.dumps({"first_name": f"Bot{n}", "email": f"bot{n}@spam.example", "consent": True, "message": "Cheap SEO for you"})
        status, _ = send("POST", "/api/contact", body, {"Content-Type": "application/json"})
        ok = status == 201
    else:
        # A bot that loads the form (its signed time) and posts it at once.
        fresh = json.loads(send("GET", "/f/contact/stamp", headers={"Origin": base})[1])["ts"]
        started = time.perf_counter()
        body = urllib.parse.urlencode({"first_name": f"Bot{n}", "email": f"bot{n}@spam.example", "consent": "on", "_ts": fresh})
        status, _ = send("POST", "/f/contact", body, {"Content-Type": "application/x-www-form-urlencoded", "Origin": base})
        ok = status == 303
    return real, ok, (time.perf_counter() - started) * 1000


total = spam_count + real_count
began = time.perf_counter()
with ThreadPoolExecutor(concurrency) as pool:
    results = list(pool.map(job, range(total)))
elapsed = time.perf_counter() - began


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float("nan")


every = [ms for _, _, ms in results]
real = [ms for is_real, _, ms in results if is_real]
failed = sum(1 for _, ok, _ in results if not ok)
print(f"requests: {len(results)} in {elapsed:.1f} s ({len(results) / elapsed:.0f}/s); unexpected answers: {failed}")
print(f"intake latency, every request: p50 {pct(every, 50):.1f} ms, p99 {pct(every, 99):.1f} ms")
print(f"intake latency, the {len(real)} real ones: p50 {pct(real, 50):.1f} ms, p99 {pct(real, 99):.1f} ms")
sys.exit(1 if failed else 0)

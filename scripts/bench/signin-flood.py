#!/usr/bin/env python3
"""Keeps ATTACKERS wrong sign-ins in flight, each thread its own address (X-Forwarded-For),
while enquiries arrive at RATE a second, each on its own connection whether or not the last
was answered; prints the enquiries' answer times and how many got no 201 within 10 s.

Usage: signin-flood.py BASE_URL DURATION_SECONDS ATTACKERS RATE
Exits non-zero when an enquiry failed or intake p99 is over 100 ms (the target).
"""
import collections, http.client, json, re, sys, threading, time, urllib.parse

base, duration, attackers, rate = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
url = urllib.parse.urlparse(base)
lock = threading.Lock()
statuses = collections.Counter()
latencies, failures = [], []
stop = threading.Event()


def connect():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


# One CSRF pair for every attacker: the double-submit cookie is bound to no address.
first = connect()
first.request("GET", "/admin/login", headers={"Accept": "text/html"})
answer = first.getresponse()
page = answer.read().decode()
cookie = re.search(r"leadbridge_csrf=([^;]+)", answer.getheader("Set-Cookie") or "").group(1)
token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
first.close()


def attacker(index):
    address = f"198.18.{index // 250}.{index % 250 + 1}"
    body = urllib.parse.urlencode({"email": "admin@bench.example", "password": f"wrong guess {index}", "_csrf": token})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html",
               "Cookie": f"leadbridge_csrf={cookie}", "X-Forwarded-For": address}
    conn = connect()
    while not stop.is_set():
        try:
            conn.request("POST", "/admin/login", body, headers)
            response = conn.getresponse(); response.read()
            with lock: statuses[response.status] += 1
        except Exception as error:  # a refused or dropped connection counts, and a new one is made
            with lock: statuses[type(error).__name__] += 1
            conn.close(); conn = connect()


def enquiry(index):
    """One enquiry on its own connection: enquiries arrive whether or not the last was answered."""
    body = json.dumps({"first_name": "Flood", "last_name": "Bench", "email": f"lead{index}@bench.example",
                       "service_interest": "Other", "message": f"Enquiry {index} during a sign-in flood", "consent": True})
    begun = time.time()
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        conn.request("POST", "/api/contact", body, {"Content-Type": "application/json"})
        response = conn.getresponse(); response.read(); conn.close()
        elapsed = (time.time() - begun) * 1000
        with lock:
            latencies.append(elapsed)
            if response.status != 201: failures.append(f"{response.status}")
    except Exception as error:  # no answer within 10 s counts as failed
        with lock: failures.append(type(error).__name__)


threads = [threading.Thread(target=attacker, args=(i,), daemon=True) for i in range(attackers)]
for thread in threads: thread.start()
time.sleep(1)  # the flood is under way before the first enquiry
started, sent, posted = time.time(), 0, []
while time.time() - started < duration:
    due = started + sent / rate
    if due > time.time(): time.sleep(due - time.time())
    thread = threading.Thread(target=enquiry, args=(sent,), daemon=True); thread.start(); posted.append(thread)
    sent += 1
for thread in posted: thread.join(timeout=15)
stop.set()

values = sorted(latencies)
def pct(p): return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")
print(f"sign-ins answered: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
print(f"enquiries sent: {sent}, failed: {len(failures)}" + (f" ({collections.Counter(failures).most_common(3)})" if failures else ""))
print(f"intake p50 ms: {pct(50):.1f}  p99 ms: {pct(99):.1f}  max ms: {values[-1] if values else float('nan'):.1f}")
sys.exit(0 if not failures and values and pct(99) <= 100 else 1)

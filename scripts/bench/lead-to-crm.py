"""Sends enquiries one at a time, spaced apart, and measures how long after each 201 the
SuiteDash sandbox received its POST /contact. Prints p50, p90, p99 and max in milliseconds."""

import json
import sys
import time
import urllib.request

app, sandbox, count, spacing = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


answered = {}
for index in range(count):
    email = f"lead{index}@bench.example"
    status = post(app + "/api/contact", {"first_name": "Lead", "last_name": f"Number{index}", "email": email,
                                          "message": "Timing the way to the CRM.", "consent": True})
    answered[email] = time.time() * 1000
    assert status == 201, status
    time.sleep(spacing)

deadline = time.time() + 60
latencies = {}
while len(latencies) < count and time.time() < deadline:
    with urllib.request.urlopen(sandbox + "/_sandbox/suitedash/contacts", timeout=10) as response:
        for contact in json.load(response)["contacts"]:
            email = contact.get("email")
            if email in answered and email not in latencies:
                latencies[email] = contact["createdMs"] - answered[email]
    time.sleep(0.2)

values = sorted(latencies.values())
if len(values) < count:
    print(f"only {len(values)} of {count} leads reached the sandbox within a minute")
    sys.exit(1)


def pct(p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


print(f"leads: {count}, spaced {int(spacing * 1000)} ms apart")
print(f"{'':24}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}")
print(f"{'201 -> POST /contact ms':24}{pct(50):8.1f}{pct(90):8.1f}{pct(99):8.1f}{values[-1]:8.1f}")

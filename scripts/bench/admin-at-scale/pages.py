"""Signs in to a running LeadBridge and times each admin page 20 times (after one warm-up),
printing p50, p95 and max per page in milliseconds, and a last line with the worst p95 of
pages and of searches. Usage: pages.py BASE_URL EMAIL PASSWORD [REPEATS] [ROWS]"""

import http.client
import re
import sys
import time
import urllib.parse

base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 20
rows = int(sys.argv[5]) if len(sys.argv) > 5 else 1_000_000
one = rows * 7 // 9  # an enquiry that exists, whatever the size
host = urllib.parse.urlsplit(base)
connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
cookies = {}


def request(method, path, body=None):
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = base
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";")[0]
    return response.status, data.decode("utf-8", "replace")


status, page = request("GET", "/admin/login")
token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
status, _ = request("POST", "/admin/login", urllib.parse.urlencode(
    {"_csrf": token, "email": email, "password": password, "next": "/admin"}))
if status != 303:
    sys.exit(f"sign-in failed: HTTP {status}")

# A day the seed filled (its rows span the 30 days before now), and the charts' whole range.
yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
month_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 29 * 86400))
today = time.strftime("%Y-%m-%d", time.gmtime())

PAGES = [
    ("dashboard", "/admin", False),
    ("enquiries: one day (a bar)", f"/admin/submissions?since={yesterday}&until={yesterday}", False),
    ("enquiries: one day, page 100", f"/admin/submissions?since={yesterday}&until={yesterday}&page=100", False),
    ("enquiries: synced within a minute", f"/admin/submissions?status=synced&synced=minute&since={month_ago}&until={today}", False),
    ("enquiries: synced after an hour", f"/admin/submissions?status=synced&synced=later&since={month_ago}&until={today}", False),
    ("enquiries: failed, 30 days", f"/admin/submissions?status=failed&since={month_ago}&until={today}", False),
    ("enquiries: first page", "/admin/submissions", False),
    ("enquiries: first contact, fastest", "/admin/submissions?sort=first_contact", False),
    ("enquiries: first contact, slowest", "/admin/submissions?sort=first_contact_desc", False),
    ("enquiries: first contact, page 1,000", "/admin/submissions?sort=first_contact&page=1000", False),
    ("enquiries: waiting, oldest first", "/admin/submissions?sort=waiting", False),
    ("enquiries: page 20,000", "/admin/submissions?page=20000", False),
    ("enquiries: pending", "/admin/submissions?status=pending", False),
    ("enquiries: synced", "/admin/submissions?status=synced", False),
    ("enquiries: exported", "/admin/submissions?status=exported", False),
    ("enquiries: failed", "/admin/submissions?status=failed", False),
    ("enquiries: failed, page 500", "/admin/submissions?status=failed&page=500", False),
    ("search: name", f"/admin/submissions?q=person{one}", True),
    ("search: email", "/admin/submissions?q=person424242%40example", True),
    ("search: company", "/admin/submissions?q=Company+4242", True),
    ("search: phone digits", "/admin/submissions?q=555+0123+456", True),
    ("search: no match", "/admin/submissions?q=zzqqxx", True),
    ("search: in 95% of rows", "/admin/submissions?q=example", True),
    ("search: two letters", "/admin/submissions?q=xy", True),
    ("search: synced + company", "/admin/submissions?status=synced&q=Company+42", True),
    ("search: failed + name", "/admin/submissions?status=failed&q=person77", True),
    ("search: name, one day", f"/admin/submissions?q=person9&since={yesterday}&until={yesterday}", True),
    ("an enquiry", f"/admin/submissions/{one}", False),
    ("jobs", "/admin/jobs", False),
    ("integration logs", "/admin/integration-logs", False),
    ("integration logs: failed", "/admin/integration-logs?status=failed", False),
    ("integration logs: ringcentral", "/admin/integration-logs?provider=ringcentral", False),
    ("integration logs: page 1,000", "/admin/integration-logs?page=1000", False),
    ("call logs", "/admin/call-logs", False),
    ("call logs: missed inbound", "/admin/call-logs?direction=inbound&result=Missed", False),
    ("call logs: unmatched", "/admin/call-logs?matched=no", False),
    ("call logs: one week", "/admin/call-logs?since=2026-11-01&until=2026-11-07", False),
    ("call logs: one day (a bar)", f"/admin/call-logs?since={yesterday}&until={yesterday}", False),
    ("messages", "/admin/messages", False),
    ("messages: one day (a bar)", f"/admin/messages?since={yesterday}&until={yesterday}", False),
    ("messages: inbound, matched", "/admin/messages?direction=inbound&matched=yes", False),
    ("exports", "/admin/integrations/suitedash/exports", False),
]

worst_page, worst_search = 0.0, 0.0
print(f"{'page':34}{'p50':>9}{'p95':>9}{'max':>9}   (ms, {repeats} runs)")
for name, path, is_search in PAGES:
    status, _ = request("GET", path)  # warm-up, as a person's second look would be
    if status != 200:
        sys.exit(f"{path}: HTTP {status}")
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        status, _ = request("GET", path)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, (path, status)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"{name:34}{times[len(times) // 2]:9.1f}{p95:9.1f}{times[-1]:9.1f}")
    if is_search:
        worst_search = max(worst_search, p95)
    else:
        worst_page = max(worst_page, p95)
print(f"worst p95: pages {worst_page:.1f} ms (target 100), searches {worst_search:.1f} ms (target 50)")

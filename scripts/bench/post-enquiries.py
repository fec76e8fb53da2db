#!/usr/bin/env python3
"""POSTs N enquiries to /api/contact from a few threads; some share an email address.

Usage: post-enquiries.py BASE_URL COUNT DISTINCT_EMAILS
Prints the number of 201 answers; exits non-zero if any answer was not 201.
"""
import http.client, json, sys, threading, urllib.parse

base, count, distinct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
url = urllib.parse.urlparse(base)
interests = ["Business Strategy", "Operations & Process", "Marketing & Growth", "Other"]
lock, created, failures = threading.Lock(), [0], []

def worker(indices):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    for i in indices:
        person = i % distinct
        body = json.dumps({"first_name": f"Lead{person}", "last_name": "Bench", "email": f"lead{person}@example.com",
                           "phone": f"+1415{2000000 + person:07d}", "service_interest": interests[i % len(interests)],
                           "message": f"Enquiry {i}", "consent": True})
        conn.request("POST", "/api/contact", body, {"Content-Type": "application/json"})
        response = conn.getresponse(); answer = response.read()
        with lock:
            if response.status == 201: created[0] += 1
            else: failures.append((response.status, answer[:200]))

threads = [threading.Thread(target=worker, args=(range(t, count, 8),)) for t in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(created[0])
for status, answer in failures[:5]:
    print(f"not 201: {status} {answer.decode('utf-8', 'replace')}", file=sys.stderr)
sys.exit(1 if failures else 0)

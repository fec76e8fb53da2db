"""Sends enquiries, each from its own phone with consent, and reads from the server's SQLite
file how long after each commit RingCentral accepted its instant reply, and the first staff
alert. Prints p50, p90, p99 and max in milliseconds, and how many alert texts the burst cost."""

import json
import sqlite3
import sys
import time
import urllib.request
from datetime import datetime, timezone

app, database, count, spacing = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])


def post(body):
    request = urllib.request.Request(app + "/api/contact", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201, response.status


def query(statement):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        return db.execute(statement).fetchall()


def seconds(value):
    """Fluent's SQLite dates: seconds since 1970 as a number, or ISO 8601 text."""
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=timezone.utc).timestamp()


for index in range(count):
    post({"first_name": f"Lead{index}", "phone": f"+1415{3000000 + index:07d}", "message": "Timing the reply.",
          "consent": True})
    time.sleep(spacing)

deadline = time.time() + 180
while time.time() < deadline:
    done = query("SELECT COUNT(*) FROM automatic_texts WHERE kind = 'auto_reply' AND status != 'queued'")[0][0]
    if done >= count:
        break
    time.sleep(0.2)

rows = query("""SELECT c.created_at, s.sent_at FROM sms_messages s
                JOIN automatic_texts a ON a.id = s.automatic_text_id
                JOIN contact_submissions c ON c.id = a.contact_submission_id
                WHERE a.kind = 'auto_reply' AND s.sent_at IS NOT NULL""")
values = sorted((seconds(sent) - seconds(created)) * 1000 for created, sent in rows)
if len(values) < count:
    print(f"only {len(values)} of {count} instant replies were accepted within three minutes")
    sys.exit(1)
first_alert = query("""SELECT c.created_at, s.sent_at FROM sms_messages s
                       JOIN automatic_texts a ON a.id = s.automatic_text_id
                       JOIN contact_submissions c ON c.id = a.contact_submission_id
                       WHERE a.kind = 'alert' AND s.sent_at IS NOT NULL ORDER BY a.id LIMIT 1""")
# The burst's summaries go a minute after the alert before them: wait for the last.
deadline = time.time() + 150
while time.time() < deadline and query("SELECT COUNT(*) FROM automatic_texts WHERE kind = 'alert' AND status = 'batched'")[0][0]:
    time.sleep(0.5)
alerts = query("SELECT COUNT(*) FROM sms_messages WHERE kind IN ('alert', 'alert_summary') AND sent_at IS NOT NULL")[0][0]
summarised = query("SELECT COUNT(*) FROM automatic_texts WHERE kind = 'alert' AND summary_id IS NOT NULL AND status = 'sent'")[0][0]


def pct(p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


print(f"enquiries: {count}, spaced {int(spacing * 1000)} ms apart")
print(f"{'':32}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}")
print(f"{'commit -> reply accepted ms':32}{pct(50):8.1f}{pct(90):8.1f}{pct(99):8.1f}{values[-1]:8.1f}")
if first_alert:
    created, sent = first_alert[0]
    print(f"commit -> first alert accepted: {(seconds(sent) - seconds(created)) * 1000:.1f} ms (target: under 5,000)")
print(f"staff texts for {count} enquiries: {alerts} ({summarised} enquiries came in a minute's summary)")

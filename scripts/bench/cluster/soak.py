"""The scale-out soak behind scripts/bench/cluster.sh. Usage: soak.py BINARY POSTGRES_URL ENQUIRIES"""

from __future__ import annotations

import glob
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

BIN, PG_URL, TOTAL = sys.argv[1], sys.argv[2], int(sys.argv[3])
WORK = tempfile.mkdtemp(prefix="leadbridge-soak.")
PSQL = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
INTAKE_SECONDS = 60          # enquiries arrive over about a minute
WORKER_LOOPS = 8             # per worker process
started = time.monotonic()
events: list[str] = []


def note(text: str) -> None:
    line = f"[{time.monotonic() - started:6.1f}s] {text}"
    events.append(line)
    print(line, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sql(statement: str) -> list[list[str]]:
    out = subprocess.run([PSQL, PG_URL, "-At", "-F", "\t", "-c", statement], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def get(url: str, timeout: float = 5) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            get(url, 2)
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds} s")


# The sandbox: SuiteDash answering in 100 ms, 1 % of answers a 500.
SANDBOX_PORT = free_port()
SANDBOX = f"http://127.0.0.1:{SANDBOX_PORT}"
base_env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
sandbox = subprocess.Popen([BIN, "sandbox", "--port", str(SANDBOX_PORT)], env=base_env,
                           stdout=open(f"{WORK}/sandbox.log", "w"), stderr=subprocess.STDOUT)
wait_ready(SANDBOX + "/_sandbox/suitedash")
deadline = time.monotonic() + 10
while "RINGCENTRAL_CLIENT_SECRET=" not in open(f"{WORK}/sandbox.log").read() and time.monotonic() < deadline:
    time.sleep(0.05)
SANDBOX_VALUES = dict(re.findall(r"^\s*([A-Z_]+)=(\S+)$", open(f"{WORK}/sandbox.log").read(), re.MULTILINE))


def switches(**values) -> None:
    body = {"latencyMilliseconds": 100, "failureRate": 0.01, **values}
    request = urllib.request.Request(SANDBOX + "/_sandbox/suitedash/switches", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).read()


def sandbox_stats() -> dict:
    return json.loads(get(SANDBOX + "/_sandbox/suitedash"))


def ringcentral(path: str, body: dict | None = None) -> dict:
    """GET the RingCentral stand-in's stats, or POST one of its controls."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(SANDBOX + "/_sandbox/ringcentral" + path, data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


switches()
key = subprocess.run([BIN, "key", "generate"], capture_output=True, text=True, check=True).stdout.strip().split("=", 1)[1]
# The providers are the local sandbox, which production refuses unless told (ALLOW_PRIVATE_PROVIDER_HOSTS).
env = {**base_env, "APP_KEY": key, "DATABASE_URL": PG_URL, "LOG_LEVEL": "warning", "AUTO_MIGRATE": "false",
       "ALLOW_PRIVATE_PROVIDER_HOSTS": "true",
       "SUITEDASH_ENABLED": "true", "SUITEDASH_API_URL": SANDBOX + "/secure-api",
       "SUITEDASH_API_KEY": "sandbox-public-id", "SUITEDASH_SECRET_KEY": "sandbox-secret-key",
       "SUITEDASH_SYNCS_PER_MINUTE": "0", "INTAKE_RATE_LIMIT": "0", "QUEUE_BACKOFF_CAP_SECONDS": "60",
       "SUITEDASH_EXPORT_PATH": f"{WORK}/exports", "APP_URL": "http://127.0.0.1",
       **{name: SANDBOX_VALUES[name] for name in ("RINGCENTRAL_SERVER_URL", "RINGCENTRAL_CLIENT_ID",
                                                  "RINGCENTRAL_CLIENT_SECRET", "RINGCENTRAL_JWT")}}
# Call-log records for the workers to sync while tokens expire under them.
ringcentral("/call-log/generate", {"count": 3000, "spacing": 10})
subprocess.run([BIN, "migrate", "--yes"], env={**env, "STORAGE_PATH": f"{WORK}/migrate"}, check=True, capture_output=True)
subprocess.run([BIN, "user", "create", "--email", "soak@example.com", "--name", "Soak", "--password-stdin"],
               env={**env, "STORAGE_PATH": f"{WORK}/migrate"}, input="soak-password-123\n", text=True, check=True,
               capture_output=True)


class Process:
    """One `serve` or `worker` process, which the soak kills and starts again."""

    def __init__(self, name: str, arguments: list[str], port: int | None = None):
        self.name, self.arguments, self.port = name, arguments, port
        self.environment = {**env, "STORAGE_PATH": f"{WORK}/storage-{name}", "QUEUE_WORKERS": "0" if port else str(WORKER_LOOPS)}
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen([BIN, *self.arguments], env=self.environment,
                                        stdout=open(f"{WORK}/{self.name}.log", "a"), stderr=subprocess.STDOUT)
        if self.port:
            wait_ready(self.url + "/readyz")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.kill()


servers = []
for name in ("server-a", "server-b"):
    port = free_port()
    servers.append(Process(name, ["serve", "--env", "production", "--hostname", "127.0.0.1", "--port", str(port)], port=port))
workers = [Process(f"worker-{n}", ["worker", "--env", "production"]) for n in (1, 2)]
note(f"PostgreSQL, 2 servers ({servers[0].url}, {servers[1].url}), 2 workers x {WORKER_LOOPS} loops, sandbox at {SANDBOX}")

# The enquiries: 70 % as many people as enquiries (so some write twice or more); one person
# in ten gives a phone and no email.
rng = random.Random(17)
people = max(1, int(TOTAL * 0.7))
plan = []
for index in range(TOTAL):
    person = rng.randrange(people)
    body = {"first_name": f"Soak{person}", "last_name": "Tester", "message": f"Enquiry {index}", "consent": True}
    if person % 10 == 0 or person % 3 == 0:
        body["phone"] = f"+1415{2000000 + person:07d}"   # a valid US number: 415 2xx xxxx
    if person % 10 != 0:
        body["email"] = f"soak{person}@example.com"
    plan.append(body)
expected_emails = {body["email"] for body in plan if "email" in body}
# Phone-only people become SuiteDash Leads of their own (issue #19): one contact per phone.
expected_phones = {body["phone"] for body in plan if "email" not in body}

answered: list[int] = []
other_answers: dict[int, int] = {}
refused = {server.name: 0 for server in servers}
# Requests sent whose answer never came (the server died after reading them): the enquiry may be
# committed, and the retry on the other server commits it again, as a visitor's second try would.
answers_lost = [0]
lock = threading.Lock()
next_index = iter(range(TOTAL))
intake_started = time.monotonic()


def drive() -> None:
    connections: dict[int, http.client.HTTPConnection] = {}
    while True:
        with lock:
            index = next(next_index, None)
        if index is None:
            return
        # Paced so the enquiries take about INTAKE_SECONDS, and overlap the restarts.
        delay = intake_started + index * INTAKE_SECONDS / TOTAL - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        order = [servers[index % 2], servers[(index + 1) % 2]]
        for attempt in range(60):
            server = order[attempt % 2]
            sent = False
            try:
                connection = connections.get(server.port) or http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                connections[server.port] = connection
                connection.request("POST", "/api/contact", body=json.dumps(plan[index]), headers={"Content-Type": "application/json"})
                sent = True
                response = connection.getresponse()
                data = response.read()
                with lock:
                    if response.status == 201:
                        answered.append(json.loads(data)["id"])
                    else:
                        other_answers[response.status] = other_answers.get(response.status, 0) + 1
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                # The process being restarted refused (or dropped) the connection: try the other.
                connections.pop(server.port, None)
                with lock:
                    refused[server.name] += 1
                    if sent:
                        answers_lost[0] += 1
                time.sleep(0.05)


drivers = [threading.Thread(target=drive) for _ in range(16)]
for thread in drivers:
    thread.start()

class Admin:
    """An admin's browser session: cookies kept, forms sent with the page's CSRF token."""

    def __init__(self):
        self.jar: dict[str, str] = {}

    def call(self, base: str, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        parts = urllib.parse.urlsplit(base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": base})
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, rest = value.partition("=")
                self.jar[cookie] = rest.split(";")[0]
        return response.status, text, urllib.parse.unquote(response.getheader("Location") or "")

    def submit(self, base: str, page_path: str, path: str, form: dict) -> tuple[int, str]:
        """Opens `page_path` for its form's token, then posts `form` to `path`; the status and where it led."""
        _, page, _ = self.call(base, "GET", page_path)
        token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        status, _, location = self.call(base, "POST", path, {"_csrf": token, **form})
        return status, location


admin = Admin()


# A session opened on server A must work on server B.
def sign_in_on_a_then_use_b() -> str:
    status, _ = admin.submit(servers[0].url, "/admin/login", "/admin/login",
                             {"email": "soak@example.com", "password": "soak-password-123", "next": "/admin"})
    if status != 303:
        return f"sign-in on A answered {status}"
    status, page, _ = admin.call(servers[1].url, "GET", "/admin")
    return "works on B" if status == 200 and "Dashboard" in page else f"server B answered {status}"


# RingCentral, connected with the JWT credential from server A; then, until the end of the
# chaos, both servers send texts and ask for call-log syncs while the tokens expire under them.
session_result = sign_in_on_a_then_use_b()
note(f"admin session signed in on A: {session_result}")
status, location = admin.submit(servers[0].url, "/admin/integrations/ringcentral", "/admin/integrations/ringcentral/connect-jwt", {})
note(f"RingCentral: {location.split('notice=')[-1] if 'notice=' in location else status}")
ringcentral("/reset-stats", {})
texts = {"sent": 0, "not sent": 0, "notices": {}}
expiries = 0
phone_ids: list[int] = []
ringcentral_stop = threading.Event()


def ringcentral_traffic() -> None:
    global expiries
    beat = 0
    while not ringcentral_stop.is_set():
        beat += 1
        server = servers[beat % 2]
        try:
            if not phone_ids:
                phone_ids.extend(int(row[0]) for row in sql("SELECT id FROM contact_submissions WHERE phone IS NOT NULL ORDER BY id LIMIT 200"))
            if phone_ids:
                enquiry = phone_ids[beat % len(phone_ids)]
                _, location = admin.submit(server.url, f"/admin/submissions/{enquiry}", f"/admin/submissions/{enquiry}/sms",
                                           {"text": f"Soak text {beat}"})
                notice = location.split("notice=")[-1].split("&")[0] if "notice=" in location else location
                key = "sent" if notice.startswith("Text sent") else "not sent"
                texts[key] += 1
                if key == "not sent":
                    texts["notices"][notice] = texts["notices"].get(notice, 0) + 1
            if beat % 5 == 0:
                admin.submit(server.url, "/admin/call-logs", "/admin/call-logs/sync", {})
            if beat % 6 == 3:
                ringcentral("/expire-tokens", {})
                expiries += 1
        except Exception as error:   # a server restarting: the next beat goes to the other
            texts["notices"][type(error).__name__] = texts["notices"].get(type(error).__name__, 0) + 1
        time.sleep(2.5)


ringcentral_thread = threading.Thread(target=ringcentral_traffic)
ringcentral_thread.start()


# The chaos, on a timetable (seconds from now).
calls_in_429_window = 0
session_result = "not tried"


def chaos() -> None:
    global calls_in_429_window, session_result
    timetable = [
        (10, "kill server B", lambda: servers[1].kill()),
        (12, "start server B", lambda: servers[1].start()),
        (20, "sign in on A, use B", None),   # mid-run, after B's restart
        (25, "SuiteDash 503 for 30 s", lambda: switches(outage=True)),
        (35, "rolling restart: server A", lambda: (servers[0].stop(), servers[0].start())),
        (45, "rolling restart: server B", lambda: (servers[1].stop(), servers[1].start())),
        (55, "SuiteDash 429 (Retry-After 30) for 30 s", lambda: switches(rateLimitRetryAfter=30)),
        (85, "SuiteDash back", lambda: switches()),
    ]
    begin = time.monotonic()
    kills = 0
    calls_at_429 = 0
    next_worker_kill = 20
    for at, what, action in timetable + [(10_000, "", None)]:
        while time.monotonic() - begin < at:
            if time.monotonic() - begin >= next_worker_kill and next_worker_kill < 120:
                worker = workers[kills % 2]
                worker.kill()
                note(f"SIGKILL {worker.name} (kill {kills + 1}); starting it again")
                time.sleep(1)
                worker.start()
                kills += 1
                next_worker_kill += 20
            if at == 10_000 and next_worker_kill >= 120:
                return
            time.sleep(0.2)
        if at == 10_000:
            return
        note(what)
        if what == "sign in on A, use B":
            # The session signed in on A before the run, used on B after B was killed and restarted.
            try:
                status, page, _ = admin.call(servers[1].url, "GET", "/admin")
                session_result = "works on B" if status == 200 and "Dashboard" in page else f"server B answered {status}"
            except Exception as error:
                session_result = f"server B failed: {error}"
            note(f"admin session from A on B: {session_result}")
        elif what.startswith("SuiteDash 429"):
            action()
            calls_at_429 = sandbox_stats()["totalCalls"]
        elif what == "SuiteDash back":
            calls_in_429_window = sandbox_stats()["totalCalls"] - calls_at_429
            action()
        else:
            try:
                action()
            except Exception as error:   # say so, and carry on with the timetable
                note(f"{what} failed: {error}")


chaos_thread = threading.Thread(target=chaos)
chaos_thread.start()
for thread in drivers:
    thread.join()
last_enquiry = time.monotonic()
note(f"intake done: {len(answered)} answered 201, other answers {other_answers}, refused connections {refused}")
chaos_thread.join()
ringcentral_stop.set()
ringcentral_thread.join()
note(f"RingCentral traffic done: texts {texts}, tokens expired {expiries} times")

# Drained: no job left (retries after the outages back off at most 60 s).
deadline = time.monotonic() + 900
while time.monotonic() < deadline:
    # A phone-only lead whose create lost its answer to a kill waits for an admin, by design.
    left = int(sql("SELECT COUNT(*) FROM jobs WHERE waiting_for IS NULL OR waiting_for <> 'suitedash-uncertain'")[0][0])
    if left == 0:
        break
    time.sleep(1)
drained_after = time.monotonic() - last_enquiry
note(f"queue drained {drained_after:.0f} s after the last enquiry" if left == 0 else f"{left} jobs still queued after 15 minutes")

for process in servers + workers:
    process.stop()

rows = int(sql("SELECT COUNT(*) FROM contact_submissions")[0][0])
missing = int(sql("SELECT COUNT(*) FROM unnest(ARRAY[" + ",".join(map(str, answered or [0])) + "]::bigint[]) AS a(id) "
                  "LEFT JOIN contact_submissions c ON c.id = a.id WHERE c.id IS NULL")[0][0]) if answered else 0
statuses = dict((status, int(count)) for status, count in sql("SELECT status, COUNT(*) FROM contact_submissions GROUP BY status"))
stats = sandbox_stats()
held_phones = {row[0] for row in sql("SELECT DISTINCT c.phone FROM jobs j JOIN contact_submissions c "
                                      "ON j.unique_key = 'suitedash-sync:' || c.id WHERE j.waiting_for = 'suitedash-uncertain'")}
all_contacts = json.loads(get(SANDBOX + "/_sandbox/suitedash/contacts", timeout=60))["contacts"]
with_email = [contact for contact in all_contacts if contact.get("email")]
phone_only_contacts = [contact.get("phone") or "" for contact in all_contacts if not contact.get("email")]
failed_jobs = int(sql("SELECT COUNT(*) FROM failed_jobs")[0][0])
failed_without_reason = int(sql("SELECT COUNT(*) FROM failed_jobs WHERE error IS NULL OR error = ''")[0][0])
stuck = int(sql("SELECT COUNT(*) FROM jobs WHERE reserved_by IS NOT NULL AND reserved_until < now()")[0][0])
sync_span = sql("SELECT EXTRACT(EPOCH FROM MAX(synced_at) - MAX(created_at)) FROM contact_submissions")[0][0]
phone_only_synced = int(sql("SELECT COUNT(*) FROM contact_submissions WHERE email IS NULL AND status = 'synced'")[0][0])
phone_only = int(sql("SELECT COUNT(*) FROM contact_submissions WHERE email IS NULL")[0][0])
rc = ringcentral("")
refreshes = sum(count for grant, count in rc["tokenRequests"].items() if grant != "authorization_code")
call_rows = int(sql("SELECT COUNT(*) FROM call_logs")[0][0])

checks = [
    ("enquiries answered 201 = rows (+ answers lost to a kill)",
     f"{len(answered)} answered, {rows} rows, {missing} answered ids missing; {answers_lost[0]} requests lost their answer "
     f"to a killed server and were sent again", missing == 0 and len(answered) <= rows <= len(answered) + answers_lost[0]),
    ("one SuiteDash contact per person with an email", f"{len(with_email)} contacts with an email, {stats['distinctEmails']} distinct emails, "
     f"{len(expected_emails)} people with an email", len(with_email) == stats["distinctEmails"] == len(expected_emails)),
    ("one SuiteDash contact per phone-only person", f"{len(phone_only_contacts)} contacts without an email, "
     f"{len(set(phone_only_contacts))} distinct phones, {len(expected_phones)} phone-only people; "
     f"{len(held_phones)} phones held for an admin (a create whose answer a kill lost)",
     len(phone_only_contacts) == len(set(phone_only_contacts))
     and set(phone_only_contacts) <= expected_phones and expected_phones - set(phone_only_contacts) <= held_phones),
    ("every job finished or failed with a reason", f"{left} queued, {failed_jobs} failed ({failed_without_reason} without a reason)",
     left == 0 and failed_without_reason == 0),
    ("no stuck lease", f"{stuck}", stuck == 0),
    ("429 honoured: calls during the 30 s of 429s", f"{calls_in_429_window} (at most one per worker loop, {2 * WORKER_LOOPS})",
     calls_in_429_window <= 2 * WORKER_LOOPS),
    ("an admin session from A works on B", session_result, session_result == "works on B"),
    ("only restarting processes refused connections", f"{refused}; other answers {other_answers}", not other_answers),
    ("RingCentral: token requests = expiries, no invalid_grant", f"{refreshes} token requests ({rc['tokenRequests']}) for "
     f"{expiries} expiries; invalid_grant {rc['invalidGrants']}", refreshes <= expiries and rc["invalidGrants"] == 0),
    ("RingCentral: no 429", f"{rc['rateLimited']}", rc["rateLimited"] == 0),
    ("texts sent from both servers through the expiries", f"{texts['sent']} sent, {texts['not sent']} not: {texts['notices']}",
     texts["sent"] > 0 and texts["not sent"] == 0),
    ("call logs synced by the workers", f"{call_rows} of 3000 records", call_rows == 3000),
]
print()
print(f"enquiries by status: {statuses}; phone-only: {phone_only} ({phone_only_synced} synced)")
print(f"last enquiry -> last sync: {float(sync_span or 0):.1f} s; queue drained {drained_after:.0f} s after the last enquiry")
print(f"SuiteDash calls: {stats['totalCalls']} {stats['calls']}")
width = max(len(name) for name, _, _ in checks)
for name, value, ok in checks:
    print(f"{'ok  ' if ok else 'FAIL'} {name:{width}}  {value}")
print(f"logs: {WORK}")
sandbox.send_signal(signal.SIGTERM)
sys.exit(0 if all(ok for _, _, ok in checks) else 1)

"""More than one process on one database, as an operator scales out (issue #17): a worker
process killed with SIGKILL in the middle of syncing leaves its jobs to another worker, which
finishes them within the lease, and SuiteDash never gets a second contact for anyone.

On PostgreSQL when the test command provides a cluster (LEADBRIDGE_TEST_POSTGRES_URL), else on
one SQLite file shared by the processes. No browser: processes, HTTP and the database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from conftest import BINARY, ROOT, LeadBridge, clean_environment, stop
from steps import wait_until

POSTGRES_URL = os.environ.get("LEADBRIDGE_TEST_POSTGRES_URL", "")
LEASE = 10


def psql(url: str, statement: str) -> list[list[str]]:
    psql_binary = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))[-1]
    out = subprocess.run([str(psql_binary), url, "-At", "-F", "\t", "-c", statement],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


@pytest.fixture
def database():
    """A database of its own: a fresh PostgreSQL database, or nothing (SQLite in the folder)."""
    if not POSTGRES_URL:
        yield None
        return
    name = "lb_cluster_" + uuid.uuid4().hex[:8]
    psql(POSTGRES_URL, f"CREATE DATABASE {name}")
    parts = urllib.parse.urlsplit(POSTGRES_URL)
    yield parts._replace(path="/" + name).geturl()
    psql(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_worker(folder: Path, environment: dict[str, str], name: str) -> subprocess.Popen:
    log = folder / f"{name}.log"
    return subprocess.Popen([str(BINARY), "worker"], cwd=ROOT, env=environment,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


def post_enquiry(url: str, body: dict) -> int:
    request = urllib.request.Request(url + "/api/contact", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())["id"]


def test_a_killed_worker_s_jobs_are_finished_by_another_and_nothing_is_duplicated(folder, sandbox, database):
    # Every SuiteDash call takes 400 ms, so a kill lands in the middle of a sync.
    sandbox.control("/_sandbox/suitedash/switches", {"latencyMilliseconds": 400})
    shared = dict(
        SUITEDASH_ENABLED="true", SUITEDASH_API_URL=sandbox.url + "/secure-api",
        SUITEDASH_API_KEY="sandbox-public-id", SUITEDASH_SECRET_KEY="sandbox-secret-key",
        SUITEDASH_SYNCS_PER_MINUTE="0", QUEUE_LEASE_SECONDS=str(LEASE), QUEUE_WORKERS="0",
        INTAKE_RATE_LIMIT="0",
    )
    if database:
        shared["DATABASE_URL"] = database
    server = LeadBridge(folder, sandbox, **shared)   # serves and migrates; runs no workers
    worker_environment = clean_environment(STORAGE_PATH=str(server.storage), QUEUE_POLL_MILLISECONDS="100",
                                           **{**shared, "QUEUE_WORKERS": "2"})

    def rows(statement: str) -> list:
        if database:
            return psql(database, statement)
        with sqlite3.connect(f"file:{server.storage / 'database.sqlite'}?mode=ro", uri=True, timeout=10) as db:
            return db.execute(statement).fetchall()

    def contacts() -> list[dict]:
        return sandbox.control("/_sandbox/suitedash/contacts")["contacts"]

    first = start_worker(folder, worker_environment, "worker-1")
    try:
        # Twelve enquiries from eight people: four of them write twice.
        people = [f"person{n}@example.com" for n in range(8)]
        for index in range(12):
            post_enquiry(server.url, {"first_name": f"Lead{index}", "last_name": "Tester",
                                      "email": people[index % 8], "consent": True})
        # The first worker is mid-sync: a contact is in SuiteDash and work remains.
        wait_until(lambda: len(contacts()) >= 1, seconds=30, what="the first worker's first sync")
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()
        leased = int(rows("SELECT COUNT(*) FROM jobs WHERE reserved_by IS NOT NULL")[0][0])

        second = start_worker(folder, worker_environment, "worker-2")
        try:
            wait_until(lambda: int(rows("SELECT COUNT(*) FROM contact_submissions WHERE status = 'synced'")[0][0]) == 12,
                       seconds=60, what="every enquiry synced by the second worker")
            taken_over_after = time.monotonic() - killed_at
        finally:
            stop(second)

        assert leased >= 1, "the kill should have left at least one job leased to the dead worker"
        assert taken_over_after < LEASE + 30, f"took {taken_over_after:.0f} s after the kill"
        emails = sorted(contact["email"] for contact in contacts())
        assert emails == sorted(people), "one SuiteDash contact per person: none lost, none twice"
        # The schedulers' own tasks (housekeeping, retention, RingCentral upkeep) are queued whenever
        # a worker starts, and one stopped a moment later may leave them for the next: not left behind.
        left = rows("SELECT kind FROM jobs WHERE kind NOT IN ('housekeeping', 'privacy.retention', "
                    "'ringcentral.maintain-subscription', 'ringcentral.sync-call-logs')")
        assert left == [], f"no job left behind: {left}"
        assert int(rows("SELECT COUNT(*) FROM failed_jobs")[0][0]) == 0
    finally:
        stop(first)
        stop(server.process)

"""`leadbridge demo`: the product tried with no accounts. One story, as a newcomer lives it:
start the demo, sign in with what it printed, see a month of data, call a lead, read a text
that arrives by webhook, retry the failed job. Real provider settings in the environment are
ignored (the sandboxes in the demo's own process get every call), and a folder the demo did
not make is refused."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect

from conftest import BINARY, ROOT, SCREENSHOTS, clean_environment, free_port, stop
from person import Person
from steps import awake_lead_phone, wait_for_status, wait_until

# What a developer's shell might hold: the demo must not read any of it.
REAL_PROVIDER_SETTINGS = {
    "SUITEDASH_API_URL": "https://app.suitedash.com/secure-api",
    "SUITEDASH_API_KEY": "real-public-id",
    "SUITEDASH_SECRET_KEY": "real-secret-key",
    "RINGCENTRAL_SERVER_URL": "https://platform.ringcentral.com",
    "RINGCENTRAL_CLIENT_ID": "real-client-id",
    "RINGCENTRAL_CLIENT_SECRET": "real-client-secret",
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/real",
}


class Demo:
    def __init__(self, folder: Path, storage: Path, text_every: int = 4):
        self.port = free_port()
        self.storage = storage
        self.log = folder / "demo.log"
        self.process = subprocess.Popen(
            [str(BINARY), "demo", "--port", str(self.port), "--storage", str(storage), "--text-every", str(text_every)],
            cwd=ROOT, env=clean_environment(**REAL_PROVIDER_SETTINGS), stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while "Stop with Ctrl-C." not in self.log.read_text():
            if self.process.poll() is not None:
                raise AssertionError(f"demo exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"demo did not start within 180 s:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        printed = self.log.read_text()
        self.url = re.search(r"LeadBridge demo: (http://\S+)/admin", printed).group(1)
        self.email = re.search(r"Email:\s+(\S+)", printed).group(1)
        self.password = re.search(r"Password:\s+(\S+)", printed).group(1)
        self.sandbox = re.search(r"stand-ins in this process \((http://\S+)\)", printed).group(1)

    def sql(self, statement: str) -> list[tuple]:
        with sqlite3.connect(f"file:{self.storage / 'database.sqlite'}?mode=ro", uri=True, timeout=10) as db:
            return db.execute(statement).fetchall()

    def sandbox_stats(self, provider: str) -> dict:
        with urllib.request.urlopen(f"{self.sandbox}/_sandbox/{provider}", timeout=10) as response:
            return json.loads(response.read())


def test_a_newcomer_tries_the_demo(chromium, folder):
    demo = Demo(folder, folder / "demo-storage")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    person = Person(context, demo.url, SCREENSHOTS / "test_a_newcomer_tries_the_demo")
    try:
        printed = demo.log.read_text()
        assert "200 enquiries" in printed, printed
        # The month went to the demo's own SuiteDash, not the one in the environment.
        assert demo.sandbox_stats("suitedash")["contacts"] >= 150

        person.open("/admin/login")
        person.fill("Email", demo.email)
        person.fill("Password", demo.password)
        person.press("Sign in")
        person.see("Dashboard")
        person.see("200")
        person.screenshot("demo-dashboard")

        # A day's bar opens that day's enquiries, as many as the bar says.
        bar = person.page.locator("#enquiries-chart-title ~ svg a[aria-label*='enquir']:not([aria-label*=': 0 '])").last
        label = bar.get_attribute("aria-label")
        shown = int(re.search(r": (\d+) enquir", label).group(1))
        person.navigate(lambda: bar.click())
        assert "since=" in person.page.url and "until=" in person.page.url
        person.see(f"{shown} enquir")
        assert person.page.locator("table tbody tr").count() == min(shown, 25)
        # The sync-health legend opens the matching list, filtered by sync time.
        person.open("/admin")
        person.navigate(lambda: person.page.get_by_role("link", name=re.compile("Synced within an hour")).click())
        assert "synced=hour" in person.page.url
        assert person.page.get_by_label("Sync time").input_value() == "hour"
        person.screenshot("demo-synced-within-an-hour")

        # Call the newest lead with a phone: the stand-in rings, then the call ends connected.
        person.open("/admin/submissions")
        person.page.locator("table a[href^='/admin/submissions/']").first.click()
        person.page.wait_for_load_state()
        while not person.page.get_by_role("button", name="Call").count():
            person.page.go_back()
            person.page.locator("table a[href^='/admin/submissions/']").nth(1).click()
            person.page.wait_for_load_state()
        person.press("Call")
        expect(person.page.locator("#ringout-status")).to_have_text("Connected.", timeout=30_000)
        person.screenshot("demo-called")

        # A visitor sends the form with a phone: staff are alerted and the lead answered within seconds.
        person.open("/contact")
        person.fill("First name", "Visitor")
        person.fill("Email", "visitor@example.com")
        typed, lead = awake_lead_phone("0142")   # the instant reply keeps the lead's quiet hours
        person.fill("Phone", typed)
        person.fill("Message", "Can we talk about a growth plan?")
        person.page.get_by_label(re.compile("You may contact me")).check()
        # The instant reply goes only to a lead who ticked the texting consent too (#33).
        person.page.locator("#sms_consent").check()
        # As long as a person takes: the demo keeps FORM_MIN_SECONDS (3), and a form sent sooner is spam.
        time.sleep(3)
        person.press("Send enquiry")
        person.see("Thank you")
        visitor = demo.sql("SELECT id FROM contact_submissions WHERE email = 'visitor@example.com'")[0][0]
        wait_until(lambda: demo.sql("SELECT COUNT(*) FROM automatic_texts WHERE contact_submission_id = "
                                    f"{visitor} AND status IN ('sent', 'batched')")[0][0] == 2,
                   seconds=20, what="the staff alert and the instant reply: " + repr(demo.sql(
                       f"SELECT kind, status, reason FROM automatic_texts WHERE contact_submission_id = {visitor}"))
                   + repr(demo.sql(f"SELECT status, sms_consent, spam_reason FROM contact_submissions WHERE id = {visitor}")))
        person.open(f"/admin/submissions/{visitor}")
        person.see(f"Instant reply to {lead}")
        person.screenshot("demo-speed-to-lead")

        # Both integrations are set up and say so.
        person.open("/admin/integrations/suitedash")
        person.see("API mode")
        person.screenshot("demo-suitedash")
        person.open("/admin/integrations/ringcentral")
        person.see("Connected")
        person.screenshot("demo-ringcentral")

        # A lead's text arrives through RingCentral's webhook within a few seconds.
        received = "SELECT COUNT(*) FROM sms_messages WHERE direction = 'inbound'"
        before = demo.sql(received)[0][0]
        wait_until(lambda: demo.sql(received)[0][0] > before, seconds=20, what="an inbound text stored from the webhook")
        assert demo.sandbox_stats("ringcentral")["notificationsDelivered"] >= 1
        newest = demo.sql("SELECT text FROM sms_messages WHERE direction = 'inbound' ORDER BY id DESC LIMIT 1")[0][0]
        person.open("/admin/messages")
        person.see(newest)
        person.screenshot("demo-messages")

        # The job that failed during the outage goes back to the queue and succeeds.
        person.open("/admin/jobs")
        outage = "SELECT id FROM contact_submissions WHERE sync_error LIKE '%503%'"
        stranded = demo.sql(outage)[0][0]
        failed = demo.sql("SELECT COUNT(*) FROM failed_jobs")[0][0]
        person.press("Retry", within=person.page.locator("tr", has_text="503"))
        wait_for_status(demo, stranded, "synced", what="the retried sync")
        assert demo.sql(outage) == []
        assert demo.sql("SELECT COUNT(*) FROM failed_jobs")[0][0] == failed - 1
        person.open("/admin/jobs")
        assert "503" not in person.text()
        person.screenshot("demo-jobs")
    finally:
        context.close()
        stop(demo.process)
    assert not person.problems, "The browser saw problems:\n- " + "\n- ".join(person.problems)


def test_the_demo_refuses_a_folder_it_did_not_make(folder):
    real = folder / "real-install"
    real.mkdir()
    (real / "database.sqlite").write_bytes(b"not the demo's")
    result = subprocess.run([str(BINARY), "demo", "--port", str(free_port()), "--storage", str(real)], cwd=ROOT,
                            env=clean_environment(), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "did not make" in result.stdout + result.stderr
    assert (real / "database.sqlite").read_bytes() == b"not the demo's"

"""Email: an enquiry arrives, the staff email reaches a real SMTP server (aiosmtpd on loopback,
STARTTLS and AUTH, started by scripts/test.sh), and the link in it opens the enquiry in the
admin. Admin > Email shows the email's state and sends a test email."""

import json
import os
import re
import uuid
from pathlib import Path

import pytest

from conftest import LeadBridge, stop
from steps import create_first_admin, enquiry_id, send_enquiry, wait_until

SMTP = os.environ.get("LEADBRIDGE_TEST_SMTP")
pytestmark = pytest.mark.skipif(not SMTP, reason="LEADBRIDGE_TEST_SMTP is not set: scripts/test.sh starts the loopback SMTP server")

STAFF = f"staff-{uuid.uuid4().hex[:8]}@example.test"


@pytest.fixture
def server(folder, sandbox):
    host, port = SMTP.split(":")
    app = LeadBridge(folder, sandbox, MAIL_HOST=host, MAIL_PORT=port, MAIL_ENCRYPTION="tls",
                     MAIL_USERNAME=os.environ["LEADBRIDGE_TEST_SMTP_USERNAME"],
                     MAIL_PASSWORD=os.environ["LEADBRIDGE_TEST_SMTP_PASSWORD"],
                     MAIL_CA_FILE=os.environ["LEADBRIDGE_TEST_SMTP_CA"],
                     MAIL_FROM_ADDRESS="leads@example.test", MAIL_FROM_NAME="Acme Advisory",
                     LEAD_ALERT_EMAIL_TO=STAFF)
    yield app
    stop(app.process)


def received(recipient):
    spool = Path(os.environ["LEADBRIDGE_TEST_SMTP_SPOOL"])
    found = []
    for path in spool.glob("*.json"):
        message = json.loads(path.read_text())
        if recipient in message["rcpt_tos"]:
            found.append(message)
    return found


def test_the_staff_email_arrives_and_its_link_opens_the_enquiry(person, server):
    create_first_admin(person)
    send_enquiry(person, "Grace", email="grace@example.com", phone="+1 415 555 0100",
                 message="We need a growth plan. Our site is www.grace-example.com")
    mail = wait_until(lambda: received(STAFF), seconds=20, what="the staff email at the SMTP server")[0]
    headers = dict(mail["headers"])
    assert headers["Subject"].startswith("New enquiry: Grace"), headers
    assert headers["Reply-To"] == "grace@example.com" or headers["Reply-To"].endswith("<grace@example.com>"), headers
    assert mail["tls"] and mail["auth"]
    assert "[link]" in mail["text"] and "grace-example" not in mail["text"]
    link = re.search(r"(http://localhost:\d+/admin/submissions/\d+)", mail["text"]).group(1)
    assert link.startswith(server.url)
    number = enquiry_id(server, "grace@example.com")
    assert link.endswith(f"/admin/submissions/{number}")

    # The link from the email, opened by the signed-in admin: the enquiry, and its email's state.
    person.open(link[len(server.url):])
    person.see("grace@example.com")
    person.see("Staff email sent to staff")
    person.see(f"queue id {mail['id']}")
    person.screenshot("email-enquiry-timeline")

    person.open("/admin/email")
    person.see("Latest emails")
    person.see(mail["id"])
    person.fill("Send it to", "owner-test@example.test")
    person.press("Send test email")
    person.see("Test email accepted by")
    wait_until(lambda: received("owner-test@example.test"), seconds=10, what="the test email")
    person.screenshot("email-admin")

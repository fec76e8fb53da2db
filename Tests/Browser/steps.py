"""Steps several stories share, written as a person does them."""

from __future__ import annotations

import time
from datetime import datetime, timezone

ADMIN_EMAIL = "owner@example.com"
ADMIN_PASSWORD = "correct horse battery"


def create_first_admin(person, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD):
    """On an empty install /admin asks for the first admin; filling it in signs them in."""
    person.open("/admin/setup")
    person.fill("Email", email)
    person.fill("Name", "Olive Owner")
    person.fill("Password", password)
    person.fill("Password again", password)
    person.press("Create admin")
    person.see("Dashboard")


def awake_lead_phone(last4: str) -> tuple[str, str]:
    """A lead's number (as typed, and in E.164) where it is daytime now. Automatic texts keep
    quiet hours (8:00 to 21:00 where the lead is, SpeedToLead/QuietHours.swift), so a test that
    expects the instant reply at once must not depend on the hour it runs at: a +1 415 lead is
    asleep from 05:00 to 16:00 UTC. Each choice leaves at least an hour's margin either side."""
    hour = datetime.now(timezone.utc).hour
    if hour < 10:
        return f"+81 3 1234 {last4}", f"+8131234{last4}"      # Tokyo, 9:00 to 18:59
    if hour < 19:
        return f"+44 20 7946 {last4}", f"+44207946{last4}"    # London, 10:00 to 18:59
    return f"+1 415 555 {last4}", f"+1415555{last4}"          # California, 11:00 to 15:59


def send_enquiry(person, first: str, email: str = "", phone: str = "", message: str = "Hello", texts: bool = True):
    """A visitor's enquiry through the public form (in the same browser, as a person testing their site);
    `texts`: they also tick the optional texting consent (when they gave a phone)."""
    person.open("/contact")
    person.fill("First name", first)
    if email:
        person.fill("Email", email)
    if phone:
        person.fill("Phone", phone)
    person.fill("Message", message)
    person.page.get_by_label("You may contact me about this enquiry").check()
    if texts and phone:
        person.page.get_by_label("I agree to receive text messages", exact=False).check()
    person.press("Send enquiry")
    person.see("Thank you")


def enquiry_id(server, email: str) -> int:
    return server.sql(f"SELECT id FROM contact_submissions WHERE email = '{email}'")[0][0]


def wait_until(check, seconds: float = 20, what: str = "the condition"):
    """For work a background job does: asks again until it holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not hold within {seconds} s")


def wait_for_status(database, enquiry: int, status: str, what: str):
    """Until the enquiry's row has `status` (`database` is a server or the demo: anything with .sql)."""
    wait_until(lambda: database.sql(f"SELECT status FROM contact_submissions WHERE id = {enquiry}")[0][0] == status, what=what)


def configure_suitedash(person, sandbox, public_id: str | None = None):
    """Admin > SuiteDash: API mode, switched on, the sandbox's address and keys."""
    person.open("/admin/integrations/suitedash")
    person.page.get_by_label("API mode", exact=False).check()
    person.page.get_by_label("Integration switched on").check()
    person.fill("API URL", sandbox.values["SUITEDASH_API_URL"])
    person.fill("Public ID", public_id or sandbox.values["SUITEDASH_API_KEY"])
    person.fill("Secret Key", sandbox.values["SUITEDASH_SECRET_KEY"])
    # API mode asks for the plan, so the month's calls cannot run out unnoticed.
    person.page.get_by_label("SuiteDash plan").select_option("pinnacle")
    person.press("Save")
    person.see("Saved.")


def connect_suitedash(person, sandbox):
    """The first admin sets SuiteDash up in API mode and Test Connection passes."""
    create_first_admin(person)
    configure_suitedash(person, sandbox)
    person.press("Test Connection")
    person.see("Connected: SuiteDash accepted the keys.")

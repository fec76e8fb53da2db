"""Speed to lead: an admin sets it up, a visitor's enquiry alerts staff and is answered at once,
a STOP is honoured, a missed call is texted back, and the first contact is measured."""

import time

from steps import awake_lead_phone, create_first_admin, enquiry_id, send_enquiry, wait_until
from test_ringcentral import connect_ringcentral

STAFF = "+16505550199"
# The missed-call text keeps the caller's quiet hours too: a caller where it is daytime now.
CALLER = awake_lead_phone("0177")[1]


def texts_to(server, number, kind):
    return server.sql(f"SELECT text, status FROM sms_messages WHERE to_number = '{number}' AND kind = '{kind}' AND status != 'Sending'")


def test_speed_to_lead_from_setup_to_first_contact(person, server, sandbox):
    create_first_admin(person)
    # Before RingCentral is connected, the page says why nothing would go.
    person.open("/admin/speed-to-lead")
    person.fill("Alert numbers", STAFF)
    person.press("Save")
    person.see("Saved.")
    person.see("RingCentral is not connected")
    person.open("/admin")
    person.see("No automatic texts are going out.")

    connect_ringcentral(person, sandbox)
    person.press("Create webhook subscription")
    person.see("Subscription")

    # Set up, with a mistake first: refused with the reason, what was typed kept.
    person.open("/admin/speed-to-lead")
    person.fill("Alert numbers", f"{STAFF}, 0207 946 0000")
    person.fill("Business name", "Acme Advisory")
    person.fill("Instant reply", "Hi {firstname}, thanks for contacting {business_name}.")
    person.fill("Missed-call text", "Sorry we missed your call. {business_name} will ring you back shortly.")
    person.press("Save", status=422)
    person.see('"0207 946 0000" is not a number in international format')
    person.see("Instant reply uses {firstname}, which is not a placeholder")
    person.screenshot("speed-to-lead-refused")
    person.fill("Alert numbers", STAFF)
    person.fill("Instant reply", "Hi {first_name}, thanks for contacting {business_name}. We will call you within the hour.")
    person.press("Save")
    person.see("Saved.")

    # A visitor's enquiry: staff are alerted within 5 seconds, and the lead gets the reply.
    typed, lead = awake_lead_phone("0100")
    send_enquiry(person, "Ada", email="ada@example.com", phone=typed,
                 message="We are opening three offices next spring and need a hiring plan.")
    sent_at = time.monotonic()
    alert = wait_until(lambda: texts_to(server, STAFF, "alert"), seconds=5, what="the staff alert within 5 s")
    assert time.monotonic() - sent_at < 5
    assert "Ada" in alert[0][0] and "We are opening three offices" in alert[0][0], alert
    reply = wait_until(lambda: texts_to(server, lead, "auto_reply"), what="the instant reply")
    assert reply[0][0] == ("Hi Ada, thanks for contacting Acme Advisory. We will call you within the hour.\n"
                           "Reply STOP to opt out."), reply

    number = enquiry_id(server, "ada@example.com")
    person.open(f"/admin/submissions/{number}")
    person.see(f"Staff alerted ({STAFF})")
    person.see(f"Instant reply to {lead}")
    person.see("Waiting for")

    # The lead texts STOP: the page says so, and Send SMS asks first.
    sandbox.control("/_sandbox/ringcentral/inbound-sms", {"from": lead, "text": "STOP"})
    wait_until(lambda: server.sql("SELECT COUNT(*) FROM do_not_text")[0][0] == 1, what="the opt-out kept")
    person.open(f"/admin/submissions/{number}")
    person.see("Texted STOP on")
    person.see("they asked not to be texted")
    # The texts' RingCentral calls sit under SuiteDash sync: the table says whose calls they are.
    calls = person.page.get_by_role("table", name="Calls to SuiteDash and RingCentral for this enquiry")
    assert "ringcentral" in calls.inner_text()
    person.page.get_by_label("Message", exact=True).fill("Thanks, Ada: I will call you instead.")
    person.screenshot("enquiry-opted-out")
    person.page.get_by_label("Send anyway: they asked me to text them since").check()
    person.press("Send SMS")
    person.see("Text sent")
    person.see("after it came in")

    # A caller the office missed is texted back, and the Calls page says so.
    sandbox.control("/_sandbox/ringcentral/inbound-call", {"from": CALLER, "result": "Missed"})
    back = wait_until(lambda: texts_to(server, CALLER, "missed_call"), what="the missed-call text")
    assert back[0][0].startswith("Sorry we missed your call. Acme Advisory"), back
    person.open("/admin/call-logs")
    person.press("Sync now")
    wait_until(lambda: server.sql(f"SELECT COUNT(*) FROM call_logs WHERE other_party_phone = '{CALLER}'")[0][0] == 1,
               what="the missed call synced")
    person.open("/admin/call-logs")
    person.see("texted back")
    person.screenshot("calls-texted-back")

    person.open("/admin/speed-to-lead")
    person.see("Missed-call text")
    person.screenshot("speed-to-lead")
    person.open("/admin/submissions?sort=first_contact")
    person.see("1 enquiry")
    assert person.page.get_by_label("Order").input_value() == "first_contact"
    person.screenshot("enquiries-by-first-contact")
    person.open("/admin")
    person.see("median this week")
    person.screenshot("dashboard-speed-to-lead")

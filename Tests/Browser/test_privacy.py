"""A person's data: found from their enquiry, downloaded as JSON, erased after a confirmation,
and the erasure recorded without their details."""

import json
import sqlite3
import time

from steps import create_first_admin, enquiry_id, send_enquiry


def download_everything(person) -> dict:
    """Presses the page's download link and reads the JSON file the browser saved."""
    with person.page.expect_download() as download:
        person.page.get_by_role("link", name="Download everything (JSON)").click()
    return json.loads(open(download.value.path()).read())


def test_an_admin_downloads_and_erases_a_persons_data(person, server):
    create_first_admin(person)
    send_enquiry(person, "Ada", email="ada@example.com", phone="+1 415 555 0177", message="Please call me.")
    send_enquiry(person, "Bob", email="bob@example.com")
    number = enquiry_id(server, "ada@example.com")

    # A text from the number she typed, linked to her enquiry by that number alone.
    with sqlite3.connect(server.storage / "database.sqlite", timeout=10) as db:
        db.execute("INSERT INTO sms_messages (contact_submission_id, direction, from_number, to_number, text, status, created_at)"
                   " VALUES (?, 'inbound', '+14155550177', '+16505550101', 'Is this Ada?', 'Received', ?)", (number, time.time()))
    person.open(f"/admin/submissions/{number}")
    person.see("linked by the phone number typed into the form, not verified")
    person.see("You may contact me about this enquiry")  # the words she agreed to, kept with her enquiry
    person.press("Find everything LeadBridge holds about this person")
    person.see("What LeadBridge holds")
    person.see("SuiteDash and RingCentral keep their own records.")
    person.screenshot("privacy-found")

    document = download_everything(person)
    assert [e["email"] for e in document["enquiries"]] == ["ada@example.com"]
    assert document["enquiries"][0]["message"] == "Please call me."
    assert document["texts"] == [] and "linkedByTypedPhone" not in document, "a typed number proves nothing"

    # The admin knows the number is hers: tick, find again, and the text comes, in its own section.
    person.see("Not included: 0 call(s) and 1 text(s) with +14155550177")
    person.page.get_by_label("Also the calls and texts of +14155550177, linked by a phone number the visitor typed").check()
    person.press("Find")
    person.see("Included: 0 call(s) and 1 text(s) with +14155550177")
    person.screenshot("privacy-phone-linked")
    document = download_everything(person)
    assert [t["text"] for t in document["linkedByTypedPhone"]["texts"]] == ["Is this Ada?"]

    # The box must be ticked: the browser says so before anything is sent.
    page_before = person.page.url
    person.page.get_by_role("button", name="Erase this person's data").click()
    assert person.page.evaluate("document.getElementById('confirm').validity.valueMissing")
    assert person.page.url == page_before, "no erase request was sent"
    assert server.sql(f"SELECT COUNT(*) FROM contact_submissions WHERE id = {number}")[0][0] == 1

    person.page.get_by_label("I understand erasing cannot be undone").check()
    person.press("Erase this person's data")
    person.see("Erased 1 enquiry(ies)")
    person.see("A person, by email")
    assert "ada@example.com" not in person.text()
    person.screenshot("privacy-erased")
    assert server.sql("SELECT email FROM contact_submissions") == [("bob@example.com",)]
    assert server.sql("SELECT COUNT(*) FROM sms_messages")[0][0] == 0, "erased with the tick: the linked text too"

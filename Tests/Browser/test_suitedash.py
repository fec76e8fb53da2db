"""SuiteDash, in API mode and in import mode, set up and used from the admin."""

import csv
import io
import sqlite3
import time

from steps import configure_suitedash, connect_suitedash, create_first_admin, enquiry_id, send_enquiry, wait_for_status, wait_until


def status_of(server, email):
    return server.sql(f"SELECT status, external_id FROM contact_submissions WHERE email = '{email}'")[0]


def test_api_mode_keys_are_tested_and_enquiries_reach_suitedash(person, server, sandbox):
    create_first_admin(person)
    person.open("/admin/integrations/suitedash")
    # Nothing has been tested yet, and no limit is set: the page says so plainly.
    assert "Failed" not in person.text()
    assert "of (" not in person.text()
    person.screenshot("suitedash-new")

    # A mistyped Public ID: Test Connection fails with a sentence that says what to do.
    configure_suitedash(person, sandbox, public_id="not-the-public-id")
    person.press("Test Connection")
    person.see("SuiteDash refused these keys.")
    person.see("SuiteDash sync is on hold.")

    configure_suitedash(person, sandbox)
    person.press("Test Connection")
    person.see("Connected: SuiteDash accepted the keys.")
    assert "on hold" not in person.text()
    person.screenshot("suitedash-connected")

    send_enquiry(person, "Ada", email="ada@example.com")
    wait_until(lambda: status_of(server, "ada@example.com")[0] == "synced", what="Ada's enquiry synced")
    uid = status_of(server, "ada@example.com")[1]
    person.open(f"/admin/submissions/{enquiry_id(server, 'ada@example.com')}")
    person.see("synced")
    assert uid and uid in person.text(), "the CRM id is not on the enquiry's page"
    # Looking the new lead up first finds nobody: that is the normal first step, not a failure.
    timeline = person.page.locator(".timeline").inner_text()
    assert "failed" not in timeline.lower(), timeline
    assert person.page.locator("table .badge.status-failed").count() == 0
    person.screenshot("enquiry-synced")
    person.open("/admin/integration-logs?provider=suitedash")
    lookups = person.page.locator("tbody tr", has_text="GET /contact/{id}")
    assert lookups.count() >= 1 and lookups.locator(".badge.status-failed").count() == 0
    person.screenshot("integration-logs")
    first_log = person.page.locator("tbody a").first
    person.navigate(lambda: first_log.click())
    person.screenshot("integration-log")
    # The product's word is "enquiry" everywhere a person reads it, the admin's nav included.
    person.press("Enquiries")
    assert person.page.url.endswith("/admin/submissions")
    assert person.page.get_by_role("heading", level=1).inner_text() == "Enquiries"
    person.see("ada@example.com")
    person.see("1 enquiry · page 1 of 1")
    person.screenshot("submissions")
    # The search box, typed into as a person would: a part of an email, then two letters.
    person.fill("Search", "example.co")
    person.press("Filter")
    person.see("ada@example.com")
    person.fill("Search", "Ad")
    person.press("Filter")
    person.see("One or two characters search the newest 10,000 enquiries")
    person.see("ada@example.com")
    person.screenshot("submissions-short-search")


def test_a_refused_enquiry_shows_suitedashs_reason_is_edited_and_sent_again(person, server, sandbox):
    connect_suitedash(person, sandbox)

    sandbox.control("/_sandbox/suitedash/switches", {"validationMessage": "The first name may not contain digits."})
    send_enquiry(person, "B0b", email="bob@example.com")
    wait_until(lambda: status_of(server, "bob@example.com")[0] == "failed", what="Bob's enquiry refused")
    number = enquiry_id(server, "bob@example.com")
    person.open(f"/admin/submissions/{number}")
    person.see("The first name may not contain digits.")
    person.screenshot("enquiry-refused")

    # SuiteDash's rule is met by correcting the name.
    sandbox.control("/_sandbox/suitedash/switches", {})
    person.press("Edit this enquiry")
    person.screenshot("enquiry-edit")
    person.fill("First name", "Bob")
    person.press("Save")
    person.press("Sync now")
    person.see("Queued for SuiteDash.")
    wait_until(lambda: status_of(server, "bob@example.com")[0] == "synced", what="Bob's enquiry synced")
    person.open(f"/admin/submissions/{number}")
    person.see("synced")
    assert sandbox.control("/_sandbox/suitedash")["distinctEmails"] == 1
    assert sandbox.control("/_sandbox/suitedash")["contacts"] == 1


def test_import_mode_exports_a_csv_that_is_downloaded_and_marked_synced(person, server, sandbox):
    create_first_admin(person)
    person.open("/admin/integrations/suitedash")
    person.page.get_by_label("Import mode", exact=False).check()
    person.press("Save")
    person.see("Saved.")
    send_enquiry(person, "Ada", email="ada@example.com", phone="+44 20 7946 0958", message='Quote, "comma"\nand a line')
    send_enquiry(person, "Grace", email="grace@example.com")

    person.open("/admin/integrations/suitedash")
    person.press("Import mode: Generate Export and View Export History →")
    person.see("2 enquiries have not been exported yet.")
    person.screenshot("exports-new")
    person.press("Generate Export")
    person.see("is ready: 2 enquiries")
    person.screenshot("exports-history")

    link = person.page.get_by_role("link", name="Download").first
    with person.page.expect_download() as arrival:
        link.click()
    download = arrival.value
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    # The guide's 11 columns first; then the form, where the lead came from and extra fields (#30).
    assert rows[0][:11] == ["ID", "First Name", "Last Name", "Email", "Phone", "Company", "Service Interest",
                            "Message", "Source", "Created Date", "Tags"]
    assert rows[0][11:] == ["Form", "Channel", "UTM Source", "UTM Medium", "UTM Campaign", "Other Fields"]
    assert len(rows) == 3 and all(len(row) == len(rows[0]) for row in rows)
    ada = next(row for row in rows if row[1] == "Ada")
    assert ada[3] == "ada@example.com" and ada[4] == "+442079460958"
    assert ada[7] == 'Quote, "comma"\nand a line'

    person.page.locator("tbody tr td a").first.click()
    person.page.wait_for_load_state("load")
    person.look()
    person.screenshot("export-detail")
    person.press("Mark all as synced")
    person.see("2 enquiries marked as synced.")
    assert server.sql("SELECT status FROM contact_submissions ORDER BY id") == [("synced",), ("synced",)]
    # Nothing went to SuiteDash's API in import mode.
    assert sandbox.control("/_sandbox/suitedash")["totalCalls"] == 0


def test_custom_fields_and_circles_are_chosen_and_every_lead_carries_them(person, server, sandbox):
    connect_suitedash(person, sandbox)
    # Test Connection read the account's custom fields: each enquiry field offers them.
    person.see("5 custom fields found.")
    person.page.get_by_label("Source", exact=True).select_option(label="Lead Source")
    person.page.get_by_label("Link to the enquiry in LeadBridge").select_option(label="LeadBridge Link")
    person.fill("Circles every new lead joins", "Website Leads")
    person.fill("Last name when the form has none", "(website lead)")
    person.press("Save")
    person.see("Saved.")
    assert person.page.get_by_label("Source", exact=True).input_value() != ""
    person.screenshot("suitedash-mapping")

    # The public form asks for no last name: SuiteDash, which requires one, gets the placeholder.
    send_enquiry(person, "Ada", email="ada@example.com")
    wait_until(lambda: status_of(server, "ada@example.com")[0] == "synced", what="Ada's enquiry synced")
    number = enquiry_id(server, "ada@example.com")
    contact = sandbox.control("/_sandbox/suitedash/contacts?email=ada@example.com")["contacts"][0]
    assert contact["last_name"] == "(website lead)"
    assert [circle["name"] for circle in contact["circles"]] == ["Website Leads"]
    values = sorted(contact["custom_fields"].values())
    assert values == sorted(["website", f"{server.url}/admin/submissions/{number}"]), values
    assert "company_name" not in contact


def test_a_new_api_address_needs_the_secret_key_typed_again(person, sandbox):
    connect_suitedash(person, sandbox)
    # Someone with this session points the stored keys at another server: refused in words.
    person.fill("API URL", "https://collector.example.net/secure-api")
    person.press("Save", status=422)
    person.see("Enter the Secret Key again to use it with a different API address.")
    person.screenshot("suitedash-new-address")
    person.fill("API URL", "http://collector.example.net/secure-api")
    person.fill("Secret Key", "anything")
    person.press("Save", status=422)
    person.see("Enter the API address over https")


def test_the_dashboard_says_when_the_spam_ceiling_holds_syncs_back(chromium, folder, sandbox, request):
    from conftest import SCREENSHOTS, LeadBridge, stop
    from person import Person

    server = LeadBridge(folder, sandbox, SUITEDASH_SYNCS_PER_MINUTE="1")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    person = Person(context, server.url, SCREENSHOTS / request.node.name)
    try:
        connect_suitedash(person, sandbox)
        send_enquiry(person, "Ada", email="ada@example.com")
        send_enquiry(person, "Grace", email="grace@example.com")
        wait_until(lambda: status_of(server, "ada@example.com")[0] == "synced", what="the first enquiry synced")
        person.open("/admin")
        person.see("SuiteDash syncs are held back.")
        person.see("Enquiries are arriving faster than 1 a minute: all are stored, and their SuiteDash syncs run at 1 a minute.")
        assert status_of(server, "grace@example.com")[0] == "pending", "the second waits its turn"
        person.screenshot("dashboard-ceiling")
        assert not person.problems, person.problems
    finally:
        context.close()
        stop(server.process)


def test_a_phone_only_lead_reaches_suitedash_and_two_contacts_are_chosen_between(person, server, sandbox):
    connect_suitedash(person, sandbox)

    # A visitor who wants a call leaves only a phone: a Lead with that phone, no email.
    send_enquiry(person, "Pat", phone="+1 415 555 0177")
    wait_until(lambda: server.sql("SELECT status FROM contact_submissions WHERE first_name = 'Pat'")[0][0] == "synced",
               what="the phone-only lead synced")
    assert sandbox.control("/_sandbox/suitedash")["contacts"] == 1

    # Someone else already in SuiteDash by email, then an enquiry with Pat's phone and that email.
    send_enquiry(person, "Ada", email="ada@example.com")
    wait_until(lambda: status_of(server, "ada@example.com")[0] == "synced", what="Ada synced")
    send_enquiry(person, "Ada", email="ada@example.com", phone="+1 415 555 0177")
    both = server.sql("SELECT id FROM contact_submissions WHERE email = 'ada@example.com' AND phone IS NOT NULL")[0][0]
    wait_until(lambda: server.sql(f"SELECT sync_error FROM contact_submissions WHERE id = {both}")[0][0],
               what="the enquiry held for a choice")
    person.open(f"/admin/submissions/{both}")
    person.see("Two SuiteDash contacts: which one is this person?")
    person.screenshot("enquiry-two-contacts")
    person.press("Add it to the email's contact")
    person.see("Queued: the enquiry joins the contact that holds its email.")
    wait_for_status(server, both, "synced", what="the chosen sync")
    person.open(f"/admin/submissions/{both}")
    assert "Two SuiteDash contacts" not in person.text()
    assert sandbox.control("/_sandbox/suitedash")["contacts"] == 2, "nothing merged, nothing added"


def test_a_phone_only_create_whose_answer_was_lost_waits_for_the_admin(person, server, sandbox):
    connect_suitedash(person, sandbox)
    # What a worker killed mid-create leaves behind: the note LeadBridge writes before a
    # phone-only create, with no uid (written here as the operator's sqlite3 would).
    with sqlite3.connect(server.storage / "database.sqlite", timeout=10) as db:
        db.execute("INSERT INTO suitedash_contacts (contact_key, uid, updated_at) VALUES (?, ?, ?)",
                   ("phone:+14155550188", f"creating:{int(time.time())}", time.time()))
    send_enquiry(person, "Rae", phone="+1 415 555 0188")
    wait_until(lambda: server.sql("SELECT sync_error FROM contact_submissions WHERE first_name = 'Rae'")[0][0],
               what="the enquiry held for the admin")
    assert sandbox.control("/_sandbox/suitedash")["contacts"] == 0, "no contact made while unsure"
    number = server.sql("SELECT id FROM contact_submissions WHERE first_name = 'Rae'")[0][0]
    person.open(f"/admin/submissions/{number}")
    person.see("Is this lead in SuiteDash already?")
    person.screenshot("enquiry-uncertain-create")
    # Not there: leave the uid empty, and it is created, once.
    person.press("Sync this enquiry")
    person.see("Queued: a new SuiteDash contact will be created for +14155550188.")
    wait_for_status(server, number, "synced", what="the enquiry synced")
    assert sandbox.control("/_sandbox/suitedash")["contacts"] == 1
    person.open(f"/admin/submissions/{number}")
    assert "Is this lead in SuiteDash already?" not in person.text()


def test_a_visitor_typing_a_clients_email_only_adds_and_the_admin_applies_a_difference(person, server, sandbox):
    connect_suitedash(person, sandbox)
    send_enquiry(person, "Grace", email="ceo@bigclient.example", phone="+1 415 555 0123")
    wait_until(lambda: status_of(server, "ceo@bigclient.example")[0] == "synced", what="the client synced")

    # Anyone can type the client's email: with their own name and number it changes nothing there.
    send_enquiry(person, "Mallory", email="ceo@bigclient.example", phone="+1 650 555 0666", message="New number, call me.")
    forged = server.sql("SELECT id FROM contact_submissions WHERE first_name = 'Mallory'")[0][0]
    wait_for_status(server, forged, "synced", what="the second enquiry synced")
    contact = sandbox.control("/_sandbox/suitedash/contacts?email=ceo@bigclient.example")["contacts"][0]
    assert contact["phone"] == "+14155550123" and contact["first_name"] == "Grace", contact
    assert "New number, call me." in contact["background_info"], "the enquiry is added to the contact"

    person.open(f"/admin/submissions/{forged}")
    person.see("SuiteDash kept what it holds")
    person.see("SuiteDash has +14155550123, the form said +16505550666.")
    person.see("SuiteDash has Grace, the form said Mallory.")
    person.screenshot("enquiry-suitedash-differences")
    # The admin rang the client and the number is theirs: apply that one, and only that one.
    person.page.locator("form", has_text="Phone:").get_by_role("button").click()
    person.see("Phone applied: SuiteDash contact")
    contact = sandbox.control("/_sandbox/suitedash/contacts?email=ceo@bigclient.example")["contacts"][0]
    assert contact["phone"] == "+16505550666" and contact["first_name"] == "Grace", contact
    assert "the form said +16505550666" not in person.text()


def test_a_typed_email_joins_a_phone_only_contact_only_when_the_admin_adds_it(person, server, sandbox):
    connect_suitedash(person, sandbox)
    send_enquiry(person, "Pat", phone="+1 415 555 0177")
    wait_until(lambda: server.sql("SELECT status FROM contact_submissions WHERE first_name = 'Pat'")[0][0] == "synced",
               what="the phone-only lead synced")
    send_enquiry(person, "Pat", email="pat@example.com", phone="+1 415 555 0177")
    later = enquiry_id(server, "pat@example.com")
    wait_until(lambda: server.sql(f"SELECT sync_error FROM contact_submissions WHERE id = {later}")[0][0],
               what="the enquiry held for the admin")
    assert sandbox.control("/_sandbox/suitedash/contacts?email=pat@example.com")["contacts"] == [], "no email added by itself"
    person.open(f"/admin/submissions/{later}")
    person.see("Add this email to the SuiteDash contact?")
    person.screenshot("enquiry-add-email")
    person.page.get_by_role("button", name="Add the email to contact").click()
    person.see("Queued: the enquiry joins the contact that holds its email.")
    wait_for_status(server, later, "synced", what="the confirmed sync")
    assert len(sandbox.control("/_sandbox/suitedash/contacts?email=pat@example.com")["contacts"]) == 1
    assert sandbox.control("/_sandbox/suitedash")["contacts"] == 1

"""RingCentral: connected through its own consent page, then calls, texts and the call log."""

from playwright.sync_api import expect

from steps import create_first_admin, enquiry_id, send_enquiry, wait_until

OFFICE_PHONE = "+16505550123"


def connect_ringcentral(person, sandbox, refresh_blocked=False):
    """Connect RingCentral → RingCentral's page → Authorize → back on the RingCentral page.

    Our "Connecting RingCentral" page moves the browser on by itself at once. With
    `refresh_blocked` that first move gets nothing back (as with a browser that ignores
    refreshes), so the page stays: it is looked at, and its Continue button is used."""
    person.open("/admin/integrations/ringcentral")
    person.screenshot("ringcentral-not-connected")
    to_ringcentral = lambda url: url.startswith(sandbox.url)  # noqa: E731
    if not refresh_blocked:
        person.press("Connect RingCentral", arriving_at=to_ringcentral)
    else:
        def nothing(route):
            route.fulfill(status=204)

        person.page.route(to_ringcentral, nothing, times=1)
        person.press("Connect RingCentral")
        person.see("Taking you to RingCentral")
        person.page.wait_for_timeout(500)  # the refresh has fired and come to nothing
        assert "/admin/integrations/ringcentral/connect" in person.page.url, person.page.url
        person.screenshot("ringcentral-onward")
        person.press("Continue to RingCentral", arriving_at=to_ringcentral)
    assert person.page.url.startswith(sandbox.url + "/restapi/oauth/authorize"), person.page.url
    person.press("Authorize")
    assert "/admin/integrations/ringcentral" in person.page.url, person.page.url
    person.see("Connected to RingCentral account")


def test_an_admin_connects_ringcentral_sees_the_account_and_disconnects(person, server, sandbox):
    create_first_admin(person)
    connect_ringcentral(person, sandbox, refresh_blocked=True)
    person.see("Connected account")
    numbers = person.page.get_by_role("table", name="The extension's numbers")
    assert numbers.locator("tbody tr").count() >= 1
    assert "SmsSender" in numbers.inner_text()
    person.screenshot("ringcentral-connected")
    assert server.sql("SELECT COUNT(*) FROM ringcentral_tokens") == [(1,)]

    person.press("Disconnect")
    person.see("Disconnected")
    person.see("Connect RingCentral")
    assert server.sql("SELECT COUNT(*) FROM ringcentral_tokens") == [(0,)]


def test_an_admin_connects_ringcentral_with_a_jwt_credential(person, server, sandbox):
    """No trip to RingCentral's pages: the JWT credential is pasted, saved, and used to sign in."""
    create_first_admin(person)
    person.open("/admin/integrations/ringcentral")
    person.see("Or paste a JWT credential under Settings")
    jwt = sandbox.values["RINGCENTRAL_JWT"]  # what `leadbridge sandbox` printed, as the developer console shows one
    person.fill("JWT credential", jwt)
    person.press("Save")
    person.see("Saved.")
    assert jwt not in person.page.content(), "the credential is never shown again"
    person.screenshot("ringcentral-jwt-saved")

    person.press("Connect with JWT")
    person.see("Connected to RingCentral account")
    person.see("Connected account")
    numbers = person.page.get_by_role("table", name="The extension's numbers")
    assert "SmsSender" in numbers.inner_text()
    assert jwt not in person.page.content()
    person.screenshot("ringcentral-connected-with-jwt")
    assert server.sql("SELECT COUNT(*) FROM ringcentral_tokens") == [(1,)]
    token_requests = sandbox.control("/_sandbox/ringcentral")["tokenRequests"]
    assert token_requests == {"urn:ietf:params:oauth:grant-type:jwt-bearer": 1}, token_requests

    # The credential revoked in RingCentral's console, or its user gone: the admin removes it.
    person.page.get_by_label("Remove the saved JWT credential").check()
    person.press("Save")
    person.see("The saved JWT credential is removed")
    person.screenshot("ringcentral-jwt-removed")
    assert person.page.get_by_label("Remove the saved JWT credential").count() == 0
    assert "Reconnect with JWT" not in person.text()
    assert "jwt" not in (server.sql("SELECT credentials FROM integration_settings WHERE provider = 'ringcentral'")[0][0] or "")


def test_a_person_opening_the_admin_on_another_host_is_told_where_to_connect(person, server, sandbox):
    create_first_admin(person)
    # The same server, reached as 127.0.0.1 while APP_URL and the redirect URI say localhost:
    # the session cookie is per host, so this is a second sign-in, as for a real person.
    other = server.url.replace("localhost", "127.0.0.1")
    person.use_address(other)
    person.open("/admin/login")
    person.fill("Email", "owner@example.com")
    person.fill("Password", "correct horse battery")
    person.press("Sign in")
    person.open("/admin/integrations/ringcentral")
    # Warned before clicking, with the address that works.
    person.see(server.url + "/admin/integrations/ringcentral")
    person.press("Connect RingCentral", status=409)
    person.see(server.url)
    person.see(other)
    person.screenshot("ringcentral-wrong-host")


def test_calls_and_texts_from_an_enquiry_page(person, server, sandbox):
    create_first_admin(person)
    connect_ringcentral(person, sandbox)
    person.fill("The phone RingCentral rings first when you click Call", OFFICE_PHONE)
    person.press("Save my phone")
    person.see("Your office phone is saved.")

    send_enquiry(person, "Ada", email="ada@example.com", phone="+1 415 555 0100")
    number = enquiry_id(server, "ada@example.com")
    person.open(f"/admin/submissions/{number}")
    assert person.page.get_by_label("Ring this phone first").input_value() == OFFICE_PHONE
    person.screenshot("enquiry-phone")

    # Call: the status moves on by itself until the call ends (a step every 3 s here, so the
    # page is seen ringing first even on a slow machine).
    sandbox.control("/_sandbox/ringcentral/settings", {"ringOutStepSeconds": 3})
    person.press("Call")
    status = person.page.locator("#ringout-status")
    assert status.inner_text() in ("Ringing your phone…", "Your phone answered; ringing the lead…")
    person.screenshot("enquiry-calling")
    expect(status).to_have_text("Connected.", timeout=20_000)
    assert person.page.locator("#ringout-cancel").count() == 0

    # A second call, cancelled while it rings.
    sandbox.control("/_sandbox/ringcentral/settings", {"ringOutStepSeconds": 60})
    person.press("Call")
    person.press("Cancel")
    person.see("Call cancelled.")

    # SMS: the counter counts as the person types, and the text joins the timeline.
    text = "Hi Ada, thanks for your enquiry. When suits you for a call?"
    person.page.get_by_label("Message", exact=True).press_sequentially(text)
    assert person.page.locator("#sms-count").inner_text() == str(len(text))
    person.press("Send SMS")
    person.see("Text sent")
    assert text in person.page.locator(".timeline").inner_text()
    person.screenshot("enquiry-texted")
    sent = sandbox.control("/_sandbox/ringcentral")["callsByEndpoint"]
    assert sent.get("POST /restapi/v1.0/account/~/extension/~/sms") == 1

    # A number that is not one: refused with a 422 and the reason, and the text typed is kept.
    person.fill("To", "555-0100")
    person.page.get_by_label("Message", exact=True).fill("Are you free tomorrow?")
    person.press("Send SMS", status=422)
    person.see("international format")
    assert person.page.get_by_label("Message", exact=True).input_value() == "Are you free tomorrow?"
    person.screenshot("enquiry-sms-refused")
    sent = sandbox.control("/_sandbox/ringcentral")["callsByEndpoint"]
    assert sent.get("POST /restapi/v1.0/account/~/extension/~/sms") == 1, "nothing more reached RingCentral"


def test_the_call_log_is_synced_and_webhooks_are_subscribed(person, server, sandbox):
    create_first_admin(person)
    connect_ringcentral(person, sandbox)
    person.press("Create webhook subscription")
    person.see("Subscription")
    assert "Active" in person.page.locator("dl.details").last.inner_text()
    person.screenshot("ringcentral-subscribed")

    sandbox.control("/_sandbox/ringcentral/call-log/generate", {"count": 12})
    person.open("/admin/call-logs")
    person.screenshot("call-logs-empty")
    person.press("Sync now")
    person.see("Call-log sync queued")
    wait_until(lambda: server.sql("SELECT COUNT(*) FROM call_logs")[0][0] >= 12, what="12 calls synced")
    person.open("/admin/call-logs")
    assert person.page.locator("tbody tr").count() >= 12
    person.screenshot("call-logs")

    # An inbound text arrives by webhook and shows on the Messages page.
    sandbox.control("/_sandbox/ringcentral/inbound-sms", {"from": "+14155550199", "text": "Are you open on Saturday?"})
    wait_until(lambda: server.sql("SELECT COUNT(*) FROM sms_messages")[0][0] >= 1, what="the inbound text stored")
    person.open("/admin/messages")
    person.see("Are you open on Saturday?")
    person.screenshot("messages")

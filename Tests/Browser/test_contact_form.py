"""A visitor on the public site sends an enquiry."""

from person import field_error


def test_a_visitor_corrects_the_form_and_sends_an_enquiry(person, server):
    person.open("/")
    person.screenshot("home")
    person.press("Contact us")
    person.screenshot("contact-form")

    # They forget their first name and mistype their email.
    person.fill("Email", "ada@example")
    person.fill("Phone", "415 555 0100")
    person.page.get_by_label("What can we help with?").select_option("Marketing & Growth")
    person.fill("Message", "We need help with our launch.\nSecond line.")
    person.press("Send enquiry", status=422)
    person.see("Please correct the highlighted fields below.")
    assert field_error(person.page, "first_name"), "no sentence under First name"
    assert field_error(person.page, "email"), "no sentence under Email"
    # What they typed is still there.
    assert person.page.get_by_label("Email", exact=True).input_value() == "ada@example"
    assert person.page.get_by_label("Message", exact=True).input_value() == "We need help with our launch.\nSecond line."
    assert person.page.get_by_label("What can we help with?").input_value() == "Marketing & Growth"
    person.screenshot("contact-form-errors")
    assert server.sql("SELECT COUNT(*) FROM contact_submissions") == [(0,)]

    person.fill("First name", "Ada")
    person.fill("Last name", "Lovelace")
    person.fill("Email", "Ada@Example.com")
    person.page.get_by_label("You may contact me about this enquiry").check()
    person.press("Send enquiry")
    person.see("Thank you")
    assert person.page.url.endswith("/contact/thanks")
    person.screenshot("contact-thanks")

    rows = server.sql("SELECT first_name, last_name, email, phone, service_interest, status FROM contact_submissions")
    assert rows == [("Ada", "Lovelace", "ada@example.com", "+14155550100", "Marketing & Growth", "pending")]


def test_a_visitor_sends_an_enquiry_with_the_keyboard_alone(person, server):
    person.open("/contact")
    keyboard = person.page.keyboard
    person.tab_to("first_name")
    keyboard.type("Grace")
    person.tab_to("last_name")
    keyboard.type("Hopper")
    person.tab_to("email")
    keyboard.type("grace@example.com")
    person.tab_to("service_interest")
    # A closed select takes letters typed on it, as in every desktop browser.
    keyboard.type("Tech")
    person.tab_to("message")
    keyboard.type("Please call me back.")
    person.tab_to("consent")
    keyboard.press("Space")
    assert person.page.get_by_label("You may contact me about this enquiry").is_checked()
    # The optional texting box comes next, and is left unticked.
    keyboard.press("Tab")
    assert person.page.evaluate("document.activeElement.id") == "sms_consent"
    keyboard.press("Tab")
    assert person.page.evaluate("document.activeElement.textContent.trim()") == "Send enquiry"
    person.navigate(lambda: keyboard.press("Enter"))
    person.see("Thank you")

    rows = server.sql("SELECT first_name, email, service_interest, message FROM contact_submissions")
    assert rows == [("Grace", "grace@example.com", "Technology & Digital", "Please call me back.")]


def test_a_page_on_another_origin_sends_an_enquiry_to_the_api(chromium, folder, sandbox):
    """A consultancy's own site (another origin) posts its form to /api/contact with fetch, as
    CORS_ALLOWED_ORIGINS allows: the browser's preflight passes, the enquiry is stored, and the
    page reads the answer. What the visitor typed is stored as typed, cleaned, and nothing more."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from conftest import LeadBridge, SCREENSHOTS, free_port, stop
    from person import Person

    site_port = free_port()
    site_origin = f"http://127.0.0.1:{site_port}"
    app = LeadBridge(folder, sandbox, CORS_ALLOWED_ORIGINS=site_origin)
    site = folder / "site"
    site.mkdir()
    (site / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Consulting</title><link rel="icon" href="data:,"></head>
<body><main><h1>Talk to us</h1>
<form id="enquiry"><label>Name <input name="first_name" value="Grace"></label>
<label>Email <input name="email" value="grace@example.com"></label>
<button type="submit">Send</button></form><p id="result" role="status"></p></main>
<script>
document.getElementById("enquiry").addEventListener("submit", async (event) => {{
  event.preventDefault();
  const form = new FormData(event.target);
  const answer = await fetch("{app.url}/api/contact", {{
    method: "POST", headers: {{"Content-Type": "application/json"}},
    body: JSON.stringify({{first_name: form.get("first_name"), email: form.get("email"),
                          message: "Seen at https://evil.example \\u202e", consent: true, source: "acme-site"}})
  }});
  document.getElementById("result").textContent = answer.status + " " + JSON.stringify(await answer.json());
}});
</script></body></html>""")
    httpd = ThreadingHTTPServer(("127.0.0.1", site_port), partial(SimpleHTTPRequestHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    person = Person(context, site_origin, SCREENSHOTS / "test_a_page_on_another_origin_sends_an_enquiry_to_the_api")
    try:
        person.page.goto(site_origin + "/index.html")
        person.page.get_by_role("button", name="Send").click()
        person.page.wait_for_function("document.getElementById('result').textContent.length > 0")
        result = person.page.locator("#result").text_content()
        assert result.startswith("201 "), result
        person.screenshot("other-origin-sent")
        rows = app.sql("SELECT first_name, email, source, status FROM contact_submissions")
        assert rows == [("Grace", "grace@example.com", "acme-site", "pending")], rows
        # The bidi override the visitor typed is not stored.
        [(message,)] = app.sql("SELECT message FROM contact_submissions")
        assert "\u202e" not in message, repr(message)
        problems = person.problems
        assert not problems, "The browser saw problems:\n- " + "\n- ".join(problems)
    finally:
        context.close()
        httpd.shutdown()
        stop(app.process)

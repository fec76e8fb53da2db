"""#31: Cloudflare Turnstile on a form, with Cloudflare's published test keys, against the
sandbox's stand-in for its script and siteverify. With the always-pass pair the contact page's
enquiry is real; on a consultancy's own site the embed snippet brings the widget, and with the
always-fail site key (it never yields a token) the enquiry lands in Spam, saying why. The
widget's script and frame come from the provider's address: no CSP violation either way."""

from __future__ import annotations

from steps import create_first_admin, wait_until
from test_forms import site  # noqa: F401  (the host site fixture)

PASS_SITE_KEY = "1x00000000000000000000AA"
FAIL_SITE_KEY = "2x00000000000000000000AB"
PASS_SECRET = "1x0000000000000000000000000000000AA"
FAIL_SECRET = "2x0000000000000000000000000000000AA"


def turn_on_turnstile(person, server, slug: str, site_key: str, secret: str):
    [(number,)] = server.sql(f"SELECT id FROM forms WHERE slug = '{slug}'")
    person.open(f"/admin/forms/{number}")
    person.page.get_by_label("Provider").select_option("turnstile")
    person.fill("Site key", site_key)
    person.fill("Secret key", secret)
    person.screenshot(f"form-captcha-{slug}")
    person.press("Save")
    person.see("Saved.")


def test_turnstile_on_the_contact_page_passes_with_the_test_keys(person, server, sandbox):
    create_first_admin(person)
    turn_on_turnstile(person, server, "contact", PASS_SITE_KEY, PASS_SECRET)
    person.open("/contact")
    # The widget is the provider's frame inside the form.
    person.page.frame_locator(".cf-turnstile iframe").get_by_text("Success!").wait_for()
    person.fill("First name", "Grace")
    person.fill("Email", "grace@example.com")
    person.page.get_by_label("You may contact me about this enquiry").check()
    person.screenshot("contact-with-turnstile")
    person.press("Send enquiry")
    person.see("Thank you")
    [(status, reason)] = server.sql("SELECT status, spam_reason FROM contact_submissions WHERE email = 'grace@example.com'")
    assert (status, reason) == ("pending", None)
    assert sandbox.control("/_sandbox/captcha")["turnstile"] == 1

    # The pages without a widget keep the provider out of their policy.
    person.open("/admin")
    problems = person.problems
    assert not problems, "The browser saw problems:\n- " + "\n- ".join(problems)


def test_the_embed_snippet_brings_the_widget_and_a_failing_key_lands_the_enquiry_in_spam(person, server, sandbox, site):  # noqa: F811
    create_first_admin(person)
    person.open("/admin/forms/new")
    person.fill("Name", "Quote request")
    person.fill("Address", "quote")
    person.fill("Websites", site.origin)
    person.press("Create form")
    person.see("Created the form")
    turn_on_turnstile(person, server, "quote", FAIL_SITE_KEY, FAIL_SECRET)

    site.page("embed.html", f"""<form data-leadbridge="quote" action="{server.url}/f/quote" method="post">
<label>First name <input name="first_name" value="Mallory"></label>
<label>Email <input name="email" type="email" value="mallory@example.com"></label>
<label><input type="checkbox" name="consent" value="on" checked> You may contact me about this enquiry</label>
<p><button type="submit">Send</button></p></form>
<script src="{server.url}/embed.js" data-form="quote" defer></script>""")
    person.page.goto(site.origin + "/embed.html")
    person.page.frame_locator(".cf-turnstile iframe").get_by_text("Verification failed").wait_for()
    person.screenshot("host-embed-turnstile-failing")
    person.page.get_by_role("button", name="Send").click()
    # A bot is told nothing it can learn from: the thank-you, in place.
    person.page.get_by_text("Thank you: your enquiry has reached us.").wait_for()
    status, reason = wait_until(lambda: (server.sql("SELECT status, spam_reason FROM contact_submissions WHERE email = 'mallory@example.com'") or [None])[0],
                                what="Mallory's enquiry")
    assert status == "spam" and "captcha" in reason, (status, reason)

    person.open("/admin/submissions?status=spam")
    person.see("No captcha answer came with it")
    person.screenshot("spam-captcha")
    problems = person.problems
    assert not problems, "The browser saw problems:\n- " + "\n- ".join(problems)

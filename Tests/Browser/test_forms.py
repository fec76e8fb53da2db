"""#30: a consultancy keeps its own website and points its form at LeadBridge. A host page on
another origin (another port on loopback) carries (a) a plain HTML form whose action is
LeadBridge, (b) the embed snippet, (c) the hosted form in an iframe. Each is sent in Chromium,
shows its thank-you, and the enquiry appears in the admin with its extra fields and the UTM
tags of the host page's address. A page on a website not in the form's list is refused."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import free_port
from steps import create_first_admin, wait_until


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class HostSite:
    """A consultancy's own website: static pages on another port."""

    def __init__(self, folder, name: str):
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.root = folder / name
        self.root.mkdir()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), partial(QuietHandler, directory=str(self.root)))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def page(self, name: str, body: str, head: str = ""):
        (self.root / name).write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Consulting</title><link rel="icon" href="data:,">{head}
<style>body {{ font-family: sans-serif; margin: 2rem auto; max-width: 40rem; padding: 0 1rem; }}
label {{ display: block; margin: .5rem 0; }} input, select {{ display: block; width: 100%; max-width: 24rem; }}
.leadbridge-error {{ color: #b42318; }} iframe {{ width: 100%; }}</style></head>
<body><main><h1>Acme Consulting</h1>{body}</main></body></html>""")


@pytest.fixture
def site(folder):
    host = HostSite(folder, "site")
    yield host
    host.httpd.shutdown()


FIELDS = """
<label>First name <input name="first_name" value="{first}"></label>
<label>Email <input name="email" type="email" value="{email}"></label>
<label>Budget <select name="budget"><option>Small</option><option selected>Large</option></select></label>
<label>Project name <input name="project_name" value="{project}"></label>
<label><input type="checkbox" name="consent" value="on" checked> You may contact me about this enquiry</label>
<button type="submit">Send</button>
"""


def make_form(person, site, thanks: bool = True):
    create_first_admin(person)
    person.open("/admin/forms")
    person.screenshot("forms-list")
    person.press("New form")
    person.fill("Name", "Quote request")
    person.fill("Address", "quote")
    person.fill("Websites", site.origin)
    if thanks:
        person.fill("Thank-you page", site.origin + "/thanks.html")
    person.page.locator("#field_name_0").fill("budget")
    person.page.locator("#field_label_0").fill("Budget")
    person.page.locator("#field_type_0").select_option("choice")
    person.page.locator("#field_options_0").fill("Small, Large")
    person.press("Create form")
    person.see("Created the form")
    person.screenshot("form-edit")
    person.screenshot_part("form-snippets", person.page.locator("section.card"))


def enquiry(server, email):
    rows = server.sql(f"SELECT id, extra_fields, utm_source, utm_campaign, channel FROM contact_submissions WHERE email = '{email}'")
    return rows[0] if rows else None


def test_a_plain_html_form_on_the_consultancys_site_posts_to_leadbridge(person, server, site):
    make_form(person, site)
    site.page("thanks.html", "<p>Thanks from Acme: we will be in touch.</p>")
    # The page's referrer policy sends its full address, so the tags in it reach LeadBridge without a script.
    site.page("plain.html", f"""<form action="{server.url}/f/quote" method="post">
{FIELDS.format(first="Ada", email="ada@example.com", project="Engine")}</form>""",
              head='<meta name="referrer" content="no-referrer-when-downgrade">')
    person.page.goto(site.origin + "/plain.html?utm_source=newsletter&utm_campaign=winter")
    person.screenshot("host-plain")
    with person.page.expect_navigation(url=site.origin + "/thanks.html"):
        person.page.get_by_role("button", name="Send").click()
    person.page.get_by_text("Thanks from Acme").wait_for()

    number, extras, utm_source, campaign, channel = wait_until(lambda: enquiry(server, "ada@example.com"), what="Ada's enquiry")
    assert '"budget"' in extras and '"Large"' in extras and '"project_name"' in extras and '"Engine"' in extras
    assert (utm_source, campaign, channel) == ("newsletter", "winter", "newsletter")
    person.open(f"/admin/submissions/{number}")
    person.see("Extra fields")
    person.see("Engine")
    person.see("newsletter")
    person.screenshot("enquiry-with-extra-fields")


def test_a_plain_form_sent_with_a_mistake_gets_a_page_that_names_the_field(person, server, site):
    """Without JavaScript nothing checks the fields before they leave the site: LeadBridge's own
    page names each one to fix, links back, and stores nothing; Back keeps what was typed."""
    make_form(person, site)
    site.page("thanks.html", "<p>Thanks from Acme: we will be in touch.</p>")
    site.page("plain.html", f"""<form action="{server.url}/f/quote" method="post">
{FIELDS.format(first="", email="grace@example.com", project="Compiler")}</form>""")
    person.page.goto(site.origin + "/plain.html")
    with person.expecting(422), person.page.expect_navigation():
        person.page.get_by_role("button", name="Send").click()
    person.see("Please check the form")
    person.see("First name")
    person.screenshot("plain-form-errors")
    assert server.sql("SELECT COUNT(*) FROM contact_submissions")[0][0] == 0, "nothing stored"
    back = person.page.get_by_role("link", name="Back to the form")
    # Chromium sends a cross-site Referer as the origin alone (strict-origin-when-cross-origin):
    # the link goes to the site, and the browser's Back returns to the very page.
    assert back.get_attribute("href").startswith(site.origin)
    person.page.go_back()
    person.page.locator("input[name=first_name]").fill("Grace")
    assert person.page.locator("input[name=email]").input_value() == "grace@example.com", "Back kept what was typed"
    with person.page.expect_navigation(url=site.origin + "/thanks.html"):
        person.page.get_by_role("button", name="Send").click()
    wait_until(lambda: enquiry(server, "grace@example.com"), what="Grace's enquiry")


def test_the_embed_snippet_sends_the_form_in_place_with_its_attribution(person, server, site):
    make_form(person, site)
    site.page("embed.html", f"""<form data-leadbridge="quote" action="{server.url}/f/quote" method="post">
{FIELDS.format(first="", email="grace@example.com", project="Compiler")}</form>
<script src="{server.url}/embed.js" data-form="quote" defer></script>""")
    person.page.goto(site.origin + "/embed.html?utm_source=google&utm_medium=cpc&gclid=abc123")
    # First without a first name: the error shows beside its field, and the page stays.
    person.expect_refusal("POST", f"{server.url}/f/quote", 422)
    person.page.get_by_role("button", name="Send").click()
    person.page.locator(".leadbridge-error").first.wait_for()
    assert "first name" in person.page.locator(".leadbridge-error").first.inner_text().lower()
    assert person.page.url.startswith(site.origin + "/embed.html")
    person.screenshot("host-embed-error")
    person.page.get_by_label("First name").fill("Grace")
    person.page.get_by_role("button", name="Send").click()
    person.page.get_by_role("status").wait_for()
    assert "Thank you" in person.page.get_by_role("status").inner_text()
    assert person.page.url.startswith(site.origin + "/embed.html"), "the page was left"
    person.screenshot("host-embed-sent")

    number, extras, utm_source, campaign, channel = wait_until(lambda: enquiry(server, "grace@example.com"), what="Grace's enquiry")
    assert '"Compiler"' in extras
    assert (utm_source, channel) == ("google", "google")
    [(gclid, landing)] = server.sql(f"SELECT gclid, landing_page FROM contact_submissions WHERE id = {number}")
    assert gclid == "abc123" and landing.startswith(site.origin + "/embed.html")
    # The first touch is kept in the site's own storage.
    assert "google" in person.page.evaluate("localStorage.getItem('leadbridge.first_touch')")
    person.open(f"/admin/submissions/{number}")
    person.see("Where the lead came from")
    person.see("abc123")


def test_the_hosted_form_in_an_iframe_is_sized_to_its_content_and_sent(person, server, site):
    make_form(person, site, thanks=False)
    site.page("frame.html", f"""<p>Ask us for a quote:</p>
<iframe data-leadbridge="quote" src="{server.url}/f/quote" title="Quote request"></iframe>
<script src="{server.url}/embed.js" defer></script>""")
    person.page.goto(site.origin + "/frame.html?utm_source=linkedin&utm_campaign=spring")
    # embed.js passes the page's tags on by loading the frame again with them: wait for that load.
    wait_until(lambda: "utm_source=linkedin" in person.page.evaluate("document.querySelector('iframe').src"),
               what="embed.js gave the frame the page's tags")
    frame = person.page.frame_locator("iframe[data-leadbridge]")
    frame.locator("input[name=utm_source][value=linkedin]").wait_for(state="attached")
    frame.get_by_label("First name").fill("Linus")
    frame.get_by_label("Email").fill("linus@example.com")
    frame.get_by_label("Budget").select_option("Small")
    frame.get_by_label("You may contact me about this enquiry").check()
    # The frame grew to its form: no inner scrollbar.
    wait_until(lambda: person.page.evaluate("document.querySelector('iframe').getBoundingClientRect().height") > 600,
               what="the iframe sized to the form")
    person.screenshot("host-iframe")
    form_height = person.page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    frame.get_by_role("button", name="Send enquiry").click()
    frame.get_by_text("Your enquiry has reached us").wait_for()
    # The thank-you is short, and the frame shrinks to it: no tall blank box left on the page.
    wait_until(lambda: person.page.evaluate("document.querySelector('iframe').getBoundingClientRect().height") < form_height / 2,
               what="the iframe shrunk to the thank-you")
    person.screenshot("host-iframe-thanks")

    number, extras, utm_source, campaign, channel = wait_until(lambda: enquiry(server, "linus@example.com"), what="Linus's enquiry")
    assert '"Small"' in extras
    assert (utm_source, campaign) == ("linkedin", "spring")
    person.open(f"/admin/submissions?source=linkedin")
    person.see("Linus")
    person.open("/admin")
    person.see("Where leads came from")
    person.screenshot_part("dashboard-sources", person.page.locator("section[aria-labelledby=sources-title]"))


def test_a_form_on_a_website_not_in_the_list_is_refused_with_a_sentence(person, server, site, folder):
    make_form(person, site)
    stranger = HostSite(folder, "stranger")
    try:
        stranger.page("plain.html", f"""<form action="{server.url}/f/quote" method="post">
{FIELDS.format(first="Eve", email="eve@example.com", project="Nothing")}</form>""")
        person.page.goto(stranger.origin + "/plain.html")
        person.navigate(lambda: person.page.get_by_role("button", name="Send").click(), status=403)
        person.see("is not allowed to post to the form")
        person.screenshot("form-refused")
        assert server.sql("SELECT COUNT(*) FROM contact_submissions") == [(0,)]
    finally:
        stranger.httpd.shutdown()

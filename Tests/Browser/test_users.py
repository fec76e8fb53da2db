"""An office with more than one person: inviting a colleague, who sets their own password,
and disabling them again, which signs them out at once."""

from conftest import SCREENSHOTS
from person import Person
from steps import create_first_admin

COLLEAGUE = "cole@example.com"
COLLEAGUE_PASSWORD = "colleague passphrase"


def test_an_admin_invites_a_colleague_who_sets_a_password_and_is_later_disabled(person, chromium, server, request):
    create_first_admin(person)
    person.press("Users")
    person.see("Add an admin")
    person.fill("Email", COLLEAGUE)
    person.fill("Name", "Cole")
    person.press("Add admin")
    person.see(f"The invitation link for {COLLEAGUE}")
    link = person.page.get_by_label("Link", exact=True).input_value()
    assert "/admin/password/" in link
    person.screenshot("users-invited")

    context = chromium.new_context(viewport={"width": 390, "height": 844})
    colleague = Person(context, server.url, SCREENSHOTS / request.node.name / "colleague")
    try:
        colleague.open(link.replace(server.url, ""))
        colleague.see(f"You are invited to the LeadBridge admin as {COLLEAGUE}")
        colleague.screenshot("password-link")
        colleague.fill("Password", COLLEAGUE_PASSWORD)
        colleague.fill("Password again", COLLEAGUE_PASSWORD)
        colleague.press("Save password")
        colleague.see("Dashboard")

        # The link worked once.
        colleague.open(link.replace(server.url, ""), status=410)
        colleague.see("This link has been used already")

        person.open("/admin/users")
        row = person.page.locator("tbody tr", has_text=COLLEAGUE)
        assert "active" in row.inner_text()
        person.screenshot("users-list")
        person.navigate(lambda: row.get_by_role("button", name="Disable").click())
        person.see(f"{COLLEAGUE} is disabled and signed out everywhere.")

        # The colleague's next click lands on sign-in.
        colleague.open("/admin/submissions")
        assert "/admin/login" in colleague.page.url
        assert not colleague.problems, colleague.problems
    finally:
        context.close()


def test_sign_out_everywhere_ends_every_session_of_the_account(person, chromium, server, request):
    create_first_admin(person)
    # The same admin, signed in on a phone too.
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    phone = Person(context, server.url, SCREENSHOTS / request.node.name / "phone")
    try:
        phone.open("/admin/login")
        phone.fill("Email", "owner@example.com")
        phone.fill("Password", "correct horse battery")
        phone.press("Sign in")
        phone.see("Dashboard")

        person.press("Users")
        person.press("Sign out everywhere")
        person.see("Signed out everywhere: every session of your account has ended, on every device.")
        person.screenshot("signed-out-everywhere")
        phone.open("/admin/submissions")
        assert "/admin/login" in phone.page.url
        assert not phone.problems, phone.problems
    finally:
        context.close()

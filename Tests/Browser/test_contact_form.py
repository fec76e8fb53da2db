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
    keyboard.press("Tab")
    assert person.page.evaluate("document.activeElement.textContent.trim()") == "Send enquiry"
    person.navigate(lambda: keyboard.press("Enter"))
    person.see("Thank you")

    rows = server.sql("SELECT first_name, email, service_interest, message FROM contact_submissions")
    assert rows == [("Grace", "grace@example.com", "Technology & Digital", "Please call me back.")]

"""Issue #33: the contact form asks the contact consent and, apart, an optional texting consent
that starts unticked, whose words (from Speed to lead) are kept with the enquiry."""


def test_a_visitor_agrees_to_be_contacted_and_to_texts(person, server):
    person.open("/contact")
    texting = person.page.get_by_label("I agree to receive text messages", exact=False)
    assert not texting.is_checked(), "the texting box must start unticked"
    assert person.page.get_by_text("Msg & data rates may apply", exact=False).is_visible()
    person.fill("First name", "Tess")
    person.fill("Last name", "Ting")
    person.fill("Phone", "415 555 0142")
    person.fill("Message", "Please text me about bookkeeping.")
    person.page.get_by_label("You may contact me about this enquiry").check()
    texting.check()
    person.screenshot_part("contact-form-consents", person.page.locator("form.form"))
    person.screenshot("contact-form-both-consents")
    person.press("Send enquiry")
    person.see("Thank you")

    rows = server.sql("SELECT first_name, phone, consent, sms_consent, sms_consent_text, sms_consent_at IS NOT NULL,"
                      " user_agent IS NOT NULL FROM contact_submissions")
    assert len(rows) == 1
    first_name, phone, consent, sms_consent, words, dated, agent = rows[0]
    assert (first_name, phone, consent, sms_consent, dated, agent) == ("Tess", "+14155550142", 1, 1, 1, 1)
    for part in ("Message frequency varies", "Msg & data rates may apply", "Reply STOP to opt out", "HELP"):
        assert part in words, part


def test_the_texting_consent_is_optional(person, server):
    person.open("/contact")
    person.fill("First name", "Omar")
    person.fill("Email", "omar@example.com")
    person.page.get_by_label("You may contact me about this enquiry").check()
    person.press("Send enquiry")
    person.see("Thank you")
    assert server.sql("SELECT consent, sms_consent, sms_consent_text FROM contact_submissions") == [(1, 0, None)]

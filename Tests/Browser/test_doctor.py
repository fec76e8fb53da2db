"""Check everything: the dashboard's button runs `leadbridge doctor`'s checks and shows each one."""

from steps import connect_suitedash, create_first_admin
from test_ringcentral import connect_ringcentral


def test_check_everything_from_the_dashboard(person, server, sandbox):
    connect_suitedash(person, sandbox)
    connect_ringcentral(person, sandbox)
    # RingCentral's clock ten minutes off this machine's: one line must say so.
    sandbox.control("/_sandbox/ringcentral/settings", {"clockOffsetSeconds": 600})

    person.open("/admin")
    person.press("Check everything")
    person.see("Check again")
    table = person.page.get_by_role("table")
    text = table.inner_text()
    assert "SuiteDash accepted the keys" in text, text
    assert "Accepted: signed in as extension 101" in text, text
    assert " s behind RingCentral's" in text, text
    assert table.locator('tr.doctor-failed').count() >= 1
    person.screenshot("doctor")

    sandbox.control("/_sandbox/ringcentral/settings", {"clockOffsetSeconds": 0})
    person.press("Check again")
    assert "within" in person.page.get_by_role("table").inner_text()


def test_watching_the_whole_company_is_refused_without_the_permission_then_chosen(person, server, sandbox):
    """"Calls to watch" on Admin > RingCentral: the user's role first lacks FullCompanyCallLog."""
    create_first_admin(person)
    connect_ringcentral(person, sandbox)
    sandbox.control("/_sandbox/ringcentral/settings", {"userPermissions": [
        "ReadCompanyInfo", "ReadExtensions", "ReadUserPhoneNumbers", "ReadCallLog", "OutboundSMS", "ReadMessages"]})
    person.open("/admin/integrations/ringcentral")
    person.page.get_by_label("The whole company: every extension and the main number").check()
    person.press("Save", status=422)
    person.see("FullCompanyCallLog")
    person.screenshot_part("calls-to-watch-refused", person.page.get_by_role("group", name="Calls to watch"))

    sandbox.control("/_sandbox/ringcentral/settings", {"userPermissions": [
        "ReadCompanyInfo", "ReadExtensions", "ReadUserPhoneNumbers", "ReadCallLog", "FullCompanyCallLog", "OutboundSMS", "ReadMessages"]})
    person.page.get_by_label("The whole company: every extension and the main number").check()
    person.press("Save")
    person.see("Saved.")
    assert person.page.get_by_label("The whole company: every extension and the main number").is_checked()
    person.screenshot_part("calls-to-watch", person.page.get_by_role("group", name="Calls to watch"))

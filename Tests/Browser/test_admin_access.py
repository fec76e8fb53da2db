"""The office's first hour: the first admin, signing out and in, and a guesser kept out."""

from steps import ADMIN_EMAIL, ADMIN_PASSWORD, create_first_admin


def test_the_first_admin_signs_up_signs_out_and_signs_in(person):
    person.open("/admin/login")  # an empty install sends everyone to set-up
    assert person.page.url.endswith("/admin/setup")
    person.screenshot("admin-setup")

    # Passwords that do not match are refused with a sentence, and the email is kept.
    person.fill("Email", ADMIN_EMAIL)
    person.fill("Password", ADMIN_PASSWORD)
    person.fill("Password again", ADMIN_PASSWORD + "!")
    person.press("Create admin", status=422)
    assert "match" in person.page.locator(".field.invalid .error").first.inner_text()
    assert person.page.get_by_label("Email", exact=True).input_value() == ADMIN_EMAIL

    person.fill("Password", ADMIN_PASSWORD)
    person.fill("Password again", ADMIN_PASSWORD)
    person.press("Create admin")
    person.see("Dashboard")
    person.screenshot("dashboard-empty")

    person.press("Sign out")
    assert person.page.url.endswith("/admin/login")
    person.screenshot("admin-login")
    # The setup page is closed for good.
    person.open("/admin/setup")
    assert person.page.url.endswith("/admin/login")

    person.fill("Email", ADMIN_EMAIL)
    person.fill("Password", ADMIN_PASSWORD)
    person.press("Sign in")
    person.see("Dashboard")


def test_repeated_wrong_passwords_are_refused_with_the_throttles_sentence(person):
    create_first_admin(person)
    person.press("Sign out")
    for _ in range(5):
        person.fill("Email", ADMIN_EMAIL)
        person.fill("Password", "not the password at all")
        person.press("Sign in", status=401)
        person.see("That email and password don't match an admin account.")
    # The default allows five from one address; the sixth, the right password, is refused
    # before it is checked, with the very same sentence: nothing tells a guesser more.
    person.fill("Email", ADMIN_EMAIL)
    person.fill("Password", ADMIN_PASSWORD)
    person.press("Sign in", status=401)
    person.see("That email and password don't match an admin account. If you are sure they are right, "
               "sign-in is paused after too many tries: try again in 15 minutes.")
    assert person.page.url.endswith("/admin/login")
    person.screenshot("admin-login-locked")


def test_the_first_admin_is_created_with_the_keyboard_alone(person):
    person.open("/admin")
    assert person.page.url.endswith("/admin/setup")
    keyboard = person.page.keyboard
    person.tab_to("email")
    keyboard.type(ADMIN_EMAIL)
    person.tab_to("password")
    keyboard.type(ADMIN_PASSWORD)
    person.tab_to("password_confirmation")
    keyboard.type(ADMIN_PASSWORD)
    person.navigate(lambda: keyboard.press("Enter"))
    person.see("Dashboard")
    # Signing out is a button in the header, reachable by Tab too.
    for _ in range(30):
        if person.page.evaluate("document.activeElement.textContent.trim()") == "Sign out":
            break
        keyboard.press("Tab")
    person.navigate(lambda: keyboard.press("Enter"))
    assert person.page.url.endswith("/admin/login")
    person.tab_to("email")
    keyboard.type(ADMIN_EMAIL)
    person.tab_to("password")
    keyboard.type(ADMIN_PASSWORD)
    person.navigate(lambda: keyboard.press("Enter"))
    person.see("Dashboard")


def test_in_production_the_first_admin_needs_the_setup_code_the_server_printed(chromium, folder, sandbox, request):
    import subprocess
    from conftest import BINARY, SCREENSHOTS, LeadBridge, stop
    from person import Person

    key = subprocess.run([str(BINARY), "key", "generate"], capture_output=True, text=True, check=True).stdout.strip()
    # The sandbox is on this machine, which production refuses as a provider unless told.
    server = LeadBridge(folder, sandbox, arguments=("--env", "production"), APP_KEY=key.split("=", 1)[1],
                        ALLOW_PRIVATE_PROVIDER_HOSTS="true")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    person = Person(context, server.url, SCREENSHOTS / request.node.name)
    try:
        code = (server.storage / "setup-code").read_text().strip()
        assert code in server.log.read_text(), "start-up printed the code"
        assert (server.storage / "setup-code").stat().st_mode & 0o777 == 0o600

        person.open("/admin/setup")
        person.fill("Setup code", "WRONG-CODE-0000-0000")
        person.fill("Email", ADMIN_EMAIL)
        person.fill("Password", ADMIN_PASSWORD)
        person.fill("Password again", ADMIN_PASSWORD)
        person.press("Create admin", status=403)
        person.see("That is not this server's setup code.")
        assert str(server.storage) not in person.text(), "the page must not show where the server's files are"
        person.screenshot("admin-setup-code")

        person.fill("Setup code", code.lower())
        person.fill("Password", ADMIN_PASSWORD)
        person.fill("Password again", ADMIN_PASSWORD)
        person.press("Create admin")
        person.see("Dashboard")
        assert not (server.storage / "setup-code").exists()
        assert not person.problems, person.problems
    finally:
        context.close()
        stop(server.process)

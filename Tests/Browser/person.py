"""A person at a browser: opens pages, fills forms, presses buttons, and notices what a
developer would see in the console.

What counts as a problem, noted in `problems` and failed on at the end of each test:
- a console error or warning: CSP violations, script errors, "Failed to load resource";
- an uncaught script error;
- a stylesheet, script, image, favicon or fetch answered 4xx/5xx, or not answered at all;
- a page of ours answered 4xx/5xx where the step did not expect that status;
- an axe-core violation of serious or critical impact on a page of ours.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

# A CSP violation is also reported to the page as an event; the console message alone is
# enough in Chromium, but the event names the directive even when the console wording changes.
REPORT_CSP = """
document.addEventListener('securitypolicyviolation', (e) =>
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));
"""

AXE = Axe()
WIDTHS = {"desktop": 1280, "phone": 390}


class Person:
    def __init__(self, context, base_url: str, screenshots: Path):
        self.use_address(base_url)
        self.screenshots = screenshots
        self._problems: list[str] = []
        # "Failed to load resource" lines, judged at the end: the page's response event that
        # says whether its 4xx was expected may arrive before or after the console line.
        self._failed_loads: list[tuple[str, str]] = []
        # Page statuses of 400 and above that the current step expects (a form with errors).
        self._expected_statuses: set[int] = set()
        self._expected_failed_urls: set[str] = set()
        # (method, url, status) of fetches a step expects to be refused (a form's field errors).
        self._expected_fetches: set[tuple[str, str, int]] = set()
        self._audited: set[tuple[str, int]] = set()
        context.add_init_script(REPORT_CSP)
        self.page = context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self._problems.append(f"script error on {self.page.url}: {error}"))
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._request_failed)

    def use_address(self, base_url: str):
        """From now on the person types this address (another host for the same server)."""
        self.base_url = base_url
        self.origin = urlsplit(base_url).netloc

    @property
    def problems(self) -> list[str]:
        unexpected = [f"console error: {text} ({url})" for url, text in self._failed_loads
                      if url not in self._expected_failed_urls]
        return self._problems + unexpected

    # MARK: What the person does

    def open(self, path: str, status: int = 200):
        """Types an address of ours into the address bar."""
        with self.expecting(status):
            response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, \
            f"{path} answered {response.status if response else 'nothing'}, expected {status}"
        self.look()
        return response

    def press(self, name: str, status: int = 200, within=None, arriving_at=None):
        """Clicks the button (or link) with this accessible name, and waits for the next page
        (or, with `arriving_at`, for the page whose URL matches it, past any that move on)."""
        target = (within or self.page).get_by_role("button", name=name, exact=True)
        if target.count() == 0:
            target = (within or self.page).get_by_role("link", name=name, exact=True)
        return self.navigate(lambda: target.first.click(), status, arriving_at)

    def navigate(self, action, status: int = 200, arriving_at=None):
        """Does something that loads a new page, and checks the page's status."""
        with self.expecting(status):
            with self.page.expect_navigation(**({"url": arriving_at} if arriving_at else {})) as navigation:
                action()
        response = navigation.value
        assert response is not None and response.status == status, \
            f"{self.page.url} answered {response.status if response else 'nothing'}, expected {status}"
        self.look()
        return response

    def fill(self, label: str, value: str):
        """Types into the field with this label (a required field's label may end in "*")."""
        field = self.page.get_by_label(label, exact=True)
        if field.count() == 0:
            field = self.page.get_by_label(re.compile("^" + re.escape(label) + r"\b"))
        field.first.fill(value)

    def text(self) -> str:
        return self.page.locator("main").inner_text()

    def see(self, words: str):
        """The page says these words (within 15 s, for pages that update themselves)."""
        self.page.locator("main").get_by_text(words).first.wait_for(state="visible")

    def tab_to(self, element_id: str, limit: int = 60):
        """Presses Tab until the element with this id has the focus: reachable by keyboard alone."""
        for _ in range(limit):
            if self.page.evaluate("document.activeElement && document.activeElement.id") == element_id:
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"#{element_id} never took the focus after {limit} Tab presses")

    def screenshot(self, name: str):
        """The page at a desktop and a phone width, for a reviewer's eyes."""
        self.screenshots.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        for label, width in WIDTHS.items():
            self.page.set_viewport_size({"width": width, "height": 900})
            # Two frames for the new width to be laid out and painted: taken at once, a tall
            # page's phone capture once showed a band unpainted (the SMS form's hint and alert).
            self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            path = str(self.screenshots / f"{name}-{label}.png")
            if len(self.page.frames) > 1:
                # Chromium's full-page capture leaves frames from another site blank (they paint
                # in their own process); a viewport as tall as the page captures them.
                height = self.page.evaluate("document.documentElement.scrollHeight")
                self.page.set_viewport_size({"width": width, "height": min(max(height, 900), 8000)})
                self._settle_frames()
                self.page.screenshot(path=path)
                self.page.set_viewport_size({"width": width, "height": 900})
            else:
                self.page.screenshot(path=path, full_page=True)
            overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                self._problems.append(f"{name} at {width} px is {overflow} px wider than the screen (sideways scrolling)")
            # The admin's menu stays one row at every width: at 390 px it wrapped onto three,
            # pushing every page's content down by a third of the screen.
            rows = self.page.evaluate("""(() => {
                const links = [...document.querySelectorAll('.site-header nav a, .site-header nav button')];
                return new Set(links.map(link => Math.round(link.getBoundingClientRect().top))).size;
            })()""")
            if rows > 1:
                self._problems.append(f"{name} at {width} px: the admin menu wraps onto {rows} rows")
        self.page.set_viewport_size(size)

    def _settle_frames(self):
        """Framed pages (the hosted form in a website, a captcha widget) paint in their own
        process: the capture showed them blank until each frame had painted at the new width
        and embed.js had resized it to its content."""
        frames = self.page.frames[1:]
        if not frames:
            return
        for frame in frames:
            try:
                frame.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            except Exception:
                pass  # a frame that navigated or closed meanwhile has nothing left to paint
        self.page.wait_for_timeout(300)
        self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def screenshot_part(self, name: str, locator):
        """One part of the page (a form's fieldset, say) at both widths, where a full tall page
        would be too small to read."""
        self.screenshots.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        for label, width in WIDTHS.items():
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            locator.screenshot(path=str(self.screenshots / f"{name}-{label}.png"))
        self.page.set_viewport_size(size)

    # MARK: What the person notices

    @contextlib.contextmanager
    def expecting(self, status: int):
        self._expected_statuses = {status} if status >= 400 else set()
        try:
            yield
        finally:
            self._expected_statuses = set()

    def look(self):
        """Runs axe-core once per page of ours (by path and status)."""
        self.page.wait_for_load_state("load")
        parts = urlsplit(self.page.url)
        if parts.netloc != self.origin:
            return
        try:
            response_status = self.page.evaluate(
                "(performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0")
        except Exception:
            return  # the page moved on by itself (a meta refresh): the next one is looked at
        key = (parts.path, response_status)
        if key in self._audited:
            return
        self._audited.add(key)
        results = AXE.run(self.page)
        for violation in results.response.get("violations", []):
            if violation.get("impact") in ("serious", "critical"):
                where = ", ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"][0])
                                  for node in violation.get("nodes", [])[:3])
                self._problems.append(f"axe {violation['impact']} on {parts.path}: {violation['id']}: "
                                     f"{violation['help']} ({where})")

    def _console(self, message):
        if message.type not in ("error", "warning"):
            return
        text = message.text
        location = (message.location or {}).get("url", "")
        if text.startswith("Failed to load resource") and location:
            self._failed_loads.append((location, text))
            return
        self._problems.append(f"console {message.type} on {self.page.url}: {text}")

    def expect_refusal(self, method: str, url: str, status: int):
        """A script's request this step expects to be refused (embed.js posting a form with an
        error): its answer and Chromium's "Failed to load resource" line are not problems."""
        self._expected_fetches.add((method, url, status))

    def _response(self, response):
        if response.status < 400:
            return
        request = response.request
        if (request.method, response.url, response.status) in self._expected_fetches:
            self._expected_failed_urls.add(response.url)
            return
        if request.resource_type == "document" and request.is_navigation_request() \
                and response.status in self._expected_statuses:
            # Chromium logs "Failed to load resource" for an expected 4xx page too.
            self._expected_failed_urls.add(response.url)
            return
        self._problems.append(f"{request.resource_type} {request.method} {response.url} answered {response.status}")

    def _request_failed(self, request):
        failure = request.failure or ""
        # Cancelled, not refused: a page left while its icon or poll was in flight, or a
        # download handed over. A blocked request fails otherwise (and the console says why).
        if failure == "net::ERR_ABORTED":
            return
        self._problems.append(f"{request.resource_type} {request.method} {request.url} failed: {failure}")


def field_error(page, field_id: str) -> str:
    """The sentence shown under a field, tied to it by aria-describedby or standing next to it."""
    locator = page.locator(f"#{field_id}-error")
    if locator.count():
        return locator.inner_text()
    return page.locator(f"#{field_id} ~ .error").first.inner_text()


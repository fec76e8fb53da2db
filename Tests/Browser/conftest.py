"""The browser suite's fixtures: a real LeadBridge binary on real SQLite, the provider
sandbox over real HTTP, and Debian's Chromium driven by Playwright.

Every test gets a fresh server (its own storage folder, so "an empty install" is real) and
a `person`: a browser tab that notes every console error, CSP violation, script error and
failed request, and runs axe-core on each page of ours it lands on. A test fails at its end
if any of those were seen, whatever it asserted itself.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from person import Person

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("LEADBRIDGE_BINARY", ROOT / ".build" / "debug" / "leadbridge"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("LEADBRIDGE_SCREENSHOTS", ROOT / ".build" / "browser-screenshots"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode} before answering:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def clean_environment(**values: str) -> dict[str, str]:
    """Only what the process needs: nothing of the developer's (or CI's) LeadBridge settings."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(values)
    return env


class Sandbox:
    """`leadbridge sandbox`: SuiteDash and RingCentral stand-ins on one port."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "sandbox.log"
        self.process = subprocess.Popen([str(BINARY), "sandbox", "--port", str(self.port)], cwd=ROOT,
                                        env=clean_environment(), stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        wait_for(self.url + "/_sandbox/suitedash", self.process, self.log)
        printed = self.log.read_text()
        deadline = time.monotonic() + 10
        while "RINGCENTRAL_CLIENT_SECRET=" not in printed and time.monotonic() < deadline:
            time.sleep(0.05)
            printed = self.log.read_text()
        self.values = dict(re.findall(r"^\s*([A-Z_]+)=(\S+)$", printed, re.MULTILINE))

    def control(self, path: str, body: dict | None = None) -> dict:
        """POST (with a body) or GET one of the sandbox's `/_sandbox/...` control routes."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")


class LeadBridge:
    """`leadbridge serve` on a free port, SQLite in its own folder, as a person would run it."""

    def __init__(self, folder: Path, sandbox: Sandbox, arguments: tuple[str, ...] = (), **overrides: str):
        self.port = free_port()
        # localhost, as in the README: the default redirect URI names this host.
        self.url = f"http://localhost:{self.port}"
        self.storage = folder / "storage"
        self.log = folder / "leadbridge.log"
        env = clean_environment(
            APP_URL=self.url, PORT=str(self.port), HOST="127.0.0.1", STORAGE_PATH=str(self.storage),
            # Playwright fills a form in milliseconds: the "too fast" spam check is off unless a test turns it on.
            FORM_MIN_SECONDS="0",
            QUEUE_POLL_MILLISECONDS="100", QUEUE_BACKOFF_BASE_SECONDS="1", QUEUE_BACKOFF_CAP_SECONDS="2",
            RINGCENTRAL_SERVER_URL=sandbox.values["RINGCENTRAL_SERVER_URL"],
            RINGCENTRAL_CLIENT_ID=sandbox.values["RINGCENTRAL_CLIENT_ID"],
            RINGCENTRAL_CLIENT_SECRET=sandbox.values["RINGCENTRAL_CLIENT_SECRET"],
            TURNSTILE_URL=sandbox.values["TURNSTILE_URL"], HCAPTCHA_JS_URL=sandbox.values["HCAPTCHA_JS_URL"],
            HCAPTCHA_API_URL=sandbox.values["HCAPTCHA_API_URL"],
        )
        env.update(overrides)
        self.process = subprocess.Popen([str(BINARY), "serve", *arguments], cwd=ROOT, env=env,
                                        stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        wait_for(f"http://127.0.0.1:{self.port}/healthz", self.process, self.log)

    def sql(self, statement: str) -> list[tuple]:
        """Reads the server's SQLite file, as an operator with sqlite3 would (read-only)."""
        with sqlite3.connect(f"file:{self.storage / 'database.sqlite'}?mode=ro", uri=True, timeout=10) as db:
            return db.execute(statement).fetchall()


@pytest.fixture(scope="session")
def chromium():
    if not BINARY.exists():
        pytest.exit(f"{BINARY} is missing: build first (swift build)", returncode=2)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def folder():
    with tempfile.TemporaryDirectory(prefix="leadbridge-browser-") as path:
        yield Path(path)


@pytest.fixture
def sandbox(folder):
    box = Sandbox(folder)
    yield box
    stop(box.process)


@pytest.fixture
def server(folder, sandbox):
    app = LeadBridge(folder, sandbox)
    yield app
    stop(app.process)


@pytest.fixture
def person(chromium, server, request):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    someone = Person(context, server.url, SCREENSHOTS / request.node.name)
    yield someone
    context.close()
    problems = someone.problems
    assert not problems, "The browser saw problems:\n- " + "\n- ".join(problems)

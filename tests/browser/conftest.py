"""Browser tests: Debian's Chromium driven by Playwright against a real server.

The server is `manage.py runserver` in a subprocess on its own SQLite file, migrated and
loaded with the demo like a newcomer's first run - not Django's live_server, whose
flush between tests the append-only ledger would (rightly) refuse.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Screenshots of every browser test, for a reviewer to look at (issue 14): under var/,
# which git ignores with the rest of a run's files.
OUTPUT = ROOT / "var" / "browser"
# manage.py on the suite's clock (FUNDMGR_TEST_NOW), so the server agrees with the tests.
CLOCK = str(Path(__file__).resolve().parent / "clock.py")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("FUNDMGR_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"FUNDMGR_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


TWO_FACTOR_USER = (
    "from django.contrib.auth.models import User; from fundmgr.models import Community;"
    "from fundmgr.services.setup import membership_grant;"
    "u = User.objects.create_user('officer-2fa', password='browser-2fa-officer-2026');"
    "membership_grant(user=u, community=Community.objects.get(code='WLQ-QY'), role='officer')"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="1", FUNDMGR_VAR_DIR=str(var), SECRET_KEY="browser-tests-only", PYTHONUNBUFFERED="1"
    )

    def manage(*args):
        subprocess.run(
            [sys.executable, CLOCK, *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )

    manage("migrate", "--noinput")
    manage("demo")
    # A role holder who is not a demo user: the demo's are exempt from the second factor
    # under DEBUG (README), this one enrols it (test_two_factor.py).
    manage("shell", "-c", TWO_FACTOR_USER)
    port = _free_port()
    log = open(var / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [sys.executable, CLOCK, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                raise RuntimeError((var / "server.log").read_text()) from None
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    pg = context.new_page()
    # Whatever the Content-Security-Policy refused (an inline script, a foreign source)
    # fails the test that met it: every page must work under the policy.
    refused = []
    pg.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield pg
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not refused, refused


def shot(page, name: str) -> None:
    """A full-page screenshot of one step, as OUTPUT/<name>.png."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

"""Supervisors co-sign in Chromium (WebCrypto Ed25519, the key non-extractable in
IndexedDB, a passphrase-protected backup downloaded) and with tools/cosign.py against
the running site; the month page and the standalone verifier show it; a forged
co-signature is refused."""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import OUTPUT

pytestmark = pytest.mark.browser
TOOLS = Path(__file__).resolve().parents[2] / "tools"
PASSPHRASE = "梧桐树下的长椅 2026"


def login(page, server, username, password):
    page.goto(server + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/supervisor/$"))


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def latest_month(server):
    periods = json.loads(get(server + "/api/v1/communities/WLQ-QY/periods/"))
    return max(p["month"] for p in periods)


def test_two_supervisors_cosign_in_the_browser_and_with_the_command(server, page, tmp_path):
    month = latest_month(server)
    section = "section[data-community=WLQ-QY]"

    # 1. In the browser: make the key, download its backup, co-sign the month.
    login(page, server, "supervisor", "demo-supervisor-2026")
    assert page.locator(f"{section} .no-key").is_visible()
    page.locator(f"{section} .passphrase").fill(PASSPHRASE)
    with page.expect_download() as download:
        page.locator(f"{section} .make-key").click()
    backup = tmp_path / "backup.json"
    download.value.save_as(backup)
    saved = json.loads(backup.read_text())
    assert saved["format"] == "fundmgr.cosign-backup/1" and "private_key_pkcs8" in saved
    assert "BEGIN" not in backup.read_text()  # sealed, not a plain key
    page.wait_for_selector(f"{section} .key-id")
    key_id = page.locator(f"{section} .key-id").inner_text()
    assert key_id == saved["key_id"]
    page.locator(".key-here").filter(has_text="保存在本浏览器中").first.wait_for()
    # The key in IndexedDB cannot be read out, even by this page's own script.
    extractable = page.evaluate(
        """() => new Promise((resolve) => {
            const req = indexedDB.open("fundmgr-cosign", 1);
            req.onsuccess = () => {
                const get = req.result.transaction("keys").objectStore("keys").getAll();
                get.onsuccess = () => resolve(get.result.map((r) => r.privateKey.extractable));
            };
        })"""
    )
    assert extractable == [False]
    row = page.locator(f"{section} tr[data-month='{month}']")
    row.get_by_role("button", name="我已核查本月：会签").click()
    row.get_by_text("您已会签").wait_for()

    page.goto(f"{server}/c/WLQ-QY/{month}/")
    status = page.locator("#cosign-status").inner_text()
    assert "已由 1 / 2 位监督委员会成员会签" in status and "王建国" in status
    anonymous = get(f"{server}/c/WLQ-QY/{month}/").decode()
    assert "王建国" in anonymous
    assert "supervisor" not in anonymous.replace("supervisors", "")  # no logins

    # 2. On the second supervisor's own machine: tools/cosign.py.
    env = {**os.environ, "COSIGN_PASSPHRASE": "another long passphrase"}
    pem = tmp_path / "li.pem"
    made = subprocess.run(
        [sys.executable, str(TOOLS / "cosign.py"), "keygen", str(pem)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    public = json.loads(made.stdout)
    page.context.clear_cookies()
    login(page, server, "supervisor2", "demo-supervisor2-2026")
    page.locator(f"{section} .pasted-key").fill(public["public_key_hex"])
    page.locator(f"{section} .register-key").click()
    page.wait_for_selector(f"{section} .key-id")
    assert page.locator(f"{section} .key-id").inner_text() == public["key_id"]
    printed = subprocess.run(
        [sys.executable, str(TOOLS / "cosign.py"), "message", server, "WLQ-QY", month],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed.startswith("fundmgr.cosign/1\ncommunity=WLQ-QY\nmonth=" + month + "\n")
    signed = subprocess.run(
        [
            sys.executable,
            str(TOOLS / "cosign.py"),
            "sign",
            str(pem),
            server,
            "WLQ-QY",
            month,
            "--submit",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert signed.returncode == 0, signed.stderr
    assert "accepted: co-signed by 2 of 2 supervisors" in signed.stdout

    page.goto(f"{server}/c/WLQ-QY/{month}/")
    assert "已由 2 / 2 位监督委员会成员会签" in page.locator("#cosign-status").inner_text()
    page.goto(f"{server}/c/WLQ-QY/supervisors/")
    assert page.locator("#supervisor-keys").get_by_text(key_id).is_visible()
    assert page.locator("#supervisor-keys").get_by_text(public["key_id"]).is_visible()

    # 3. Anyone checks both with the standalone verifier.
    files = {}
    for name, path in (
        ("cosigs", f"/api/v1/communities/WLQ-QY/periods/{month}/cosignatures/"),
        ("sups", "/api/v1/communities/WLQ-QY/supervisors/"),
        ("key", "/api/v1/public-key/"),
    ):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_bytes(get(server + path))
    checked = subprocess.run(
        [
            sys.executable,
            str(TOOLS / "verify_disclosure.py"),
            "cosign",
            str(files["cosigs"]),
            str(files["sups"]),
            str(files["key"]),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
    assert "co-signed by 2 supervisors" in checked.stdout

    # 4. A forged co-signature is refused, with the reason.
    forged = json.dumps({"key_id": key_id, "signature": "ab" * 64}).encode()
    request = urllib.request.Request(
        f"{server}/api/v1/communities/WLQ-QY/periods/{month}/cosignatures/",
        data=forged,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400
    assert "没有保存任何内容" in json.loads(refused.value.read())["error"]


def test_a_supervisor_restores_the_key_from_its_backup_in_a_new_browser(server, browser, tmp_path):
    """Runs after the test above (same session server): a fresh browser profile has no
    key in IndexedDB until the backup file and its passphrase restore it."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        login(page, server, "supervisor", "demo-supervisor-2026")
        section = "section[data-community=WLQ-QY]"
        page.locator(".key-here").filter(has_text="不在本浏览器中").first.wait_for()
        backups = sorted(Path(tmp_path).parent.glob("*/backup.json"))
        if not backups:
            pytest.skip("the backup of the first test is not there")
        page.locator(f"{section} summary").click()
        page.locator(f"{section} .restore-file").set_input_files(str(backups[-1]))
        page.locator(f"{section} .passphrase").fill("wrong passphrase!!")
        page.locator(f"{section} .restore-key").click()
        page.locator(f"{section} .cosign-result").get_by_text("这个口令打不开备份文件").wait_for()
        page.locator(f"{section} .passphrase").fill(PASSPHRASE)
        page.locator(f"{section} .restore-key").click()
        page.locator(".key-here").filter(has_text="保存在本浏览器中").first.wait_for()
        button = page.locator(f"{section} button.cosign").first
        month = button.locator("xpath=ancestor::tr").get_attribute("data-month")
        button.click()
        page.locator(f"{section} tr[data-month='{month}']").get_by_text("您已会签").wait_for()
    finally:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / "supervisor_restores_key.png"), full_page=True)
        context.close()

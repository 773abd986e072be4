"""Supervisors co-sign each published month with keys the server never holds: the
server checks every co-signature before keeping it, the public pages say k of n, a month
short of the quorum after its window is flagged, and the standalone checker agrees."""

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from fundmgr.access import has_role
from fundmgr.models import Role
from reports.models import RedFlag
from reports.redflags.screening import community_screen
from reports.supervision import services as supervision
from reports.supervision.message import cosign_message
from reports.supervision.models import CoSignature, SupervisionEvent, SupervisorKey
from tests import factories as f
from tests.reports.published import committee, public_hex, world

pytestmark = pytest.mark.django_db
TOOLS = Path(__file__).resolve().parents[2] / "tools"


def tool(name):
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(TOOLS))
    sys.modules[name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def sign(w, i):
    return w.keys[i].sign(supervision.message_for(w.disclosure)).hex()


def submit(w, key_id, signature):
    return Client().post(
        f"/api/v1/communities/{w.community.code}/periods/2026-03/cosignatures/",
        json.dumps({"key_id": key_id, "signature": signature}),
        content_type="application/json",
    )


def test_the_message_is_the_one_documented_and_the_checker_builds_the_same():
    head = {
        "community": "C1",
        "month": "2026-03",
        "tree_size": 12,
        "root": "ab" * 32,
        "document_digest": "cd" * 32,
        "key_id": "x",
        "format": "fundmgr.tree-head/1",
    }
    expected = (
        "fundmgr.cosign/1\ncommunity=C1\nmonth=2026-03\ntree_size=12\n"
        f"root={'ab' * 32}\ndocument_digest={'cd' * 32}\nhead_signature={'ef' * 64}\n"
    ).encode()
    assert cosign_message(head, "EF" * 64) == expected
    assert tool("cosigcheck").cosign_message(head, "ef" * 64) == expected


def test_only_the_administrator_enrols_and_the_enrolment_is_in_the_published_trail():
    c = f.community("SPE")
    officer = f.user("offspe", (c, "officer"))
    with pytest.raises(PermissionError):
        supervision.supervisor_enrol(community=c, user=f.user(), display_name="王", actor=officer)
    w = world("SPT")
    events = list(SupervisionEvent.objects.filter(community=w.community).values_list("kind", "by"))
    assert events[:2] == [("enrolled", w.admin.username), ("key_added", w.admin.username)]
    data = Client().get(f"/api/v1/communities/{w.community.code}/supervisors/").json()
    assert [s["name"] for s in data["supervisors"]] == ["委员 王建国", "委员 李秀英", "委员 赵明"]
    assert data["history"][0]["by"] == "系统管理员"
    text = (
        json.dumps(data, ensure_ascii=False)
        + Client().get(f"/c/{w.community.code}/supervisors/").content.decode()
    )
    for seat in w.seats:  # logins never reach a public page
        assert seat.user.username not in text
    assert w.admin.username not in text
    assert public_hex(w.keys[0]) in text


def test_a_cosignature_is_checked_kept_and_shown_as_k_of_n():
    w = world()
    key_id = w.seats[0].keys.get().key_id
    response = submit(w, key_id, sign(w, 0))
    assert response.status_code == 201, response.content
    assert response.json()["cosigned"] == 1 and response.json()["supervisors"] == 3
    assert submit(w, key_id, sign(w, 0)).status_code == 201  # a retry keeps one
    assert CoSignature.objects.count() == 1
    page = Client().get(f"/c/{w.community.code}/2026-03/").content.decode()
    assert "已由 1 / 3 位监督委员会成员会签" in page and "王建国" in page
    submit(w, w.seats[1].keys.get().key_id, sign(w, 1))
    page = Client().get(f"/c/{w.community.code}/2026-03/").content.decode()
    assert "已由 2 / 3 位监督委员会成员会签" in page  # the cached page follows


def test_a_forged_cosignature_is_refused_with_a_clear_message_and_nothing_is_kept():
    w = world()
    key_id = w.seats[0].keys.get().key_id
    # Signed with someone else's key, and over another month's bytes.
    for bad in (sign(w, 1), w.keys[0].sign(b"fundmgr.cosign/1\nmonth=2026-04\n").hex(), "zz"):
        response = submit(w, key_id, bad)
        assert response.status_code == 400
        assert response.json()["error"] == (
            f"此会签无法用密钥 {key_id} 验证：它不是用该密钥对SPV社区 2026-03 的签名树头所做的"
            "签名。没有保存任何内容。"
        )
    assert submit(w, "0" * 16, sign(w, 0)).status_code == 400
    assert (
        Client()
        .post(
            f"/api/v1/communities/{w.community.code}/periods/2026-03/cosignatures/",
            "not json",
            content_type="application/json",
        )
        .status_code
        == 400
    )
    assert not CoSignature.objects.exists()


def test_a_revoked_key_signs_no_more_but_its_earlier_cosignature_stands():
    w = world()
    key = w.seats[0].keys.get()
    assert submit(w, key.key_id, sign(w, 0)).status_code == 201
    supervision.key_revoke(key=key, actor=w.seats[0].user, reason="手机丢失")
    with pytest.raises(ValidationError):
        supervision.cosign_submit(disclosure=w.disclosure, key_id=key.key_id, signature=sign(w, 0))
    assert CoSignature.objects.filter(key=key).exists()
    with pytest.raises(PermissionError):  # nobody else revokes or adds another's key
        supervision.key_revoke(key=w.seats[1].keys.get(), actor=w.seats[0].user, reason="x")
    with pytest.raises(ValidationError):
        supervision.key_add(
            supervisor=w.seats[0], public_key="12" * 31, actor=w.seats[0].user, origin="browser"
        )


def test_a_month_short_of_the_quorum_after_its_window_is_flagged_publicly():
    w = world()
    submit(w, w.seats[0].keys.get().key_id, sign(w, 0))
    with time_machine.travel(w.disclosure.window_ends_at + dt.timedelta(hours=1)):
        page = Client().get(f"/c/{w.community.code}/2026-03/").content.decode()
        assert 'id="cosign-short"' in page
        community_screen(w.community)
        flag = RedFlag.objects.get(community=w.community, rule="cosign_missing")
        assert flag.key == "2026-03" and flag.severity == "high"
        # Co-signing late is shown but does not count toward the window's quorum.
        submit(w, w.seats[1].keys.get().key_id, sign(w, 1))
        assert supervision.status(w.disclosure)["short"]
        assert "已由 2 / 3 位" in Client().get(f"/c/{w.community.code}/2026-03/").content.decode()


def test_a_month_cosigned_in_time_is_not_flagged():
    w = world()
    for i in (0, 1):
        submit(w, w.seats[i].keys.get().key_id, sign(w, i))
    with time_machine.travel(w.disclosure.window_ends_at + dt.timedelta(days=1)):
        community_screen(w.community)
        assert not RedFlag.objects.filter(rule="cosign_missing").exists()
        assert (
            'id="cosign-short"'
            not in Client().get(f"/c/{w.community.code}/2026-03/").content.decode()
        )


def save(tmp_path, name, path):
    response = Client().get(path)
    assert response.status_code == 200, response.content
    (tmp_path / name).write_bytes(response.content)
    return str(tmp_path / name)


def verifier(*args):
    return subprocess.run(
        [sys.executable, str(TOOLS / "verify_disclosure.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_makes_a_key_signs_and_the_verifier_checks_the_quorum(tmp_path, monkeypatch):
    w = world()
    env = {**os.environ, "COSIGN_PASSPHRASE": "correct horse battery"}
    made = subprocess.run(
        [sys.executable, str(TOOLS / "cosign.py"), "keygen", str(tmp_path / "me.pem")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    public = json.loads(made.stdout)
    assert b"ENCRYPTED" in (tmp_path / "me.pem").read_bytes()
    # The administrator seats the fourth member with that public key.
    seat = supervision.supervisor_enrol(
        community=w.community,
        user=f.user("supspv3"),
        display_name="孙丽",
        actor=w.admin,
        public_key=public["public_key_hex"],
    )
    assert seat.keys.get().key_id == public["key_id"]

    cosign = tool("cosign")
    client = Client()
    monkeypatch.setattr(cosign, "_get", lambda url: client.get(url.split("testserver")[1]).json())
    monkeypatch.setenv("COSIGN_PASSPHRASE", "correct horse battery")
    assert cosign.sign(str(tmp_path / "me.pem"), "http://testserver", "SPV", "2026-03") == 0
    assert cosign.message("http://testserver", "SPV", "2026-03") == 0
    printed = [json.loads(line) for line in capsys_lines(cosign, tmp_path, monkeypatch)]
    signature = printed[0]["signature"]
    assert submit(w, public["key_id"], signature).status_code == 201

    key = save(tmp_path, "key.json", "/api/v1/public-key/")
    sups = save(tmp_path, "sups.json", "/api/v1/communities/SPV/supervisors/")
    cosigs = save(tmp_path, "cosigs.json", "/api/v1/communities/SPV/periods/2026-03/cosignatures/")
    result = verifier("cosign", cosigs, sups, key)
    assert result.returncode == 1 and "1 valid co-signatures, 2 needed" in result.stdout

    submit(w, w.seats[0].keys.get().key_id, sign(w, 0))
    cosigs = save(tmp_path, "cosigs.json", "/api/v1/communities/SPV/periods/2026-03/cosignatures/")
    result = verifier("cosign", cosigs, sups, key)
    assert result.returncode == 0, result.stdout
    assert "co-signed by 2 supervisors" in result.stdout and "孙丽" in result.stdout

    # A server that rewrites a co-signature (or the head it covers) is caught.
    doctored = json.loads(Path(cosigs).read_text())
    doctored["cosignatures"][0]["signature"] = sign(w, 1)
    Path(cosigs).write_text(json.dumps(doctored, ensure_ascii=False))
    result = verifier("cosign", cosigs, sups, key)
    assert result.returncode == 1 and "is not valid" in result.stdout


def capsys_lines(cosign, tmp_path, monkeypatch):
    """Run `sign` again, capturing what it prints (Ed25519 is deterministic)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cosign.sign(str(tmp_path / "me.pem"), "http://testserver", "SPV", "2026-03")
    return out.getvalue().splitlines()


def test_the_admin_command_enrols_and_refuses_bad_keys():
    c = f.community("SPC")
    f.user("supspc")
    get_user_model().objects.create_superuser("rootspc", "", "pw")
    with pytest.raises(CommandError, match="公钥是 64 位十六进制字符"):
        call_command(
            "supervisor", "enrol", "SPC", "supspc", "周平", "--public-key", "abc", "--by", "rootspc"
        )
    assert not SupervisorKey.objects.exists()
    call_command("supervisor", "enrol", "SPC", "supspc", "周平", "--by", "rootspc")
    assert has_role(get_user_model().objects.get(username="supspc"), c, Role.SUPERVISOR)
    with pytest.raises(CommandError, match="已是"):
        call_command("supervisor", "enrol", "SPC", "supspc", "周平", "--by", "rootspc")


def test_the_supervisors_page_is_theirs_alone_and_registers_a_public_key_only():
    w = world("SPP")
    seat = w.seats[0]
    client = Client()
    client.force_login(seat.user)
    assert client.get("/").url == "/supervisor/"  # a supervisor lands on their page
    page = client.get("/supervisor/").content.decode()
    assert "2026-03" in page and "fundmgr.cosign/1" in page and "我已核查本月：会签" in page
    new = public_hex(Ed25519PrivateKey.generate())
    response = client.post(
        "/supervisor/SPP/key/",
        json.dumps({"public_key": new, "origin": "browser"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    keys = list(seat.keys.order_by("added_at", "pk").values_list("revoked_at", "origin"))
    assert keys[0][0] is not None and keys[1] == (None, "browser")  # the old key revoked
    bad = client.post(
        "/supervisor/SPP/key/",
        json.dumps({"public_key": "-----BEGIN PRIVATE KEY-----"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "64 位十六进制" in bad.json()["error"]
    officer = f.user("offspp", (w.community, "officer"))
    other = Client()
    other.force_login(officer)
    assert other.get("/supervisor/").status_code == 404
    assert (
        other.post(
            "/supervisor/SPP/key/", json.dumps({"public_key": new}), content_type="application/json"
        ).status_code
        == 404
    )
    assert Client().get("/supervisor/").status_code == 302  # to the login
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(seat.user)
    assert (
        csrf.post(
            "/supervisor/SPP/key/", json.dumps({"public_key": new}), content_type="application/json"
        ).status_code
        == 403
    )


def test_the_administrator_enrols_in_the_admin_and_a_bad_key_is_named_on_its_field():
    c = f.community("SPA")
    user = f.user("supspa")
    admin = get_user_model().objects.create_superuser("rootspa", "", "pw")
    client = Client()
    client.force_login(admin)
    form = {"community": c.pk, "user": user.pk, "display_name": "钱芳", "title": "委员"}
    response = client.post("/admin/supervision/supervisor/add/", {**form, "public_key": "xyz"})
    assert response.status_code == 200 and "公钥是 64 位十六进制字符" in response.content.decode()
    assert not SupervisionEvent.objects.exists()
    key = Ed25519PrivateKey.generate()
    response = client.post(
        "/admin/supervision/supervisor/add/", {**form, "public_key": public_hex(key)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(SupervisionEvent.objects.values_list("kind", "by")) == [
        ("enrolled", "rootspa"),
        ("key_added", "rootspa"),
    ]
    assert has_role(user, c, Role.SUPERVISOR)


def test_a_member_who_leaves_loses_the_role_and_keys_and_no_longer_counts():
    w = world("SPL")
    seat = w.seats[2]
    assert submit(w, seat.keys.get().key_id, sign(w, 2)).status_code == 201
    call_command(
        "supervisor", "leave", "SPL", seat.user.username, "任期届满", "--by", w.admin.username
    )
    assert not has_role(seat.user, w.community, Role.SUPERVISOR)
    assert seat.keys.get().revoked_at is not None
    st = supervision.status(w.disclosure)
    assert (st["k"], st["n"]) == (1, 3)  # the earlier co-signature stands, and is counted
    history = Client().get("/api/v1/communities/SPL/supervisors/").json()["history"]
    assert [h["event"] for h in history][-2:] == ["key_revoked", "left"]
    with pytest.raises(CommandError, match="已离任"):
        call_command(
            "supervisor", "leave", "SPL", seat.user.username, "x", "--by", w.admin.username
        )


def test_months_published_before_the_committee_existed_are_not_flagged():
    w = world("SPN", supervisors=False)
    committee(w.community, w.admin)
    with time_machine.travel(w.disclosure.window_ends_at + dt.timedelta(days=2)):
        st = supervision.status(w.disclosure)
        assert (st["k"], st["n"], st["short"]) == (0, 3, False)
        community_screen(w.community)
        assert not RedFlag.objects.filter(rule="cosign_missing").exists()
        page = Client().get("/c/SPN/2026-03/").content.decode()
        assert "已由 0 / 3 位监督委员会成员会签" in page and 'id="cosign-short"' not in page

"""tools/verify_disclosure.py witness: keeps every community's signed heads in a local
file and reports a head that changed or a history that no longer extends them."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
SITE = "http://testserver"


def test_the_first_run_saves_the_heads_and_the_next_finds_all_well(
    published_months, verifier, tmp_path, capsys
):
    state = tmp_path / "heads.json"
    assert verifier.witness(SITE, str(state)) == 0
    saved = json.loads(state.read_text())
    assert [h["month"] for h in saved["communities"]["SQV"]] == ["2026-03", "2026-04"]
    assert saved["key_id"] and saved["format"] == "fundmgr.witness/1"
    assert verifier.witness(SITE + "/", str(state)) == 0
    assert "witnessed: 1 communities, 2 signed heads" in capsys.readouterr().out


def test_a_head_seen_before_that_changed_or_went_is_reported(
    published_months, verifier, tmp_path, capsys
):
    state = tmp_path / "heads.json"
    assert verifier.witness(SITE, str(state)) == 0
    saved = json.loads(state.read_text())
    before = state.read_text()
    saved["communities"]["SQV"][0]["root"] = "ab" * 32  # what it saw then: another root
    saved["communities"]["SQV"].append({"month": "2026-02", "tree_size": 1, "root": "cd" * 32})
    state.write_text(json.dumps(saved))
    capsys.readouterr()
    assert verifier.witness(SITE, str(state)) == 1
    out = capsys.readouterr().out
    assert "TROUBLE: SQV 2026-03: its signed head changed" in out
    assert "TROUBLE: SQV 2026-02: its signed head is gone" in out
    assert json.loads(state.read_text()) == saved != json.loads(before)  # evidence kept


def test_a_newer_head_smaller_than_one_seen_is_history_cut_short(
    published_months, verifier, tmp_path, capsys
):
    state = tmp_path / "heads.json"
    assert verifier.witness(SITE, str(state)) == 0
    saved = json.loads(state.read_text())
    saved["communities"]["SQV"].append(
        {"month": "2026-05", "tree_size": 99, "root": "ef" * 32, "document_digest": ""}
    )
    state.write_text(json.dumps(saved))
    assert verifier.witness(SITE, str(state)) == 1
    out = capsys.readouterr().out
    assert "cut short" in out and "2026-05: its signed head is gone" in out


def test_an_unreachable_site_is_trouble(verifier, tmp_path, capsys, monkeypatch):
    def down(url):
        raise verifier.Unreachable(f"{url}: connection refused")

    monkeypatch.setattr(verifier, "fetch_json", down)
    assert verifier.witness(SITE, str(tmp_path / "s.json")) == 1
    assert "connection refused" in capsys.readouterr().out
    assert not Path(tmp_path / "s.json").exists()

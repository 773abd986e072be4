"""The whole insider of issue #16: the rewrite of test_insider_rewrite, and then the
month's document and signed tree head rebuilt and re-signed with the server's own key, so
the server's head agrees with the rewritten rows again. What the insider cannot forge
catches it: the supervisors' co-signatures (their keys are not on the server) - in the
verifier, in verify_ledger and on the public page - and the witness's saved heads."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from ledger import log
from ledger.chain import canonical_json
from ledger.models import Book
from reports import disclosure as builder
from reports import signing
from reports.models import Disclosure
from tests.reports.published import world
from tests.reports.rewrite import sql, take_off, triggers_off
from tests.reports.test_supervision import save, sign, submit
from tests.reports.test_supervision import verifier as run_verifier

pytestmark = pytest.mark.django_db


def re_sign(d: Disclosure) -> None:
    """What a server-side insider can do: build the month's document again from the
    rewritten rows, take the new root, and sign both with the deployment's key."""
    d.refresh_from_db()
    book = Book.objects.get(pk=d.period.community.book_id)
    document = builder.build(d.period)
    digest = builder.digest_of(document)
    head = log.tree_head(book, cached=False)
    signed = json.loads(d.signed_head)
    signed.update(root=head.root, chain_head=book.head_hash, document_digest=digest)
    signed_json = canonical_json(signed)
    with triggers_off():
        sql(
            "UPDATE reports_disclosure SET document = %s, digest = %s, tree_root = %s, "
            "signed_head = %s, signature = %s WHERE id = %s",
            [
                canonical_json(document),
                digest,
                head.root,
                signed_json,
                signing.sign(signed_json.encode("utf-8")),
                d.pk,
            ],
        )


def test_a_rewrite_re_signed_with_the_server_key_is_caught_by_the_co_signatures(tmp_path, verifier):
    w = world()
    for i in (0, 1):
        assert submit(w, w.seats[i].keys.get().key_id, sign(w, i)).status_code == 201
    key = save(tmp_path, "key.json", "/api/v1/public-key/")
    sups = save(tmp_path, "sups.json", "/api/v1/communities/SPV/supervisors/")
    cosigs = save(tmp_path, "cosigs.json", "/api/v1/communities/SPV/periods/2026-03/cosignatures/")
    assert run_verifier("cosign", cosigs, sups, key).returncode == 0
    state = str(tmp_path / "witness.json")
    assert verifier.witness("http://testserver", state) == 0
    call_command("verify_ledger")  # all well before
    page = Client().get("/c/SPV/2026-03/").content.decode()
    assert "cosign-broken" not in page

    take_off(w.receipts[0])  # ¥100.00 made ¥50.00
    re_sign(w.disclosure)

    # The server's own key vouches for the rebuilt month...
    d = Disclosure.objects.get(pk=w.disclosure.pk)
    assert d.signed_head != w.disclosure.signed_head, "the head was re-signed"
    assert signing.verify(signing.public_key_raw(), d.signed_head.encode(), d.signature)
    # ... but not the supervisors': the verifier, reading what the site serves once its
    # one-minute look-up of the month has passed (reports.selectors.published_period).
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):
        cosigs = save(
            tmp_path, "cosigs.json", "/api/v1/communities/SPV/periods/2026-03/cosignatures/"
        )
        result = run_verifier("cosign", cosigs, sups, key)
        assert result.returncode == 1 and "not valid" in result.stdout
        # verify_ledger names the month and why.
        with pytest.raises(CommandError) as failure:
            call_command("verify_ledger")
        assert "2026-03" in str(failure.value) and "no longer verify" in str(failure.value)
        # The public page warns instead of counting the stored rows as co-signatures.
        page = Client().get("/c/SPV/2026-03/").content.decode()
        assert 'id="cosign-broken"' in page and "王建国" in page
        assert "已由 0 / 3" in page or "0 / 3" in page
        # And the witness saw the old head.
        assert verifier.witness("http://testserver", state) == 1

#!/usr/bin/env python3
"""A supervisor's co-signing key on their own machine (Python 3.11+ and `cryptography`;
nothing of fundmgr). The private key never leaves this machine.

    python3 cosign.py keygen KEY.pem
        make an Ed25519 key, encrypted with a passphrase you type (or $COSIGN_PASSPHRASE),
        and print its public key: give that to the administrator, or paste it on your
        co-signing page ("register a key made with tools/cosign.py")
    python3 cosign.py public KEY.pem
        print the public key and key id again
    python3 cosign.py message SITE COMMUNITY YYYY-MM
        fetch the month's signed tree head from SITE's public API and print the exact
        bytes a co-signature covers (check them against the month page first)
    python3 cosign.py sign KEY.pem SITE COMMUNITY YYYY-MM [--submit]
        sign that message; print the signature as JSON, and with --submit send it to
        SITE, which checks it before keeping it (and says why when it refuses)

SITE is the site's address, e.g. https://fund.example.org. The message format is in
cosigcheck.py (fundmgr.cosign/1).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cosigcheck import canonical, cosign_message, ed25519_ok  # noqa: E402


def _passphrase(confirm: bool) -> bytes:
    value = os.environ.get("COSIGN_PASSPHRASE")
    if value is None:
        value = getpass.getpass("passphrase: ")
        if confirm and getpass.getpass("again: ") != value:
            sys.exit("the two passphrases differ")
    if len(value) < 10:
        sys.exit("the passphrase needs at least 10 characters")
    return value.encode("utf-8")


def _load(path: str):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(
            Path(path).read_bytes(), password=_passphrase(False)
        )
    except (ValueError, TypeError) as exc:
        sys.exit(f"cannot open {path}: wrong passphrase or not a key ({exc})")
    if not isinstance(key, Ed25519PrivateKey):
        sys.exit(f"{path} is not an Ed25519 key")
    return key


def _public(key) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex(), hashlib.sha256(raw).hexdigest()[:16]


def keygen(path: str) -> int:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if Path(path).exists():
        sys.exit(f"{path} exists; choose another file")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase(True)),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return public(path, key)


def public(path: str, key=None) -> int:
    hex_key, key_id = _public(key or _load(path))
    print(json.dumps({"public_key_hex": hex_key, "key_id": key_id}))
    return 0


def _get(url: str) -> dict | list:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as exc:
        sys.exit(f"{url}: {exc.code} {exc.read()[:300].decode('utf-8', 'replace')}")
    except urllib.error.URLError as exc:
        sys.exit(f"{url}: {exc.reason}")


def fetch_message(site: str, community: str, month: str) -> bytes:
    """From the public heads, checked against the deployment's published key."""
    site = site.rstrip("/")
    heads = _get(f"{site}/api/v1/communities/{community}/heads/")
    found = [h for h in heads if h["month"] == month]
    if not found:
        sys.exit(f"{community} {month} is not published on {site}")
    head, signature = found[0]["signed_tree_head"], found[0]["signature"]
    key = _get(f"{site}/api/v1/public-key/")
    if not ed25519_ok(key["public_key_hex"], signature, canonical(head)):
        sys.exit("the site's signature over this tree head does not verify: do not co-sign")
    return cosign_message(head, signature)


def message(site: str, community: str, month: str) -> int:
    sys.stdout.write(fetch_message(site, community, month).decode("utf-8"))
    return 0


def sign(path: str, site: str, community: str, month: str, submit: bool = False) -> int:
    key = _load(path)
    text = fetch_message(site, community, month)
    _hex, key_id = _public(key)
    out = {
        "community": community,
        "month": month,
        "key_id": key_id,
        "signature": key.sign(text).hex(),
    }
    print(json.dumps(out))
    if not submit:
        return 0
    url = f"{site.rstrip('/')}/api/v1/communities/{community}/periods/{month}/cosignatures/"
    body = json.dumps({"key_id": key_id, "signature": out["signature"]}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            data = json.load(r)
    except urllib.error.HTTPError as exc:
        reason = json.loads(exc.read() or b"{}").get("error", exc.reason)
        print(f"refused: {reason}", file=sys.stderr)
        return 1
    print(f"accepted: co-signed by {data['cosigned']} of {data['supervisors']} supervisors")
    return 0


def main(argv: list[str]) -> int:
    submit = "--submit" in argv
    args = [a for a in argv if a != "--submit"]
    commands = {
        "keygen": (keygen, 1),
        "public": (public, 1),
        "message": (message, 3),
        "sign": (sign, 4),
    }
    if not args or args[0] not in commands or len(args) - 1 != commands[args[0]][1]:
        print(__doc__)
        return 2
    if args[0] == "sign":
        return sign(*args[1:], submit=submit)
    return commands[args[0]][0](*args[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

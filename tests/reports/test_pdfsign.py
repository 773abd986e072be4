"""With a signing certificate configured, statements carry a PAdES signature that
validates, and any change to the file breaks it."""

import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from reports.auditor import pdfsign
from reports.auditor.formats import to_pdf
from reports.auditor.statements import build
from tests import factories as f

pytestmark = pytest.mark.django_db


def make_p12(path, password=b"s3cret"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "fundmgr 测试签章"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "测试街道"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"fundmgr", key, cert, None, serialization.BestAvailableEncryption(password)
        )
    )
    return cert


def test_statements_are_signed_when_a_certificate_is_configured(settings, tmp_path):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    cert = make_p12(tmp_path / "sign.p12")
    c = f.community("SQG")
    unsigned = to_pdf(build(c, dt.date(2026, 3, 1), "trial-balance"))
    assert b"/ByteRange" not in unsigned

    settings.STATEMENT_SIGNING_P12 = str(tmp_path / "sign.p12")
    settings.STATEMENT_SIGNING_PASSWORD = "s3cret"
    pdfsign._signer.cache_clear()
    signed = to_pdf(build(c, dt.date(2026, 3, 1), "trial-balance"))
    root = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    context = ValidationContext(trust_roots=[root])
    reader = PdfFileReader(io.BytesIO(signed))
    status = validate_pdf_signature(reader.embedded_signatures[0], context)
    assert status.intact and status.valid, status.pretty_print_details()

    tampered = bytearray(signed)
    at = signed.index(b"/Creator") + len(b"/Creator (")
    tampered[at] = ord("X") if tampered[at] != ord("X") else ord("Y")  # inside the signed range
    status = validate_pdf_signature(
        PdfFileReader(io.BytesIO(bytes(tampered))).embedded_signatures[0], context
    )
    assert not status.intact

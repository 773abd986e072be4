"""The OpenAPI 3 description of the open-data API (reports/public/api.py), served at
/api/v1/openapi.json. Written by hand beside the views it describes: amounts are decimal
strings ("1234.56"), never numbers; every route also answers `?format=csv`. The fuzzing
tests (tests/security/test_fuzz_api.py) drive the API from this description, so a route
added to the API and left out here goes unfuzzed - and tests/security/test_url_matrix.py
fails until it is listed there."""

from __future__ import annotations

from django.views.decorators.http import require_GET

AMOUNT = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "1234.56"}
HEX = {"type": "string", "pattern": "^[0-9a-f]*$"}
MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-03"}
SPLIT = {
    "type": "object",
    "required": ["provider", "hub", "fund"],
    "properties": {"provider": AMOUNT, "hub": AMOUNT, "fund": AMOUNT},
}
ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
}
TOTALS = {
    "type": "object",
    "required": ["income", "reversed", "net", "count", "provider", "hub", "fund"],
    "properties": {
        "income": AMOUNT,
        "reversed": AMOUNT,
        "net": AMOUNT,
        "count": {"type": "integer", "minimum": 0},
        "reversals": {"type": "integer", "minimum": 0},
        "provider": AMOUNT,
        "hub": AMOUNT,
        "fund": AMOUNT,
    },
}
SIGNED_HEAD = {"type": "object", "description": "The signed tree head as signed (RFC 6962 style)."}
COMMUNITY = {
    "type": "object",
    "required": ["code", "name", "subdistrict", "currency"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "subdistrict": {"type": "string"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
}
COMMUNITY_DETAIL = {
    "type": "object",
    "required": ["code", "name", "currency", "hub", "fund", "providers", "packages"],
    "properties": {
        **COMMUNITY["properties"],
        "hub": {"type": "object"},
        "fund": {"type": "object"},
        "providers": {"type": "array", "items": {"type": "object"}},
        "packages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name", "provider", "prices"],
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "provider": {"type": "string"},
                    "prices": {
                        "type": "object",
                        "additionalProperties": {**AMOUNT, "nullable": True},
                    },
                    "low_cost_eligibility": {"type": "string"},
                },
            },
        },
        "split_policy": {"type": "object", "nullable": True},
    },
}
PERIOD_SUMMARY = {
    "type": "object",
    "required": ["month", "published_at", "totals", "digest", "tree_head", "signature"],
    "properties": {
        "month": MONTH,
        "published_at": {"type": "string"},
        "totals": TOTALS,
        "digest": HEX,
        "tree_head": {
            "type": "object",
            "properties": {"size": {"type": "integer"}, "root": HEX},
        },
        "signature": {"type": "string"},
        "key_id": {"type": "string"},
    },
}
INCOME = {
    "type": "object",
    "required": ["receipt", "date", "package", "tier", "amount", "split", "payer", "status"],
    "properties": {
        "receipt": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "paid_on": {"type": "string", "format": "date"},
        "adjustment": {"type": "boolean"},
        "package": {"type": "string"},
        "package_name": {"type": "string"},
        "provider": {"type": "string"},
        "tier": {"type": "string", "enum": ["public_benefit", "paid", "low_cost"]},
        "quantity": {"type": "integer"},
        "amount": AMOUNT,
        "split": SPLIT,
        "payer": {"type": "string", "description": "Masked: first character only (张*)."},
        "status": {"type": "string", "enum": ["posted", "reversed"]},
        "entry": {"type": "integer"},
    },
}
DISCLOSURE = {
    "type": "object",
    "description": "The published month exactly as signed (DESIGN 4.4), with its digest and "
    "signature; `reversed_later` says which of its incomes later months reversed.",
    "required": ["format", "community", "month", "totals", "incomes", "digest", "signature"],
    "properties": {
        "format": {"type": "string"},
        "community": {"type": "object"},
        "month": MONTH,
        "totals": TOTALS,
        "incomes": {"type": "array", "items": INCOME},
        "reversals": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"amount": AMOUNT, "reason": {"type": "string"}},
            },
        },
        "settlements": {
            "type": "array",
            "items": {"type": "object", "properties": {"amount": AMOUNT}},
        },
        "disbursements": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "amount": AMOUNT,
                    "purpose": {"type": "string"},
                    "requested_by": {
                        "type": "string",
                        "description": "A display name or role label, never a login name.",
                    },
                },
            },
        },
        "digest": HEX,
        "signed_tree_head": SIGNED_HEAD,
        "signature": {"type": "string"},
        "reversed_later": {"type": "object"},
    },
}
RECEIPT = {
    "type": "object",
    "required": ["receipt", "community", "amount", "split", "status", "published"],
    "properties": {
        "receipt": {"type": "string"},
        "community": {"type": "string"},
        "date": {"type": "string", "nullable": True},
        "amount": AMOUNT,
        "currency": {"type": "string"},
        "split": SPLIT,
        "payer": {"type": "string"},
        "status": {"type": "string"},
        "period": {"type": "string", "nullable": True},
        "published": {"type": "boolean"},
        "inclusion": {"type": "object", "nullable": True},
    },
}
HEAD = {
    "type": "object",
    "required": ["month", "tree_size", "root", "signature"],
    "properties": {
        "month": MONTH,
        "tree_size": {"type": "integer"},
        "root": HEX,
        "signed_tree_head": SIGNED_HEAD,
        "signature": {"type": "string"},
    },
}
CONSISTENCY = {
    "type": "object",
    "required": ["from", "to", "proof", "verified"],
    "properties": {
        "from": {"type": "object"},
        "to": {"type": "object"},
        "proof": {"type": "array", "items": HEX},
        "verified": {"type": "boolean"},
    },
}
PUBLIC_KEY = {
    "type": "object",
    "required": ["algorithm", "key_id", "public_key_hex", "public_key_pem"],
    "properties": {
        "algorithm": {"type": "string", "enum": ["Ed25519"]},
        "key_id": {"type": "string"},
        "public_key_hex": HEX,
        "public_key_pem": {"type": "string"},
    },
}

FORMAT = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "`csv` for CSV (UTF-8 with BOM); anything else, or none, is JSON.",
    "schema": {"type": "string", "example": "csv"},
}


def _path(name: str, desc: str, example: str = "") -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": desc,
        "schema": {"type": "string", **({"example": example} if example else {})},
    }


CODE = _path("code", "The community's code.", "SQP")
LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "description": "Rows on one page of JSON, 1 to 500 (default 100). The next page, if "
    'any, is in the `Link: <...>; rel="next"` header. CSV is never paged.',
    "schema": {"type": "integer", "minimum": 1, "maximum": 500},
}


def _after(description: str, example: str) -> dict:
    return {
        "name": "after",
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", "maxLength": 64, "example": example},
    }


MONTH_PARAM = _path("month", "The month, YYYY-MM.", "2026-03")
RECEIPT_CODE = _path("code", "The receipt code as printed (dashes optional).")


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _get(summary: str, params: list, ok: dict, errors=(404,), csv: bool = True) -> dict:
    responses = {"200": ok}
    for status in errors:
        responses[str(status)] = _json(
            {"$ref": "#/components/schemas/Error"},
            "Bad request" if status == 400 else "Not found",
        )
    return {
        "get": {
            "summary": summary,
            "parameters": [*params, *([FORMAT] if csv else [])],
            "responses": responses,
        }
    }


def document() -> dict:
    ref = "#/components/schemas/"
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "fundmgr open data",
            "version": "1",
            "description": "Published community service-package accounts (DESIGN 5.4): no "
            "login, published data only. Amounts are decimal strings in the community's "
            "currency. Unknown codes give 404 with a JSON error.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/communities/": _get(
                "Every community, by code, a page at a time",
                [
                    _after("The page after this community code (the last row of a page).", "SQP"),
                    LIMIT,
                ],
                _json({"type": "array", "items": {"$ref": ref + "Community"}}, "Communities"),
                errors=(400,),
            ),
            "/api/v1/communities/{code}/": _get(
                "A community with its providers, hub, fund, packages and split in force",
                [CODE],
                _json({"$ref": ref + "CommunityDetail"}, "The community"),
            ),
            "/api/v1/communities/{code}/periods/": _get(
                "Published months with totals and digests, the newest first, a page at a time",
                [CODE, _after("The page of months before this one, YYYY-MM.", "2026-03"), LIMIT],
                _json({"type": "array", "items": {"$ref": ref + "PeriodSummary"}}, "Months"),
                errors=(400, 404),
            ),
            "/api/v1/communities/{code}/periods/{month}/": _get(
                "The published disclosure of a month",
                [CODE, MONTH_PARAM],
                _json({"$ref": ref + "Disclosure"}, "The month as published"),
                errors=(400, 404),
            ),
            "/api/v1/communities/{code}/periods/{month}/fdp.zip": _get(
                "The month as a Fiscal Data Package (zip)",
                [CODE, MONTH_PARAM],
                {
                    "description": "A zip of datapackage.json and CSV files",
                    "content": {"application/zip": {"schema": {"type": "string"}}},
                },
                csv=False,
            ),
            "/api/v1/communities/{code}/heads/": _get(
                "Every published month's signed tree head, oldest first",
                [CODE],
                _json({"type": "array", "items": {"$ref": ref + "Head"}}, "Signed heads"),
            ),
            "/api/v1/communities/{code}/consistency/": _get(
                "Proof that an earlier published tree is a prefix of a later one",
                [
                    CODE,
                    {
                        "name": "from",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                ],
                _json({"$ref": ref + "Consistency"}, "The proof, checked"),
                errors=(400, 404),
                csv=False,
            ),
            # Published with this wave's parts of the books: read as JSON objects.
            "/api/v1/communities/{code}/supervisors/": _get(
                "The supervisory committee: public names, public keys and their history",
                [CODE],
                _json({"type": "object"}, "The committee"),
                csv=False,
            ),
            "/api/v1/communities/{code}/periods/{month}/cosignatures/": _get(
                "A month's signed head, the message supervisors sign, and their "
                "co-signatures (POST one: {key_id, signature})",
                [CODE, MONTH_PARAM],
                _json({"type": "object"}, "The co-signatures"),
                errors=(400, 404),
                csv=False,
            ),
            "/api/v1/communities/{code}/spaces/": _get(
                "Spaces let for services: agreements, their decisions and meters",
                [CODE],
                _json({}, "The agreements"),
            ),
            "/api/v1/communities/{code}/decisions/": _get(
                "Meetings, their items, votes and prior reviews",
                [CODE],
                _json({}, "The decisions"),
            ),
            "/api/v1/communities/{code}/inflows/": _get(
                "Donations, restricted funds, markets and purchase contracts",
                [CODE],
                _json({}, "The inflows"),
                csv=False,
            ),
            "/api/v1/communities/{code}/projects/": _get(
                "The annual plan, earmarks and projects",
                [CODE],
                _json({}, "The projects"),
            ),
            "/api/v1/receipts/{code}/": _get(
                "A receipt's public record, its month and inclusion proof once published",
                [RECEIPT_CODE],
                _json({"$ref": ref + "Receipt"}, "The receipt"),
            ),
            "/api/v1/public-key/": _get(
                "The Ed25519 key that signs published tree heads",
                [],
                _json({"$ref": ref + "PublicKey"}, "The key"),
                errors=(),
                csv=False,
            ),
        },
        "components": {
            "schemas": {
                "Error": ERROR,
                "Community": COMMUNITY,
                "CommunityDetail": COMMUNITY_DETAIL,
                "PeriodSummary": PERIOD_SUMMARY,
                "Disclosure": DISCLOSURE,
                "Receipt": RECEIPT,
                "Head": HEAD,
                "Consistency": CONSISTENCY,
                "PublicKey": PUBLIC_KEY,
            }
        },
    }


@require_GET
def openapi(request):
    from .api import SHORT
    from .api import _json as json_response

    return json_response(document(), cache_control=SHORT)

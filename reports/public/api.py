"""Open-data API (DESIGN 5.4): JSON, no login, published data only; `?format=csv` on each
route. Published months never change, so they carry long cache lifetimes (and ETags,
from ConditionalGetMiddleware)."""

from __future__ import annotations

import csv
import io
import json

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from fundmgr.lib import receipts
from fundmgr.lib.csvsafe import safe_row
from fundmgr.lib.dates import parse_month
from fundmgr.models import Community, Income

from .. import selectors, signing
from ..checking.services import receipt_looked_up
from ..models import PeriodState
from . import cache

SHORT = "public, max-age=300"
FOREVER = "public, max-age=31536000, immutable"


def _json(data, cache_control=SHORT, status=200):
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = cache_control
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(message: str, status: int = 404):
    return _json({"error": message, "status": status}, cache_control="no-cache", status=status)


def _csv(rows, header, filename, cache_control=SHORT):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_row(row))
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = cache_control
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"


def _community(code: str) -> Community | None:
    return Community.objects.select_related("hub", "fund", "book").filter(code=code).first()


# The lists are read a page at a time, after a cursor (the last key of the page before),
# with the next page in a `Link: <...>; rel="next"` header: their cost does not grow
# with the number of communities or months. CSV stays whole, for a spreadsheet.
PAGE_LIMIT = 100
PAGE_LIMIT_MAX = 500


def _page_args(request) -> tuple[str, int] | HttpResponse:
    """(after, limit) from ?after= and ?limit=, or a 400 naming the parameter."""
    after = request.GET.get("after", "")
    if len(after) > 64:
        return _error("after: at most 64 characters", 400)
    raw = request.GET.get("limit", "")
    if not raw:
        return after, PAGE_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= PAGE_LIMIT_MAX:
        return _error(f"limit: a whole number from 1 to {PAGE_LIMIT_MAX}", 400)
    return after, int(raw)


def _paged(request, rows: list, key: str, limit: int) -> HttpResponse:
    """One page (`rows` holds up to limit + 1 rows: the extra one says a next exists)."""
    more = len(rows) > limit
    rows = rows[:limit]
    response = _json(rows)
    if more and rows:
        query = request.GET.copy()
        query["after"] = rows[-1][key]
        query.pop("format", None)
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
    return response


@require_GET
def communities(request):
    args = _page_args(request)
    if isinstance(args, HttpResponse):
        return args
    after, limit = args
    listed = Community.objects.order_by("code")
    if _wants_csv(request):
        return _csv(
            ([c.code, c.name, c.subdistrict, c.currency] for c in listed),
            ["code", "name", "subdistrict", "currency"],
            "communities.csv",
        )
    if after:
        listed = listed.filter(code__gt=after)
    rows = [
        {"code": c.code, "name": c.name, "subdistrict": c.subdistrict, "currency": c.currency}
        for c in listed[: limit + 1]
    ]
    return _paged(request, rows, "code", limit)


@require_GET
def community(request, code):
    c = _community(code)
    if c is None:
        return _error(f"no community {code!r}")
    data = selectors.community_public(c)
    if _wants_csv(request):
        return _csv(
            (
                [
                    p["code"],
                    p["name"],
                    p["provider"],
                    p["prices"]["public_benefit"] or "",
                    p["prices"]["paid"] or "",
                    p["prices"]["low_cost"] or "",
                    p["low_cost_eligibility"],
                ]
                for p in data["packages"]
            ),
            [
                "package",
                "name",
                "provider",
                "public_benefit",
                "paid",
                "low_cost",
                "low_cost_eligibility",
            ],
            f"{c.code}-packages.csv",
        )
    return _json(data)


@require_GET
def periods(request, code):
    c = _community(code)
    if c is None:
        return _error(f"no community {code!r}")
    args = _page_args(request)
    if isinstance(args, HttpResponse):
        return args
    after, limit = args
    published = selectors.published_periods(c)  # the newest first
    if _wants_csv(request):
        rows = [selectors.period_summary(p) for p in published]
        return _csv(
            (
                [
                    r["month"],
                    r["totals"]["income"],
                    r["totals"]["reversed"],
                    r["totals"]["net"],
                    r["totals"]["provider"],
                    r["totals"]["hub"],
                    r["totals"]["fund"],
                    r["totals"]["count"],
                    r["digest"],
                    r["tree_head"]["size"],
                    r["tree_head"]["root"],
                ]
                for r in rows
            ),
            [
                "month",
                "income",
                "reversed",
                "net",
                "provider",
                "hub",
                "fund",
                "count",
                "digest",
                "tree_size",
                "tree_root",
            ],
            f"{c.code}-periods.csv",
        )
    if after:
        before = parse_month(after)
        if before is None:
            return _error("after: a month, YYYY-MM", 400)
        published = published.filter(month__lt=before)
    rows = [selectors.period_summary(p) for p in published[: limit + 1]]
    return _paged(request, rows, "month", limit)


@require_GET
def period(request, code, month):
    first = parse_month(month)
    # One query on the hot path (a published month); the errors look further.
    p = selectors.published_period(code, first) if first is not None else None
    if p is None:
        c = _community(code)
        if c is None:
            return _error(f"no community {code!r}")
        if first is None:
            return _error(f"month must be YYYY-MM, not {month[:20]!r}", 400)
        return _error(f"{c.code} {month} is not published")
    c, d = p.community, p.disclosure
    # The document never changes; what later months did to its incomes (a reversal) is
    # given beside it, so the response changes when a later month is published.
    latest = selectors.latest_published_month(c)

    def later() -> dict:
        return selectors.later_reversals(p, selectors.document(d))

    if _wants_csv(request):

        def rows():
            reversed_later = later()
            for i in selectors.document(d)["incomes"]:
                fate = reversed_later.get(i["receipt"], {})
                yield [
                    i["receipt"],
                    i["date"],
                    i["package"],
                    i["tier"],
                    i["amount"],
                    i["split"]["provider"],
                    i["split"]["hub"],
                    i["split"]["fund"],
                    i["payer"],
                    i["status"],
                    i["entry"],
                    "yes" if i["adjustment"] else "",
                    fate.get("date", ""),
                    fate.get("month", ""),
                ]

        return cache.response(
            f"api-period-csv:{d.digest}:{latest}",
            lambda: _csv(
                rows(),
                [
                    "receipt",
                    "date",
                    "package",
                    "tier",
                    "amount",
                    "provider",
                    "hub",
                    "fund",
                    "payer",
                    "status",
                    "entry",
                    "adjustment",
                    "reversed_on",
                    "reversed_in",
                ],
                f"{c.code}-{month}.csv",
            ),
            timeout=cache.SUPERSEDED_AFTER,
        )
    return cache.response(
        f"api-period-json:{d.digest}:{latest}",
        lambda: _json(
            {
                **selectors.document(d),
                "digest": d.digest,
                "signed_tree_head": json.loads(d.signed_head),
                "signature": d.signature,
                "reversed_later": later(),
            }
        ),
        timeout=cache.SUPERSEDED_AFTER,
    )


@require_GET
def receipt(request, code):
    normalised = receipts.normalise(code)
    income = (
        Income.objects.select_related("community__book", "package__provider", "entry")
        .filter(receipt_code=normalised)
        .first()
        if normalised
        else None
    )
    if income is None:
        return _error("no such receipt")
    data = selectors.receipt_public(income)
    if data["published"]:
        receipt_looked_up(income=income, month=data["period"])
    if _wants_csv(request):
        return _csv(
            [
                [
                    data["receipt"],
                    data["community"],
                    data["date"] or "",
                    data["package"],
                    data["tier"],
                    data["amount"],
                    data["split"]["provider"],
                    data["split"]["hub"],
                    data["split"]["fund"],
                    data["status"],
                    data["period"] or "",
                    "yes" if data["published"] else "",
                ]
            ],
            [
                "receipt",
                "community",
                "date",
                "package",
                "tier",
                "amount",
                "provider",
                "hub",
                "fund",
                "status",
                "period",
                "published",
            ],
            "receipt.csv",
            cache_control="public, max-age=60",
        )
    return _json(data, cache_control="public, max-age=60")


@require_GET
def heads(request, code):
    """Every published month's signed tree head, oldest first."""
    c = _community(code)
    if c is None:
        return _error(f"no community {code!r}")
    rows = selectors.signed_heads(c)
    if _wants_csv(request):
        return _csv(
            ([h["month"], h["tree_size"], h["root"], h["signature"]] for h in rows),
            ["month", "tree_size", "root", "signature"],
            f"{c.code}-heads.csv",
        )
    return _json(rows)


@require_GET
def consistency(request, code):
    """?from=<size>&to=<size>: proof that the earlier published tree is a prefix of the
    later one - nothing published before was rewritten or cut."""
    c = _community(code)
    if c is None:
        return _error(f"no community {code!r}")
    try:
        old, new = int(request.GET.get("from", "")), int(request.GET.get("to", ""))
    except ValueError:
        return _error("from and to must be published tree sizes", 400)
    result = selectors.consistency_between(c, old, new)
    if result is None:
        return _error("from and to must be published tree sizes, from <= to", 400)
    # A proof that verifies between two signed roots stays true; one that fails is about
    # the books as they are now, and must not be kept by anyone's cache.
    return _json(result, cache_control=FOREVER if result["verified"] else "no-cache")


@require_GET
def public_key(request):
    raw = signing.public_key_raw()
    return _json(
        {
            "algorithm": "Ed25519",
            "key_id": signing.key_id(raw),
            "public_key_hex": raw.hex(),
            "public_key_pem": signing.public_key_pem(),
        }
    )


def not_found(request, rest=""):
    return _error("no such route")


INCOME_FIELDS = [
    ("receipt", "string", "收据码 receipt code"),
    ("date", "date", "记账日期 accounting date"),
    ("package", "string", "服务包编码 service package code"),
    ("package_name", "string", "服务包 service package"),
    ("provider", "string", "专业机构编码 provider code"),
    ("tier", "string", "类别 tier: public_benefit / paid / low_cost"),
    ("amount", "number", "金额 amount"),
    ("provider_share", "number", "专业机构分成 provider's share"),
    ("hub_share", "number", "枢纽社会企业分成 hub's share"),
    ("fund_share", "number", "社区基金分成 community fund's share"),
    ("status", "string", "posted / reversed"),
    ("adjustment", "boolean", "调整 a late item from a closed month"),
]


@require_GET
def fiscal_data_package(request, code, month):
    """The month as a Fiscal Data Package (datapackage.json + income.csv in a zip), the
    open-spending convention, so existing open-budget tools can read it."""
    import zipfile

    c = _community(code)
    first = parse_month(month) if c else None
    p = (
        c.periods.filter(month=first, state=PeriodState.PUBLISHED)
        .select_related("disclosure")
        .first()
        if first
        else None
    )
    if p is None:
        return _error(f"{code} {month[:20]} is not published")
    doc = selectors.document(p.disclosure)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([name for name, _t, _d in INCOME_FIELDS])
    for i in doc["incomes"]:
        writer.writerow(
            safe_row(
                [
                    i["receipt"],
                    i["date"],
                    i["package"],
                    i["package_name"],
                    i["provider"],
                    i["tier"],
                    i["amount"],
                    i["split"]["provider"],
                    i["split"]["hub"],
                    i["split"]["fund"],
                    i["status"],
                    "true" if i["adjustment"] else "false",
                ]
            )
        )
    package = {
        "profile": "fiscal-data-package",
        "name": f"fundmgr-{c.code.lower()}-{month}",
        "title": f"{c.name} {month} 服务包收入公示",
        "countryCode": "CN",
        "fiscalPeriod": {"start": doc["period"]["start"], "end": doc["period"]["end"]},
        "sources": [{"title": "fundmgr published disclosure", "digest": p.disclosure.digest}],
        "resources": [
            {
                "name": "income",
                "path": "income.csv",
                "format": "csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {
                    "fields": [
                        {
                            "name": n,
                            "type": t,
                            "description": d,
                            **({"decimalChar": "."} if t == "number" else {}),
                        }
                        for n, t, d in INCOME_FIELDS
                    ],
                    "primaryKey": "receipt",
                },
            }
        ],
        "model": {
            "measures": {
                name: {"source": name, "currency": doc["community"]["currency"]}
                for name in ("amount", "provider_share", "hub_share", "fund_share")
            },
            "dimensions": {
                "date": {
                    "dimensionType": "datetime",
                    "primaryKey": "date",
                    "attributes": {"date": {"source": "date"}},
                },
                "receipt": {
                    "dimensionType": "other",
                    "primaryKey": "receipt",
                    "attributes": {"receipt": {"source": "receipt"}},
                },
                "package": {
                    "dimensionType": "classification",
                    "primaryKey": "package",
                    "attributes": {
                        "package": {"source": "package"},
                        "package_name": {"source": "package_name"},
                    },
                },
                "provider": {
                    "dimensionType": "entity",
                    "primaryKey": "provider",
                    "attributes": {"provider": {"source": "provider"}},
                },
                "tier": {
                    "dimensionType": "classification",
                    "primaryKey": "tier",
                    "attributes": {"tier": {"source": "tier"}},
                },
            },
        },
    }
    from .inflows import fdp_inflows
    from .projects import fdp_projects
    from .spaces import fdp_decisions, fdp_spaces

    currency = doc["community"]["currency"]
    spaces = fdp_spaces(doc, currency)
    extra = (
        ([spaces] if spaces else [])
        + fdp_inflows(doc, currency)
        + fdp_projects(doc, currency)
        + fdp_decisions(doc, currency)
    )
    package["resources"] += [resource for resource, _text in extra]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("datapackage.json", json.dumps(package, ensure_ascii=False, indent=2))
        zf.writestr("income.csv", buf.getvalue())
        for resource, text in extra:
            zf.writestr(resource["path"], text)
    response = HttpResponse(archive.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{c.code}-{month}-fdp.zip"'
    # Its figures never change, but a release may add resources to it (the inflows, the
    # projects): a day, not "immutable", so a cache picks the new layout up.
    response["Cache-Control"] = "public, max-age=86400"
    return response

"""The residents' pages and open-data routes of spaces let for services and of the
decisions behind them. No login, no personal data: bodies, dates, counts, hashes and
roles only. The meter is live (from the confirmed delivery records); each published
month's document carries the same figures, signed."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from fundmgr.decisions.models import Meeting
from fundmgr.decisions.selectors import meeting_doc, online_result
from fundmgr.lib import dates
from fundmgr.models import Community
from fundmgr.spaces.models import RENT_NOT_SPLIT, Agreement
from fundmgr.spaces.selectors import agreement_doc

from .api import _community, _csv, _error, _json, _wants_csv


def meters(community: Community) -> list[dict]:
    """Every agreement of the community with its public record and meter as of today."""
    today = dates.today()
    return [
        agreement_doc(a, dates.month_start(today), today)
        for a in Agreement.objects.filter(community=community)
        .select_related("space", "operator", "decision__meeting", "follows")
        .order_by("-starts_on", "number")
    ]


def agreement_page(request, code: str, number: str):
    community = get_object_or_404(Community, code=code)
    agreement = get_object_or_404(
        Agreement.objects.select_related("space", "operator", "decision__meeting"),
        community=community,
        number=number,
    )
    today = dates.today()
    return render(
        request,
        "public/space_agreement.html",
        {
            "community": community,
            "a": agreement_doc(agreement, dates.month_start(today), today),
            "meeting_pk": agreement.decision.meeting_id,
            "why_not_split": RENT_NOT_SPLIT,
        },
    )


def decision_page(request, code: str, pk: int):
    community = get_object_or_404(Community, code=code)
    meeting = get_object_or_404(Meeting, community=community, pk=pk)
    return render(
        request,
        "public/decision.html",
        {"community": community, "m": meeting_doc(meeting), "online": online_result(meeting)},
    )


CSV_HEADER = [
    "agreement",
    "space",
    "operator",
    "term_from",
    "term_to",
    "decision",
    "sessions_owed_month",
    "sessions_delivered_month",
    "value_owed_month",
    "value_delivered_month",
    "sessions_owed_to_date",
    "sessions_delivered_to_date",
    "value_owed_to_date",
    "value_delivered_to_date",
    "rent_forgone_to_date",
    "rent_received_to_date",
]


def api_spaces(request, code: str):
    community = _community(code)
    if community is None:
        return _error(_("No community with this code."))
    rows = meters(community)
    if _wants_csv(request):
        return _csv(
            (
                [
                    a["number"],
                    a["space"]["name"],
                    a["operator"]["name"],
                    a["term"]["from"],
                    a["term"]["to"],
                    f"{a['decision']['meeting']} #{a['decision']['item']}",
                    a["this_month"]["sessions_owed"],
                    a["this_month"]["sessions_delivered"],
                    a["this_month"]["value_owed"],
                    a["this_month"]["value_delivered"],
                    a["to_date"]["sessions_owed"],
                    a["to_date"]["sessions_delivered"],
                    a["to_date"]["value_owed"],
                    a["to_date"]["value_delivered"],
                    a["to_date"]["rent_forgone"],
                    a["rent"]["received_to_date"],
                ]
                for a in rows
            ),
            CSV_HEADER,
            f"{community.code}-spaces.csv",
        )
    return _json(
        {"community": community.code, "as_of": dates.today().isoformat(), "agreements": rows}
    )


def api_decisions(request, code: str):
    community = _community(code)
    if community is None:
        return _error(_("No community with this code."))
    meetings = [
        meeting_doc(m) for m in Meeting.objects.filter(community=community).order_by("-held_on")
    ]
    if _wants_csv(request):
        return _csv(
            (
                [
                    m["reference"],
                    m["body"],
                    m["held_on"],
                    m["members_present"],
                    m["quorum"],
                    i["number"],
                    i["title"],
                    i["votes"]["for"],
                    i["votes"]["against"],
                    i["votes"]["abstain"],
                    i["outcome"],
                    m["minutes_sha256"],
                ]
                for m in meetings
                for i in m["items"]
            ),
            [
                "meeting",
                "body",
                "held_on",
                "present",
                "quorum",
                "item",
                "title",
                "for",
                "against",
                "abstain",
                "outcome",
                "minutes_sha256",
            ],
            f"{community.code}-decisions.csv",
        )
    return _json({"community": community.code, "meetings": meetings})


FDP_FIELDS = [
    ("agreement", "string", "space agreement number"),
    ("space", "string", "the space let"),
    ("operator", "string", "provider operating the space"),
    ("sessions_owed", "integer", "sessions owed in the month (memorandum)"),
    ("sessions_delivered", "integer", "sessions delivered and confirmed (memorandum)"),
    ("value_owed", "number", "value owed at listed prices (memorandum, not on the balance sheet)"),
    ("value_delivered", "number", "value delivered at listed prices (memorandum)"),
    ("rent_forgone", "number", "market rent forgone in the month (estimate)"),
    ("rent_received", "number", "symbolic rent received in the month (not split 70/25/5)"),
]


def fdp_spaces(doc: dict, currency: str):
    """The Fiscal Data Package resource of the month's space meters, with its CSV; None
    for a month (or an older document) without agreements."""
    import csv
    import io

    from fundmgr.lib.csvsafe import safe_row

    agreements = (doc.get("spaces") or {}).get("agreements") or []
    if not agreements:
        return None
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([n for n, _t, _d in FDP_FIELDS])
    for a in agreements:
        m = a["this_month"]
        writer.writerow(
            safe_row(
                [
                    a["number"],
                    a["space"]["name"],
                    a["operator"]["name"],
                    m["sessions_owed"],
                    m["sessions_delivered"],
                    m["value_owed"],
                    m["value_delivered"],
                    m["rent_forgone"],
                    a["rent"]["received_this_month"],
                ]
            )
        )
    resource = {
        "name": "spaces",
        "path": "spaces.csv",
        "format": "csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "description": doc["spaces"]["why_rent_not_split"],
        "schema": {
            "fields": [
                {
                    "name": n,
                    "type": t,
                    "description": d,
                    **({"decimalChar": "."} if t == "number" else {}),
                }
                for n, t, d in FDP_FIELDS
            ],
            "primaryKey": "agreement",
        },
        "currency": currency,
    }
    return resource, buf.getvalue()


FDP_DECISIONS = [
    ("meeting", "string", "会议文号 meeting reference"),
    ("body", "string", "议事机构 body: council / representatives / joint / party / other"),
    ("held_on", "date", "会议日期 date held"),
    ("item", "integer", "议题序号 item number"),
    ("title", "string", "议题 title"),
    ("outcome", "string", "结果 passed / rejected / disputed / awaiting"),
    ("votes_for", "integer", "赞成 votes for"),
    ("votes_against", "integer", "反对 votes against"),
    ("votes_abstain", "integer", "弃权 abstentions"),
    ("prior_review", "string", "前置审议结果 agreed / changed / refused (major matters)"),
]


def fdp_decisions(doc: dict, currency: str) -> list[tuple[dict, str]]:
    """The Fiscal Data Package resource of the month's decisions, one row an item with
    its votes (counts, never names); empty for a month without meetings."""
    from .inflows import _resource

    items = [(m, i) for m in doc.get("decisions") or [] for i in m["items"]]
    if not items:
        return []
    return [
        _resource(
            "decisions",
            FDP_DECISIONS,
            (
                [
                    m["reference"],
                    m["body"],
                    m["held_on"],
                    i["number"],
                    i["title"],
                    i["outcome"],
                    i["votes"]["for"],
                    i["votes"]["against"],
                    i["votes"]["abstain"],
                    (i["prior_review"] or {}).get("outcome"),
                ]
                for m, i in items
            ),
            "本月的议事决策：各议题的表决票数与结果（只有票数，没有姓名）。",
            ["meeting", "item"],
            currency,
        )
    ]

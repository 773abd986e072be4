"""The officer's reconciliation pages: the accounts and their months, statement upload,
a bank's column mapping, the month's report with the proposed matches to confirm, and
cash deposits with their review."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from djmoney.money import Money

from ..access import communities_for, community_role, roles_in
from ..lib import dates
from ..lib.money import yuan
from ..models import Community, Role
from ..officer.forms import AmountField, add_service_error
from . import formats, selectors, services
from .models import BankMapping, CashDeposit, DepositStatus, StatementFormat, StatementLine

MONTHS_SHOWN = 6
METHOD_OF = {code: method for code, (method, _name) in selectors.STATEMENT_ACCOUNTS.items()}


class UploadForm(forms.Form):
    format = forms.ChoiceField(
        choices=StatementFormat.choices, label=gettext_lazy("Kind of statement")
    )
    bank = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Bank (for a bank statement)"),
        help_text=gettext_lazy("The name its columns were set up under."),
    )
    file = forms.FileField(label=gettext_lazy("Statement file (CSV or XLSX)"))
    opening = AmountField(
        signed=True,
        required=False,
        label=gettext_lazy("Opening balance (only for a bill without balances)"),
    )


class MappingForm(forms.Form):
    bank = forms.CharField(max_length=100, label=gettext_lazy("Bank"))
    date = forms.CharField(max_length=100, label=gettext_lazy("Column of the date"))
    amount = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Column of a signed amount")
    )
    amount_in = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Column of money in (贷方)")
    )
    amount_out = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Column of money out (借方)")
    )
    balance = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Column of the balance")
    )
    reference = forms.CharField(
        max_length=100, label=gettext_lazy("Column of the transaction number")
    )
    counterparty = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Column of the other party")
    )
    memo = forms.CharField(max_length=100, required=False, label=gettext_lazy("Column of the memo"))


class DepositForm(forms.Form):
    amount = AmountField(min_value=0, label=gettext_lazy("Amount paid in"))
    deposited_on = forms.DateField(
        label=gettext_lazy("Paid in on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    slip_reference = forms.CharField(max_length=64, label=gettext_lazy("Deposit slip number"))
    note = forms.CharField(max_length=200, required=False, label=gettext_lazy("Note"))


def _month(text: str) -> dt.date:
    month = dates.parse_month(text)
    if month is None:
        raise Http404
    return month


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def overview(request, community: Community):
    current = dates.month_start(dates.today())
    months = [dates.add_months(current, -n) for n in range(MONTHS_SHOWN)]
    rows = []
    for code, name in selectors.statement_accounts(community):
        rows.append(
            {
                "code": code,
                "name": name,
                "months": [(m, selectors.report(community, code, m)) for m in months],
            }
        )
    cash = selectors.cash_on_hand_days(community)
    left = selectors.undeposited_cash(community)
    return render(
        request,
        "officer/reconcile.html",
        {
            "community": community,
            "roles": roles_in(request.user, community),
            "rows": rows,
            "months": months,
            "statements": community.statements.order_by("-imported_at")[:20],
            "deposits": community.deposits.select_related("recorded_by", "reviewed_by")[:50],
            "cash": cash[-1][1] if cash else 0,
            "undeposited": sum(fen for _i, fen in left),
            "oldest": left[0][0].date if left else None,
            "mappings": community.bank_mappings.order_by("bank"),
        },
    )


@community_role(Role.OFFICER)
def upload(request, community: Community):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        if upload.size > services.MAX_FILE:
            form.add_error("file", _("The file is larger than 20 MB."))
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "statement"
                with open(path, "wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                opening = data.get("opening")
                try:
                    result = services.statement_import(
                        community=community,
                        format=data["format"],
                        path=path,
                        user=request.user,
                        original_name=upload.name,
                        bank=data.get("bank") or "",
                        opening_fen=int(opening.scaleb(2)) if opening is not None else None,
                    )
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    messages.success(
                        request,
                        _("%(lines)d statement lines kept, %(skipped)d already kept before.")
                        % {"lines": result.lines, "skipped": result.skipped},
                    )
                    return redirect("officer:reconcile", code=community.code)
    return render(
        request,
        "officer/reconcile_upload.html",
        {
            "community": community,
            "form": form,
            "mappings": community.bank_mappings.order_by("bank"),
        },
    )


@community_role(Role.OFFICER)
def bank_mapping(request, community: Community):
    initial = None
    if bank := request.GET.get("bank"):
        found = BankMapping.objects.filter(community=community, bank=bank).first()
        if found:
            initial = {"bank": found.bank, **found.columns}
    form = MappingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.mapping_save(
                community=community, bank=data.pop("bank"), columns=data, user=request.user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The bank's columns are kept."))
            return redirect("officer:reconcile", code=community.code)
    return render(
        request,
        "officer/reconcile_bank.html",
        {"community": community, "form": form, "fields": formats.BANK_FIELDS},
    )


def _record_link(community: Community, line: StatementLine) -> str | None:
    """The income form filled in from an unexplained line of money in."""
    if line.amount_fen <= 0:
        return None
    refs = line.other_refs.split()
    query = {
        "amount": yuan(line.amount_fen),
        "method": METHOD_OF.get(line.account_code, "bank"),
        "paid_at": f"{line.date:%Y-%m-%d}T12:00",
        "external_ref": (refs[0] if refs else line.reference)[:64],
        "note": _("from statement line %(ref)s") % {"ref": line.reference[:40]},
    }
    return reverse("officer:record", args=[community.code]) + "?" + urlencode(query)


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def month(request, community: Community, account: str, month: str):
    if account not in selectors.STATEMENT_ACCOUNTS:
        raise Http404
    first = _month(month)
    report = selectors.report(community, account, first)
    end = dates.month_end(first)
    proposals = [
        p for p in selectors.proposals(community, account, through=end) if p.line.date >= first
    ]
    lines = {
        x.pk: x
        for x in StatementLine.objects.filter(
            pk__in=[e.line_id for e in report.statement_only if e.line_id and not e.in_transit]
            + [p.line.id for p in proposals]
        )
    }
    proposed = {p.line.id for p in proposals}
    unexplained_lines = [
        {
            "entry": e,
            "line": lines.get(e.line_id),
            "record": _record_link(community, lines[e.line_id]),
        }
        for e in report.statement_only
        if e.line_id in lines and e.line_id not in proposed and not e.in_transit
    ]
    return render(
        request,
        "officer/reconcile_month.html",
        {
            "community": community,
            "roles": roles_in(request.user, community),
            "report": report,
            "month": first,
            "previous": dates.previous_month(first),
            "next": dates.next_month(first),
            "proposals": [(p, lines[p.line.id]) for p in proposals],
            "unexplained_lines": unexplained_lines,
            "book_only": [e for e in report.book_only if not e.in_transit],
        },
    )


@require_POST
@community_role(Role.OFFICER)
def confirm(request, community: Community, account: str, month: str):
    _month(month)
    if request.POST.get("all_exact"):
        try:
            n = services.proposals_confirm(community=community, code=account, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(n)d exact matches confirmed.") % {"n": n})
        return redirect(
            "officer:reconcile-month", code=community.code, account=account, month=month
        )
    line = get_object_or_404(
        StatementLine, pk=request.POST.get("line") or 0, community=community, account_code=account
    )
    items = []
    for value in request.POST.getlist("item"):
        kind, _sep, pk = value.partition(":")
        if not pk.isdigit():
            raise Http404
        items.append((kind, int(pk)))
    try:
        services.match_confirm(
            community=community,
            line=line,
            items=items,
            user=request.user,
            method=request.POST.get("method", "manual"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Match confirmed."))
    return redirect("officer:reconcile-month", code=community.code, account=account, month=month)


@community_role(Role.OFFICER)
def deposit_new(request, community: Community):
    form = DepositForm(request.POST or None, initial={"deposited_on": dates.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.deposit_record(
                community=community,
                amount=Money(data["amount"], community.currency),
                deposited_on=data["deposited_on"],
                slip_reference=data["slip_reference"],
                note=data.get("note", ""),
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Recorded; it is posted once a reviewer approves it."))
            return redirect("officer:reconcile", code=community.code)
    return render(request, "officer/reconcile_deposit.html", {"community": community, "form": form})


@require_POST
@login_required
def deposit_decide(request, pk: int):
    deposit = get_object_or_404(
        CashDeposit.objects.select_related("community"),
        pk=pk,
        community__in=communities_for(request.user, Role.REVIEWER),
    )
    if deposit.status != DepositStatus.PENDING:
        messages.error(request, _("This deposit was already decided."))
        return redirect("officer:reconcile", code=deposit.community.code)
    try:
        if request.POST.get("decision") == "approve":
            services.deposit_approve(
                deposit=deposit, reviewer=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, _("Approved and posted."))
        else:
            services.deposit_reject(
                deposit=deposit, reviewer=request.user, reason=request.POST.get("note", "")
            )
            messages.success(request, _("Rejected."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    return redirect("officer:reconcile", code=deposit.community.code)

"""The auditor's view of reconciliation: each bank and platform account month by month,
and one month's 余额调节表 with every item between the books and the statement."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from fundmgr.access import communities_for
from fundmgr.lib import dates
from fundmgr.reconcile import selectors

MONTHS = 12


@login_required
def auditor_reconciliation(request, code: str):
    community = get_object_or_404(communities_for(request.user), code=code)
    current = dates.month_start(dates.today())
    chosen = request.GET.get("month")
    month = dates.parse_month(chosen) if chosen else dates.previous_month(current)
    if month is None:
        raise Http404
    account = request.GET.get("account", selectors.BANK_ACCOUNT)
    if account not in selectors.STATEMENT_ACCOUNTS:
        raise Http404
    months = [dates.add_months(current, -n) for n in range(MONTHS)]
    rows = [
        {"code": c, "name": n, "months": [(m, selectors.report(community, c, m)) for m in months]}
        for c, n in selectors.statement_accounts(community)
    ]
    return render(
        request,
        "auditor/reconciliation.html",
        {
            "community": community,
            "rows": rows,
            "months": months,
            "month": month,
            "report": selectors.report(community, account, month),
        },
    )

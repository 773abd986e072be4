"""The residents' side: no login, published facts only, no personal data."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control

from fundmgr import receipts
from fundmgr.capital import capital
from fundmgr.models import Income
from fundmgr.privacy import mask_name


def receipt_lookup(request):
    code = receipts.normalise(request.GET.get("code", ""))
    if code:
        return redirect("public-receipt", code=code)
    return render(request, "public/receipt_lookup.html",
                  {"query": request.GET.get("code", ""), "invalid": "code" in request.GET},
                  status=400 if "code" in request.GET else 200)


@cache_control(max_age=60, public=True)
def public_receipt(request, code: str):
    normalised = receipts.normalise(code)
    income = None
    if normalised:
        income = (Income.objects.select_related("community", "package__provider",
                                                "community__hub")
                  .filter(receipt_code=normalised).first())
    if income is None:
        return render(request, "public/receipt_unknown.html", {"code": code[:40]}, status=404)
    return render(request, "public/receipt.html", {
        "income": income, "payer": mask_name(income.payer),
        "capital": capital(income.amount.amount),
    })

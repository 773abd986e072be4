"""Income pages of the officer area: the workspace, recording, receipts, reviews,
reversals, the income list and file imports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from .. import selectors
from ..access import communities_for, community_role, roles_in
from ..imports import jobs
from ..lib import receipts
from ..lib.capital import capital
from ..lib.dates import today
from ..lib.money import parse_yuan
from ..lib.text import text_problem
from ..models import (
    Community,
    ImportJob,
    Income,
    IncomeStatus,
    PaymentMethod,
    Role,
    ServicePackage,
    Tier,
)
from ..services.income import income_approve, income_record, income_reject, income_reverse
from .forms import (
    ImportUploadForm,
    IncomeForm,
    ReasonForm,
    ReviewForm,
    add_service_error,
    adjustment_note,
)

SEARCH_MAX = 100  # a receipt code, a payment reference or a name: never longer


def _income_for(user, receipt: str) -> Income:
    code = receipts.normalise(receipt)
    if code is None:
        raise Http404
    return get_object_or_404(
        selectors.incomes_for(user).select_related(
            "policy",
            "entry",
            "reversal_entry",
            "reviewed_by",
            "reversed_by",
            "community__hub",
            "community__fund",
        ),
        receipt_code=code,
    )


def spaces_named_on(user):
    from ..spaces.models import AgreementPerson

    return AgreementPerson.objects.filter(user=user).select_related(
        "agreement__community", "agreement__space"
    )


@login_required
def dashboard(request):
    communities = list(communities_for(request.user))
    summaries = [selectors.community_summary(c, request.user) for c in communities]
    return render(
        request,
        "officer/dashboard.html",
        {
            "summaries": summaries,
            "reviews": selectors.review_queue(request.user).count(),
            "today": today(),
            # Operator staff and resident representatives named on a space agreement.
            "named_on": spaces_named_on(request.user),
        },
    )


def _prefill(request, community: Community) -> dict:
    """The form filled in from the link of an unexplained statement line (reconciliation):
    what the statement says, for the officer to check and complete."""
    initial = {
        k: request.GET[k][:64] for k in ("method", "paid_at", "external_ref") if k in request.GET
    }
    if "note" in request.GET:
        initial["note"] = request.GET["note"][:200]
    if "amount" in request.GET:
        initial["amount"] = [request.GET["amount"][:20], community.currency]
    return initial


@community_role(Role.OFFICER)
def record_income(request, community: Community):
    form = IncomeForm(
        request.POST or None, community=community, initial=_prefill(request, community)
    )
    if request.method == "POST" and form.is_valid():
        try:
            income, created = income_record(form.draft, recorded_by=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if not created:
                messages.info(
                    request, _("This payment reference was already recorded; here is its receipt.")
                )
            elif income.status == IncomeStatus.PENDING:
                messages.warning(
                    request,
                    _(
                        "Recorded. It is above the review threshold and "
                        "will be posted once a reviewer approves it."
                    ),
                )
            else:
                messages.success(request, _("Recorded and posted."))
            if created and form.adjustment and income.entry_id:
                messages.info(request, adjustment_note(*form.adjustment))
            return redirect("officer:receipt", receipt=income.receipt_code)
    packages = [
        {
            "id": p.pk,
            "prices": {t: str(p.price(t).amount) for t in p.tiers},
            "eligibility": p.low_cost_eligibility,
        }
        for p in form.fields["package"].queryset
    ]
    return render(
        request,
        "officer/record.html",
        {
            "community": community,
            "form": form,
            "packages": packages,
            "tier_labels": dict(Tier.choices),
        },
    )


@require_GET
@login_required
def capital_numerals(request):
    """大写 for the record form as the officer types; the Python function is the one
    implementation."""
    raw = (request.GET.get("amount") or "")[:40]
    try:
        words = capital(parse_yuan(raw))
    except ValueError:  # not an amount by the one rule: no words, as for an empty box
        words = ""
    return JsonResponse({"amount": raw, "capital": words})


@login_required
def receipt(request, receipt: str):
    income = _income_for(request.user, receipt)
    roles = roles_in(request.user, income.community)
    public_url = settings.SITE_URL + reverse("public-receipt", args=[income.receipt_code])
    lines = []
    if income.entry_id:
        lines = list(income.entry.lines.select_related("account").order_by("position"))
    return render(
        request,
        "officer/receipt.html",
        {
            "income": income,
            "community": income.community,
            "roles": roles,
            "capital": capital(income.amount.amount),
            "public_url": public_url,
            "qr_svg": receipts_qr(public_url),
            "lines": lines,
            "reverse_form": ReasonForm(),
            "review_form": ReviewForm(),
            "can_reverse": Role.OFFICER in roles and income.status == IncomeStatus.POSTED,
            "can_review": (
                Role.REVIEWER in roles
                and income.status == IncomeStatus.PENDING
                and income.recorded_by_id != request.user.pk
            ),
        },
    )


def receipts_qr(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@require_POST
@login_required
def reverse_income(request, receipt: str):
    income = _income_for(request.user, receipt)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        if "reason" in form.errors:
            messages.error(request, _("A reversal needs a reason."))
        else:
            messages.error(request, _("Tick the box to confirm the reversal."))
        return redirect("officer:receipt", receipt=income.receipt_code)
    try:
        income_reverse(income=income, actor=request.user, reason=form.cleaned_data["reason"])
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Reversed. The original entry stays on the books beside its reversal.")
        )
    return redirect("officer:receipt", receipt=income.receipt_code)


def _safe_next(request, default: str) -> str:
    """`next` from the form when it stays on this site, else `default` (issue 21: an
    invalid review with next=https://evil.example/ redirected there)."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
@login_required
def review_income(request, receipt: str):
    income = _income_for(request.user, receipt)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_safe_next(request, reverse("officer:reviews")))
    try:
        if form.cleaned_data["decision"] == "approve":
            income_approve(income=income, reviewer=request.user, note=form.cleaned_data["note"])
            messages.success(
                request, _("Approved and posted: %(receipt)s") % {"receipt": income.receipt_display}
            )
        else:
            income_reject(income=income, reviewer=request.user, reason=form.cleaned_data["note"])
            messages.success(
                request, _("Rejected: %(receipt)s") % {"receipt": income.receipt_display}
            )
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("officer:reviews")


@login_required
def reviews(request):
    from ..models import Disbursement

    queue = selectors.review_queue(request.user)
    waiting = (
        Disbursement.objects.filter(
            community__in=communities_for(request.user, Role.REVIEWER), status="pending"
        )
        .select_related("community", "requested_by")
        .annotate(evidence_count=Count("attachments"))
        .order_by("requested_at")
    )
    return render(
        request,
        "officer/reviews.html",
        {"incomes": queue[:200], "disbursements": waiting[:200], "form": ReviewForm()},
    )


@community_role(Role.OFFICER, Role.REVIEWER, Role.AUDITOR)
def income_list(request, community: Community):
    queryset = selectors.incomes_for(request.user).filter(community=community)
    status = 200
    problem = text_problem((request.GET.get("q") or "").strip(), max_length=SEARCH_MAX)
    if problem:
        # Refused, not searched (issue 21: a 100k-character q was "LIKE or GLOB pattern
        # too complex" on SQLite, a 500).
        messages.error(request, _("The search text %(problem)s.") % {"problem": problem})
        queryset, status = queryset.none(), 400
    else:
        queryset = selectors.search_incomes(queryset, request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "officer/incomes.html",
        {
            "community": community,
            "page": page,
            "query": query.urlencode(),
            "filters": request.GET,
            "statuses": IncomeStatus.choices,
            "tiers": Tier.choices,
            "methods": PaymentMethod.choices,
            "packages": ServicePackage.objects.filter(community=community).order_by("code"),
            "roles": roles_in(request.user, community),
        },
        status=status,
    )


@login_required
def import_upload(request):
    if not communities_for(request.user, Role.OFFICER).exists():
        raise PermissionDenied(_("Only finance officers import income."))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.job_create(user=request.user, upload=form.cleaned_data["file"])
        return redirect("officer:import-job", job_id=job.pk)
    jobs.fail_stuck()
    recent = ImportJob.objects.filter(created_by=request.user)[:10]
    return render(request, "officer/import.html", {"form": form, "jobs": recent})


def _job_for(request, job_id) -> ImportJob:
    return get_object_or_404(ImportJob, pk=job_id, created_by=request.user)


@login_required
def import_job(request, job_id):
    job = _job_for(request, job_id)
    if request.method == "POST":
        if request.POST.get("action") == "retry":
            jobs.job_retry(job=job, user=request.user)
        else:
            jobs.job_confirm(job=job, user=request.user)
        return redirect("officer:import-job", job_id=job.pk)
    return render(
        request,
        "officer/import_job.html",
        {
            "job": job,
            "progress": jobs.progress(job),
            "receipts": _job_receipts(job) if job.state == "done" else [],
        },
    )


RECEIPTS_LISTED = 500


def _job_receipts(job: ImportJob) -> list[Income]:
    """The receipts an import recorded (from its row report), to print them (issue 14)."""
    import csv
    import io

    if not job.report:
        return []
    codes: list[str] = []
    with job.report.open("rb") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")):
            code = receipts.normalise(row.get("receipt") or "")
            if row.get("status") == "recorded" and code:
                codes.append(code)
            if len(codes) >= RECEIPTS_LISTED:
                break
    found = {
        i.receipt_code: i
        for i in Income.objects.filter(
            receipt_code__in=codes, community__in=communities_for(job.created_by, Role.OFFICER)
        ).select_related("package")
    }
    return [found[c] for c in codes if c in found]


@login_required
def import_job_status(request, job_id):
    job = _job_for(request, job_id)
    return JsonResponse(jobs.progress(job))


@login_required
def import_job_report(request, job_id):
    job = _job_for(request, job_id)
    if not job.report:
        raise Http404
    response = StreamingHttpResponse(_report_lines(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="import-report-{job.created_at:%Y%m%d-%H%M}.csv"'
    )
    return response


def _report_headers() -> dict[str, str]:
    return {
        "row": _("Row"),
        "external_ref": _("Transaction number"),
        "status": _("Status"),
        "receipt": _("Receipt"),
        "provider": _("Provider share"),
        "hub": _("Hub share"),
        "fund": _("Fund share"),
        "message": _("Note"),
    }


def _report_statuses() -> dict[str, str]:
    return {
        "recorded": pgettext("import report status", "recorded"),
        "skipped": pgettext("import report status", "not recorded"),
        "error": pgettext("import report status", "error"),
    }


def _report_lines(job: ImportJob):
    """The row report in the reader's language: headers and statuses translated (issue
    14); the stored file keeps its machine words. Streamed a line at a time."""
    import csv
    import io

    headers, statuses = _report_headers(), _report_statuses()
    out = io.StringIO()
    writer = csv.writer(out)
    with job.report.open("rb") as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        yield "\ufeff"  # a BOM: Excel reads the file as UTF-8
        for n, row in enumerate(reader):
            if n == 0:
                row = [headers.get(c, c) for c in row]
            elif len(row) > 2:
                row[2] = statuses.get(row[2], row[2])
            writer.writerow(row)
            yield out.getvalue()
            out.seek(0)
            out.truncate()


@login_required
@require_GET
def import_template(request, fmt: str):
    """An empty file with the importer's Chinese column names, to fill in (issue 14)."""
    from ..imports.files import COLUMNS

    if not communities_for(request.user, Role.OFFICER).exists():
        raise PermissionDenied(_("Only finance officers import income."))
    header = [names[1] for names in COLUMNS.values()]
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        out.write("\ufeff")
        csv.writer(out).writerows([header])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="income-import-template.csv"'
        return response
    if fmt == "xlsx":
        import io

        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = _("Income")
        sheet.append(header)
        for i, name in enumerate(header, start=1):
            sheet.cell(row=1, column=i).font = sheet.cell(row=1, column=i).font.copy(bold=True)
            sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = max(
                10, 3 * len(name)
            )
        buf = io.BytesIO()
        book.save(buf)
        response = HttpResponse(
            buf.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="income-import-template.xlsx"'
        return response
    raise Http404

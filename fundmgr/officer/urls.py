"""The officer area's routes. fundmgr.conf.urls mounts them at /officer/ with the
periods and queries pages of reports.officer, all under the `officer:` namespace."""

from django.urls import path

from . import income, payouts

urlpatterns = [
    path("", income.dashboard, name="dashboard"),
    path("reviews/", income.reviews, name="reviews"),
    path("capital/", income.capital_numerals, name="capital"),
    path("import/", income.import_upload, name="import"),
    path("import/<uuid:job_id>/", income.import_job, name="import-job"),
    path("import/<uuid:job_id>/status.json", income.import_job_status, name="import-status"),
    path("import/<uuid:job_id>/report.csv", income.import_job_report, name="import-report"),
    path("receipts/<str:receipt>/", income.receipt, name="receipt"),
    path("receipts/<str:receipt>/reverse/", income.reverse_income, name="reverse"),
    path("receipts/<str:receipt>/review/", income.review_income, name="review"),
    path("c/<str:code>/incomes/", income.income_list, name="incomes"),
    path("c/<str:code>/incomes/new/", income.record_income, name="record"),
    path("c/<str:code>/payouts/", payouts.payout_list, name="payouts"),
    path("c/<str:code>/settlements/new/", payouts.settlement_new, name="settlement-new"),
    path("c/<str:code>/disbursements/new/", payouts.disbursement_new, name="disbursement-new"),
    path("disbursements/<int:pk>/", payouts.disbursement_detail, name="disbursement"),
    path("disbursements/<int:pk>/decide/", payouts.disbursement_decide, name="disbursement-decide"),
    path("attachments/<int:pk>/", payouts.attachment_download, name="attachment"),
]

from django.urls import path

from . import payout_views, views

app_name = "officer"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reviews/", views.reviews, name="reviews"),
    path("capital/", views.capital_numerals, name="capital"),
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:job_id>/", views.import_job, name="import-job"),
    path("import/<uuid:job_id>/status.json", views.import_job_status, name="import-status"),
    path("import/<uuid:job_id>/report.csv", views.import_job_report, name="import-report"),
    path("receipts/<str:receipt>/", views.receipt, name="receipt"),
    path("receipts/<str:receipt>/reverse/", views.reverse_income, name="reverse"),
    path("receipts/<str:receipt>/review/", views.review_income, name="review"),
    path("c/<str:code>/incomes/", views.income_list, name="incomes"),
    path("c/<str:code>/incomes/new/", views.record_income, name="record"),
    path("c/<str:code>/payouts/", payout_views.payout_list, name="payouts"),
    path("c/<str:code>/settlements/new/", payout_views.settlement_new, name="settlement-new"),
    path("c/<str:code>/disbursements/new/", payout_views.disbursement_new,
         name="disbursement-new"),
    path("disbursements/<int:pk>/", payout_views.disbursement_detail, name="disbursement"),
    path("disbursements/<int:pk>/decide/", payout_views.disbursement_decide,
         name="disbursement-decide"),
    path("attachments/<int:pk>/", payout_views.attachment_download, name="attachment"),
]

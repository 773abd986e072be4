from django.urls import path

from . import views

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
]

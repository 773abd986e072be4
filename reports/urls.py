from django.urls import path, re_path

from . import api, views

urlpatterns = [
    path("r/", views.receipt_lookup, name="public-receipt-lookup"),
    path("r/<str:code>/", views.public_receipt, name="public-receipt"),
    path("c/<str:code>/", views.community_page, name="public-community"),
    path("c/<str:code>/<str:month>/", views.month_page, name="public-month"),
    path("c/<str:code>/<str:month>/query/", views.ask_query, name="public-query"),
    path("auditor/", views.auditor_home, name="auditor-home"),
    path("auditor/<str:code>/verify/", views.auditor_verify, name="auditor-verify"),
    path("auditor/<str:code>/statements/", views.auditor_statements, name="auditor-statements"),
    path("auditor/files/<int:pk>/", views.auditor_statement_file, name="auditor-statement-file"),
    path("officer/queries/", views.officer_queries, name="officer-queries"),
    path("officer/periods/", views.officer_periods, name="officer-periods"),
    path("officer/periods/<str:code>/<str:month>/<str:action>/", views.officer_period_action,
         name="officer-period-action"),
    path("officer/queries/<int:pk>/answer/", views.answer_query, name="officer-answer"),
    path("api/v1/communities/", api.communities, name="api-communities"),
    path("api/v1/communities/<str:code>/", api.community, name="api-community"),
    path("api/v1/communities/<str:code>/periods/", api.periods, name="api-periods"),
    path("api/v1/communities/<str:code>/periods/<str:month>/", api.period, name="api-period"),
    path("api/v1/communities/<str:code>/periods/<str:month>/fdp.zip", api.fiscal_data_package,
         name="api-fdp"),
    path("api/v1/communities/<str:code>/heads/", api.heads, name="api-heads"),
    path("api/v1/communities/<str:code>/consistency/", api.consistency, name="api-consistency"),
    path("api/v1/receipts/<str:code>/", api.receipt, name="api-receipt"),
    path("api/v1/public-key/", api.public_key, name="api-public-key"),
    re_path(r"^api/(?P<rest>.*)$", api.not_found),
]

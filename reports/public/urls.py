"""The residents' side's routes: the public site and the open-data API, no login."""

from django.urls import path, re_path

from . import api, inflows, openapi, projects, spaces, views, votes

urlpatterns = [
    path("r/", views.receipt_lookup, name="public-receipt-lookup"),
    path("r/<str:code>/", views.public_receipt, name="public-receipt"),
    path("v/", votes.vote_page, name="public-vote"),
    path("v/<int:pk>/", votes.vote_cast, name="public-vote-cast"),
    path("c/<str:code>/", views.community_page, name="public-community"),
    # Before the month page's route: "space" and "decision" are not months.
    path("c/<str:code>/space/<str:number>/", spaces.agreement_page, name="public-space"),
    path("c/<str:code>/decision/<int:pk>/", spaces.decision_page, name="public-decision"),
    path("c/<str:code>/fund/", inflows.fund_page, name="public-fund"),
    path("c/<str:code>/fund/<str:fund>/", inflows.named_fund_page, name="public-named-fund"),
    # A contract number may hold a slash (GM-2026/03): a path, not a segment.
    path("c/<str:code>/contract/<path:number>/", inflows.contract_page, name="public-contract"),
    path("d/<str:code>/", inflows.donation_receipt, name="public-donation"),
    path("c/<str:code>/projects/", projects.projects_page, name="public-projects"),
    path("c/<str:code>/project/<int:number>/", projects.project_page, name="public-project"),
    path("c/<str:code>/<str:month>/", views.month_page, name="public-month"),
    path("c/<str:code>/<str:month>/query/", views.month_queries, name="public-query"),
    path("api/v1/communities/", api.communities, name="api-communities"),
    path("api/v1/communities/<str:code>/", api.community, name="api-community"),
    path("api/v1/communities/<str:code>/periods/", api.periods, name="api-periods"),
    path("api/v1/communities/<str:code>/periods/<str:month>/", api.period, name="api-period"),
    path(
        "api/v1/communities/<str:code>/periods/<str:month>/fdp.zip",
        api.fiscal_data_package,
        name="api-fdp",
    ),
    path("api/v1/communities/<str:code>/spaces/", spaces.api_spaces, name="api-spaces"),
    path("api/v1/communities/<str:code>/decisions/", spaces.api_decisions, name="api-decisions"),
    path("api/v1/communities/<str:code>/inflows/", inflows.api_inflows, name="api-inflows"),
    path("api/v1/communities/<str:code>/projects/", projects.api_projects, name="api-projects"),
    path("api/v1/communities/<str:code>/heads/", api.heads, name="api-heads"),
    path("api/v1/communities/<str:code>/consistency/", api.consistency, name="api-consistency"),
    path("api/v1/receipts/<str:code>/", api.receipt, name="api-receipt"),
    path("api/v1/public-key/", api.public_key, name="api-public-key"),
    path("api/v1/openapi.json", openapi.openapi, name="api-openapi"),
    re_path(r"^api/(?P<rest>.*)$", api.not_found),
]

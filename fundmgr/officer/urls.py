"""The officer area's routes. fundmgr.conf.urls mounts them at /officer/ with the
periods and queries pages of reports.officer, all under the `officer:` namespace."""

from django.urls import path

from ..decisions import officer as decisions
from ..inflows import officer as inflows
from ..inflows import officer_contracts as contracts
from ..inflows import officer_markets as markets
from ..projects import officer as projects
from ..spaces import officer as spaces
from . import income, payouts

urlpatterns = [
    path("", income.dashboard, name="dashboard"),
    path("reviews/", income.reviews, name="reviews"),
    path("capital/", income.capital_numerals, name="capital"),
    path("import/", income.import_upload, name="import"),
    path("import/template.<str:fmt>", income.import_template, name="import-template"),
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
    # Donations, restricted funds, markets, contracts (fundmgr/inflows).
    path("c/<str:code>/inflows/", inflows.inflow_list, name="inflows"),
    path("c/<str:code>/donations/new/", inflows.donation_new, name="donation-new"),
    path("c/<str:code>/funds/new/", inflows.fund_new, name="fund-new"),
    path("c/<str:code>/spendings/new/", inflows.spending_new, name="spending-new"),
    path("c/<str:code>/donations/<int:pk>/", inflows.donation_detail, name="donation"),
    path(
        "c/<str:code>/donations/<int:pk>/approve/",
        inflows.donation_approve,
        name="donation-approve",
    ),
    path(
        "c/<str:code>/spendings/<int:pk>/approve/",
        inflows.spending_approve,
        name="spending-approve",
    ),
    path("c/<str:code>/markets/new/", markets.market_new, name="market-new"),
    path("c/<str:code>/markets/<int:pk>/", markets.market_detail, name="market"),
    path("c/<str:code>/markets/<int:pk>/count/", markets.market_count, name="market-count"),
    path("c/<str:code>/markets/<int:pk>/post/", markets.market_post, name="market-post"),
    path("c/<str:code>/contracts/new/", contracts.contract_new, name="contract-new"),
    path("c/<str:code>/contracts/<int:pk>/", contracts.contract_detail, name="contract"),
    path("c/<str:code>/contracts/<int:pk>/extend/", contracts.line_extend, name="contract-extend"),
    path(
        "c/<str:code>/contracts/<int:pk>/deliveries/",
        contracts.delivery_new,
        name="contract-deliver",
    ),
    # Spaces let for services and the decisions behind them (fundmgr/spaces, decisions).
    path("c/<str:code>/spaces/", spaces.space_list, name="spaces"),
    path("c/<str:code>/spaces/new/", spaces.space_new, name="space-new"),
    path("c/<str:code>/agreements/new/", spaces.agreement_new, name="agreement-new"),
    path("c/<str:code>/agreements/<str:number>/", spaces.agreement_detail, name="agreement"),
    path(
        "c/<str:code>/agreements/<str:number>/deliveries/",
        spaces.delivery_new,
        name="delivery-new",
    ),
    path(
        "c/<str:code>/agreements/<str:number>/deliveries/<int:pk>/confirm/",
        spaces.delivery_confirm,
        name="delivery-confirm",
    ),
    path("c/<str:code>/agreements/<str:number>/rent/", spaces.rent_new, name="rent-new"),
    path("c/<str:code>/agreements/<str:number>/people/", spaces.person_new, name="person-new"),
    path("c/<str:code>/agreements/<str:number>/income/", spaces.income_link, name="income-link"),
    path("c/<str:code>/meetings/new/", decisions.meeting_new, name="meeting-new"),
    path("c/<str:code>/meetings/<int:pk>/", decisions.meeting_detail, name="meeting"),
    path(
        "c/<str:code>/meetings/<int:pk>/items/<int:item>/review/",
        decisions.prior_review_new,
        name="prior-review",
    ),
    path(
        "c/<str:code>/meetings/<int:pk>/items/<int:item>/tally/",
        decisions.tally_new,
        name="tally",
    ),
    # Residents' proposals, projects and the annual plan (fundmgr/projects, #19).
    path("c/<str:code>/projects/", projects.project_list, name="projects"),
    path("c/<str:code>/projects/new/", projects.project_new, name="project-new"),
    path("c/<str:code>/projects/<int:number>/", projects.project_detail, name="project"),
    path(
        "c/<str:code>/projects/<int:number>/<slug:action>/",
        projects.project_action,
        name="project-action",
    ),
    path("c/<str:code>/proposals/new/", projects.proposal_new, name="proposal-new"),
    path(
        "c/<str:code>/proposals/<int:pk>/moderate/",
        projects.proposal_moderate,
        name="proposal-moderate",
    ),
    path("c/<str:code>/plan/", projects.plan_page, name="plan"),
]

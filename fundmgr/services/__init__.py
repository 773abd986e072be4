"""Business actions of the allocator, one module per subject, each named
`<entity>_<verb>` (HackSoft's styleguide; Zulip's zerver/actions):

    setup     community_create, package_create, policy_create, membership_grant
    drafts    IncomeDraft, draft_validate, income_build: what a payment says, checked
    posting   incomes_post, incomes_save, accounting_date: an income's journal entry
    income    income_record, income_approve, income_reject, income_reverse
    payouts   settlement_record, disbursement_request / _approve / _committee / _reject

Each action is one transaction posting to the ledger through ledger.services. Views,
commands, admin actions and tasks call these; they never write the models directly.
Refusals are django ValidationErrors keyed by field (or by "__all__"), in the active
language, so a form shows them beside the field and a command prints them by row.
"""

"""The officer area (/officer/): finance officers record, reviewers review, and anyone
with a role reads. Every page needs a login and a role in the community it shows; a
community the user has no role in does not exist for them (404).

    income    the workspace, recording, receipts, reviews, reversals, the income list
              and file imports
    payouts   settlements and fund disbursements
    forms     the forms of both
    urls      their routes; fundmgr.conf.urls adds the periods and queries pages of
              reports.officer under the same `officer:` namespace
"""

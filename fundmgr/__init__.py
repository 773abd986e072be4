"""The allocator's domain: communities, parties, packages, policies, income, payouts.

The Django project layer (settings, URLs, Celery, WSGI) is fundmgr.conf, on top of every
app; nothing here imports it."""

"""Periods and their published disclosures, and everything read from them: the public
site and open-data API (public/), the officer area's periods and queries pages
(officer.py), the auditor area with its statements (auditor/), red flags (redflags/).
Its services live in services.py. It may import fundmgr and ledger; neither imports it
(only the project layer, fundmgr.conf, does)."""

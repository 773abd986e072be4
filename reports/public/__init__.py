"""The residents' side: no login, published facts only, no personal data.

views  the public site: communities, published months, queries, receipts
api    the open-data API (JSON, CSV, Fiscal Data Packages)
cache  responses of published months, made once and kept
urls   their routes
"""

"""A generic double-entry ledger: append-only, balanced, hash-chained per book.

It knows nothing of communities, incomes or users; callers name accounts and actors.
"""

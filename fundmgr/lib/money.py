"""Money as the ledger keeps it (integer fen) and as every document prints it."""

from __future__ import annotations

from decimal import Decimal


def yuan(fen: int) -> str:
    """Fen as yuan with two places, the one way documents, messages and files print an
    amount: 123456 -> '1234.56', -5 -> '-0.05'."""
    return f"{Decimal(fen).scaleb(-2):.2f}"


def from_fen(fen: int) -> Decimal:
    """Fen as a Decimal of yuan (two places): 7 -> Decimal('0.07')."""
    return Decimal(fen).scaleb(-2)


def fen(value: str | Decimal) -> int:
    """Yuan with at most two places as fen: '1234.56' -> 123456, Decimal('-0.05') -> -5.
    Documents keep amounts as such strings; sums over them are made in fen."""
    return int(Decimal(value).scaleb(2))

"""Filters of the reconciliation pages: sums of report entries (in fen, printed by
money's |yuan like every amount) and the words for an item's kind and how a match was
found."""

from django import template
from django.utils.translation import gettext_lazy as _

from ..models import ItemKind

register = template.Library()
METHODS = {
    "exact": _("same reference and amount"),
    "amount_date": _("same amount, near date"),
    "group": _("one line for several sales"),
    "manual": _("chosen by the officer"),
}


@register.filter
def total_fen(entries) -> int:
    return sum(e.amount_fen for e in entries)


@register.filter
def abs_total_fen(entries) -> int:
    return sum(abs(e.amount_fen) for e in entries)


@register.filter
def item_kind(kind: str) -> str:
    return str(ItemKind(kind).label) if kind in ItemKind.values else kind


@register.filter
def method_label(method: str) -> str:
    return str(METHODS.get(method, method))

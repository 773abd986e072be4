"""`{{ text|public_text }}`: free text on a public page with any phone, ID or bank card
number (and the name it belongs to) masked - the last line of defence for text entered
before it was screened (fundmgr.lib.privacy)."""

from django import template

from fundmgr.lib.privacy import mask

register = template.Library()


@register.filter
def public_text(value) -> str:
    return mask(str(value or ""))

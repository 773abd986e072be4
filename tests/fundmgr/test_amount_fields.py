"""Every amount a person types on any form is read by the one amount reader
(fundmgr.lib.money.parse_yuan, through AmountField): Django's own DecimalField reads '1E3'
as 1000 and '１２３' as 123, which the importer and the other forms refuse."""

import importlib
import pkgutil

import pytest
from django import forms

import fundmgr
import reports
from fundmgr.officer.forms import AmountField

NOT_MONEY = {("SpaceForm", "area_m2")}  # square metres, not yuan


def _import_everything() -> None:
    for package in (fundmgr, reports):
        for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in found.name:
                importlib.import_module(found.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.mark.django_db
def test_no_form_reads_an_amount_with_a_bare_decimal_field():
    _import_everything()
    ours = [
        form
        for form in set(_subclasses(forms.BaseForm))
        if form.__module__.startswith(("fundmgr.", "reports."))
    ]
    assert len(ours) > 20  # the walk found the product's forms
    bare = []
    for form in ours:
        fields = dict(form.base_fields)
        try:
            fields |= form().fields  # the fields made in __init__ too (meeting items)
        except TypeError:
            pass  # a form that needs its community to be made
        for name, field in fields.items():
            if (
                isinstance(field, forms.DecimalField)
                and not isinstance(field, AmountField)
                and (form.__name__, name) not in NOT_MONEY
            ):
                bare.append(f"{form.__module__}.{form.__name__}.{name}")
    assert not bare, bare


@pytest.mark.parametrize("typed", ["1E3", "1_000", "１２３", "١٢٣", "0.1e1", "12.345"])
def test_the_donation_and_rent_forms_refuse_what_the_importer_refuses(typed):
    from fundmgr.inflows.officer import DonationForm
    from fundmgr.spaces.officer import RentForm

    for form in (DonationForm(data={"amount": typed}), RentForm(data={"amount": typed})):
        assert "amount" in form.errors, (type(form).__name__, typed)

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
        if issubclass(form, forms.ModelForm):
            continue  # the admin makes these with its own fields: checked below
        bare += [f"{form.__module__}.{form.__name__}.{n}" for n in _bare(form.__name__, fields)]
    assert not bare, bare


def _bare(form_name: str, fields: dict) -> list[str]:
    """The fields (and parts of an amount-and-currency field) read by a bare DecimalField."""
    found = []
    for name, field in fields.items():
        parts = field.fields if isinstance(field, forms.MultiValueField) else (field,)
        for part in parts:
            if (
                isinstance(part, forms.DecimalField)
                and not isinstance(part, AmountField)
                and (form_name, name) not in NOT_MONEY
            ):
                found.append(name)
    return found


@pytest.mark.django_db
def test_no_admin_form_reads_an_amount_with_a_bare_decimal_field(rf, admin_user):
    from django.contrib import admin

    _import_everything()
    request = rf.get("/admin/")
    request.user = admin_user
    bare = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith(("fundmgr.", "reports.", "ledger.")):
            continue
        if not (
            model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        ):
            continue  # read-only (the ledger's incomes): nothing is typed there
        form = model_admin.get_form(request)
        bare += [f"{model.__name__}.{n}" for n in _bare(model.__name__, form.base_fields)]
    assert not bare, bare


@pytest.mark.parametrize("typed", ["1E3", "1_000", "１２３", "١٢٣", "0.1e1", "12.345"])
def test_the_donation_and_rent_forms_refuse_what_the_importer_refuses(typed):
    from fundmgr.inflows.officer import DonationForm
    from fundmgr.spaces.officer import RentForm

    for form in (DonationForm(data={"amount": typed}), RentForm(data={"amount": typed})):
        assert "amount" in form.errors, (type(form).__name__, typed)

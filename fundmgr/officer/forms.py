from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from djmoney.forms.fields import MoneyField
from djmoney.models.fields import MoneyField as MoneyModelField

from ..lib.dates import local_date
from ..lib.money import AmountError, parse_yuan
from ..lib.text import text_problem
from ..models import Community, PaymentMethod, ServicePackage, Tier
from ..services.drafts import IncomeDraft, draft_validate
from ..services.posting import accounting_date

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class TextField(forms.CharField):
    """Free text with the one rule of fundmgr.lib.text: a maximum length (required) and
    no control characters (line breaks only when `multiline`)."""

    def __init__(self, *, max_length: int, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(max_length=max_length, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value:
            problem = text_problem(value, max_length=self.max_length, multiline=self.multiline)
            if problem:
                raise ValidationError(_("This text %(problem)s.") % {"problem": problem})


class AmountField(forms.DecimalField):
    """An amount typed by a person, read by the one reader of amounts
    (fundmgr.lib.money.parse_yuan): '1_000', '1E3', '0.1e1', '１２３' and '١٢٣' are
    refused here exactly as the importer refuses them."""

    def __init__(self, *, signed: bool = False, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        self.signed = signed  # a balance may be below zero; an amount paid may not
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            value = str(value)
        try:
            return parse_yuan(value, signed=self.signed)
        except AmountError as exc:
            raise ValidationError(str(exc), code="invalid") from exc


class AmountMoneyField(MoneyField):
    """djmoney's amount-and-currency field with its amount read by AmountField."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        decimal = self.fields[0]
        amount = AmountField(
            label=kwargs.get("label"),
            max_digits=decimal.max_digits,
            decimal_places=decimal.decimal_places,
            min_value=kwargs.get("min_value"),
            max_value=kwargs.get("max_value"),
        )
        amount.required = False  # as MultiValueField sets its parts: it checks itself
        self.fields = (amount, self.fields[1])


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown on a form: beside its field when the form has
    one by that name, at the top otherwise."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


CONFIRM_ADJUSTMENT = "book_as_adjustment"


def confirm_adjustment(form: forms.Form, community: Community, on: dt.date | None) -> None:
    """A payment dated inside a closed month is booked on the first open day as an
    adjustment to that month (DESIGN 4.4). The officer is told so, and confirms it, before
    anything is written: the form shows a box to tick and refuses until it is ticked."""
    form.adjustment = None
    if on is None:
        return
    booked = accounting_date(community, on)
    if booked == on:
        return
    form.adjustment = (on, booked)
    # The box carries the day it confirms: if the first open day moved since the form was
    # shown (another month closed meanwhile), the officer is asked again.
    form.fields[CONFIRM_ADJUSTMENT] = forms.BooleanField(
        required=False,
        label=_("Book it as an adjustment"),
        widget=forms.CheckboxInput(attrs={"value": booked.isoformat()}),
    )
    if form.data.get(CONFIRM_ADJUSTMENT) == booked.isoformat():
        return
    form.add_error(
        CONFIRM_ADJUSTMENT,
        _(
            "%(date)s is in %(month)s, which is already closed. It will be booked on "
            "%(booked)s as an adjustment to %(month)s. Tick the box and submit again to "
            "confirm."
        )
        % {"date": on.isoformat(), "month": on.strftime("%Y-%m"), "booked": booked.isoformat()},
    )


def adjustment_note(on: dt.date, booked: dt.date) -> str:
    return _("Booked on %(booked)s as an adjustment to %(month)s (paid %(date)s).") % {
        "booked": booked.isoformat(),
        "month": on.strftime("%Y-%m"),
        "date": on.isoformat(),
    }


class IncomeForm(forms.Form):
    package = forms.ModelChoiceField(
        queryset=ServicePackage.objects.none(), label=_("Service package")
    )
    tier = forms.ChoiceField(choices=Tier.choices, label=_("Tier"))
    quantity = forms.IntegerField(min_value=1, max_value=100_000, initial=1, label=_("Quantity"))
    amount = AmountMoneyField(max_digits=14, decimal_places=2, label=_("Amount received"))
    paid_at = forms.DateTimeField(
        label=_("Paid at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    method = forms.ChoiceField(choices=PaymentMethod.choices, label=_("Payment method"))
    payer = TextField(
        max_length=100,
        required=False,
        label=_("Payer"),
        help_text=_("Kept private; residents see it masked, e.g. 张*."),
    )
    external_ref = TextField(
        max_length=64,
        required=False,
        label=_("Payment reference (流水号)"),
        help_text=_(
            "The WeChat/Alipay/bank transaction number; recording the same one twice is refused."
        ),
    )
    note = TextField(max_length=200, required=False, label=_("Note"))
    price_note = TextField(
        max_length=200,
        required=False,
        label=_("Reason for a price below the list"),
        help_text=_("Needed only when less than the package's listed price was taken."),
    )
    contract_line = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Purchase contract line"),
        help_text=_("A 公益 income names the government contract line it is paid under."),
    )

    def __init__(self, *args, community: Community, **kwargs):
        from ..inflows.models import ContractLine

        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["contract_line"].queryset = ContractLine.objects.filter(
            contract__community=community
        ).select_related("contract", "package")
        self.fields["package"].queryset = (
            ServicePackage.objects.filter(community=community, active=True)
            .select_related("provider")
            .order_by("code")
        )
        amount = self.fields["amount"]
        amount.fields[1].choices = [(community.currency, community.currency)]
        amount.widget.widgets[1].choices = [(community.currency, community.currency)]
        amount.fields[1].initial = community.currency
        # The community's one currency is implied: no lone selector (issue 14).
        amount.widget.widgets[1] = forms.HiddenInput()
        self.initial.setdefault("paid_at", timezone.localtime().replace(second=0, microsecond=0))
        self.initial.setdefault("amount", [None, community.currency])
        self.draft: IncomeDraft | None = None

    def clean(self):
        """The service's own checks, so the form and an import refuse the same
        things. They run even when a field is missing, so every problem shows at once;
        a field that already has an error gets no second one."""
        data = super().clean()
        draft = IncomeDraft(
            community=self.community,
            package=data.get("package"),
            tier=data.get("tier", ""),
            amount=data.get("amount"),
            paid_at=data.get("paid_at"),
            method=data.get("method", ""),
            payer=data.get("payer", ""),
            external_ref=(data.get("external_ref") or "").strip() or None,
            quantity=data.get("quantity") or 1,
            note=data.get("note", ""),
            contract_line=data.get("contract_line"),
            price_note=data.get("price_note", ""),
        )
        problems = draft_validate(draft)
        self._check_below_list(data)
        for name, messages in problems.items():
            target = {"currency": "amount"}.get(name, name)
            if target in self.errors:
                continue
            for message in messages:
                self.add_error(target if target in self.fields else None, message)
        self.draft = draft
        if not problems and data.get("paid_at"):
            confirm_adjustment(self, self.community, local_date(data["paid_at"]))
        return data

    def _check_below_list(self, data) -> None:
        """Less than the listed price for the tier and quantity needs a written reason,
        kept with the income and shown on its receipt (issue 14)."""
        package, amount = data.get("package"), data.get("amount")
        if package is None or amount is None or "price_note" in self.errors:
            return
        listed = package.price(data.get("tier", ""))
        if listed is None:
            return
        expected = listed.amount * (data.get("quantity") or 1)
        if amount.amount < expected and not (data.get("price_note") or "").strip():
            self.add_error(
                "price_note",
                _(
                    "%(amount)s is less than the listed price %(listed)s: say why "
                    "(for example a discount the residents' committee agreed)."
                )
                % {"amount": f"¥{amount.amount:,.2f}", "listed": f"¥{expected:,.2f}"},
            )


class ReasonForm(forms.Form):
    reason = TextField(
        max_length=500, label=_("Reason"), widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    # A reversal cannot be undone: one deliberate tick, checked by the server too.
    confirm = forms.BooleanField(
        label=_("I have checked it: reverse this income (this cannot be undone)"),
        error_messages={"required": _("Tick the box to confirm the reversal.")},
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = TextField(max_length=500, required=False, label=_("Note or reason"))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("A rejection needs a reason."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Income file (CSV or XLSX)"),
        help_text=_(
            "Columns: community, package, tier, amount, paid_at, "
            "payer, method, external_ref (English or Chinese)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 50 MB; split it."))
        return upload


def decision_choices(community: Community | None) -> list[tuple]:
    """The passed decision items of a community, newest meeting first: what a payment
    from the collective-decision limit (三重一大) cites."""
    from ..decisions.selectors import passed_items

    items = passed_items(community) if community else []
    return [("", "—")] + [
        (i.pk, f"{i.meeting.held_on.isoformat()} {i.meeting.reference} 第{i.number}项 {i.title}")
        for i in items
    ]


def decision_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_("Decision (三重一大)"),
        help_text=_("Needed from the community's collective-decision limit."),
    )


class SettlementForm(forms.Form):
    party = forms.ChoiceField(label=_("Pay"))
    amount = AmountField(label=_("Amount"))
    method = forms.ChoiceField(
        choices=PaymentMethod.choices, initial=PaymentMethod.BANK, label=_("Payment method")
    )
    bank_reference = TextField(max_length=64, label=_("Bank reference"))
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = TextField(max_length=200, required=False, label=_("Note"))
    decision = decision_field()

    def __init__(self, *args, parties, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = parties
        self.fields["decision"].choices = decision_choices(community)
        self.community = community
        self.adjustment = None

    def clean(self):
        data = super().clean()
        if not self.errors:
            confirm_adjustment(self, self.community, data.get("paid_on"))
        return data


class DisbursementForm(forms.Form):
    payee = TextField(max_length=100, label=_("Payee"))
    payee_is_person = forms.BooleanField(required=False, label=_("The payee is a private person"))
    payee_account = TextField(
        max_length=64, required=False, label=_("Payee bank account (kept private)")
    )
    purpose = TextField(max_length=300, label=_("Purpose"))
    category = forms.ChoiceField(label=_("Category"))
    amount = AmountField(label=_("Amount"))
    method = forms.ChoiceField(
        choices=PaymentMethod.choices, initial=PaymentMethod.BANK, label=_("Payment method")
    )
    invoice_number = TextField(max_length=64, required=False, label=_("Invoice number"))
    invoice_date = forms.DateField(
        required=False, label=_("Invoice date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    invoice = forms.FileField(required=False, label=_("Invoice (PDF, JPG or PNG)"))
    receipt = forms.FileField(required=False, label=_("Receipt (PDF, JPG or PNG)"))
    minutes = forms.FileField(required=False, label=_("Minutes (PDF, JPG or PNG)"))
    # The decision item (三重一大) from the collective-decision limit; its meeting keeps
    # the minutes' SHA-256.
    decision = decision_field()
    # The decided project whose earmark pays it (fundmgr/projects, #19).
    project = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=_("Project")
    )
    final = forms.BooleanField(required=False, label=_("Final payment (after acceptance)"))
    emergency_reason = forms.CharField(
        max_length=300, required=False, label=_("Emergency: why no project (if none)")
    )

    def __init__(self, *args, community=None, **kwargs):
        from ..models import DisbursementCategory
        from ..projects.models import PAYABLE, Project

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = DisbursementCategory.choices
        payable = (
            Project.objects.filter(community=community, status__in=PAYABLE) if community else []
        )
        self.fields["project"].choices = [("", "—")] + [
            (p.pk, f"{p.number}. {p.title}") for p in payable
        ]
        self.fields["decision"].choices = decision_choices(community)


class CommitteeForm(forms.Form):
    """A reviewer pays a collective decision: the request's decision item, or for a
    request made before requests cited one, the item named here. The votes are the
    item's, never typed again."""

    decision = decision_field()

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = decision_choices(community)


class AmountAdmin(admin.ModelAdmin):
    """Every admin page of the product reads a typed amount with the one reader: djmoney's
    amount-and-currency field and a plain decimal alike (AmountField, parse_yuan)."""

    formfield_overrides = {
        MoneyModelField: {"form_class": AmountMoneyField},
        models.DecimalField: {"form_class": AmountField},
    }

"""The administrator sets each community's reconciliation rules here; statements,
matches and deposits are only viewed (they change through the officer's pages)."""

from django.contrib import admin

from ledger.admin import ReadOnlyAdmin

from ..officer.forms import AmountAdmin
from .models import BankMapping, CashDeposit, ReconcileSettings, Statement


@admin.register(ReconcileSettings)
class ReconcileSettingsAdmin(AmountAdmin):
    list_display = ("community", "require_for_close", "cash_limit_fen", "deposit_days")


@admin.register(BankMapping)
class BankMappingAdmin(ReadOnlyAdmin):
    list_display = ("community", "bank", "updated_at")


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("community", "account_code", "format", "first_date", "last_date", "lines_count")
    list_filter = ("format", "account_code")


@admin.register(CashDeposit)
class CashDepositAdmin(ReadOnlyAdmin):
    list_display = ("community", "deposited_on", "slip_reference", "amount_fen", "status")
    list_filter = ("status",)

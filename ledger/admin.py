"""Read-only admin for the ledger: entries are posted by services, never edited here."""

from django.contrib import admin

from .models import Account, Book, Entry, Line


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Book)
class BookAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "currency", "last_seq", "head_hash")
    search_fields = ("code", "name")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("book", "code", "name", "type", "debit_fen", "credit_fen", "line_count")
    list_filter = ("type", "book")
    search_fields = ("code", "name")


class LineInline(admin.TabularInline):
    model = Line
    extra = 0
    can_delete = False
    fields = ("position", "account", "amount_fen", "currency", "description")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("book", "seq", "date", "memo", "actor", "created_at")
    list_filter = ("book",)
    search_fields = ("memo", "idempotency_key", "hash")
    inlines = [LineInline]

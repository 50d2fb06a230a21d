"""Operator admin: accounts and couple metadata only. No partner's written words are registered here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from recovery.models import Couple, Delivery, Partner, TherapistProfile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "time_zone", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "time_zone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})]


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    fields = ["user", "seat", "joined_at", "left_at"]  # not the role: operators don't need to know it
    readonly_fields = fields
    can_delete = False


@admin.register(Couple)
class CoupleAdmin(admin.ModelAdmin):
    # Read-only: closing a space must go through couples.end_couple, which releases both partners.
    list_display = ["id", "status", "created_at"]
    list_filter = ["status"]
    fields = ["status", "created_at", "status_changed_at", "status_changed_by"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Couple | None = None) -> bool:
        return False

    inlines = [PartnerInline]


@admin.register(TherapistProfile)
class TherapistProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "practice", "created_at"]
    search_fields = ["user__email", "practice"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent to whom and when, how it went — never a word of content."""

    list_display = ["id", "kind", "period", "status", "attempts", "created_at", "sent_at", "short_error"]
    list_filter = ["status", "kind"]
    fields = ["kind", "period", "status", "attempts", "created_at", "next_attempt_at", "claimed_at",
              "sent_at", "expires_at", "error"]  # fmt: skip
    readonly_fields = fields
    ordering = ["-created_at"]
    show_full_result_count = False  # a count of a big outbox table on every page is slow

    @admin.display(description="error")
    def short_error(self, delivery: Delivery) -> str:
        return delivery.error[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

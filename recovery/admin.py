"""Operator admin: accounts and couple metadata only. No partner's written words are registered here.

Three rules hold on every admin page:
- Staff enter only with two-step sign-in: the admin holds other people's accounts, so a password alone
  opens nothing (`require_two_step_sign_in`).
- Nothing typed into a filter, a search, a page number or a selection makes a page fail: values the database refuses
  are a 400 with a plain explanation (`SafeFilters`, on every registered admin, including those of
  Django and allauth, which are registered again below).
- Deleting a person's account lists the account only, never what they wrote (`UserAdmin`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.decorators import secure_admin_login
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin as AllauthUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DataError, NotSupportedError, router, transaction
from django.db.models import Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recovery.access import has_second_step
from recovery.models import Couple, Delivery, Partner, TherapistProfile, User

# --- Entering: two-step sign-in for staff ----------------------------------------------------------


def staff_without_two_step(request: HttpRequest) -> bool:
    """A signed-in, active staff member who hasn't turned on two-step sign-in yet."""
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff and not has_second_step(user))


def require_two_step_sign_in(site: admin.AdminSite) -> None:
    """Every admin page asks for staff with two-step sign-in; staff without it are told how to turn it on.

    `has_permission` is what every admin view consults, so nothing of the admin opens without it. The
    login page, where the admin sends anyone it refuses, answers a signed-in staff member without
    two-step sign-in with a 403 page that says what to do, rather than the admin's own password form
    (and never the index, which would send them back: a loop). Anyone else signs in through allauth,
    with its rate limits and its second step; a signed-in person who isn't staff gets a plain 403.
    """
    password_only_permission = site.has_permission

    def has_permission(request: HttpRequest) -> bool:
        return password_only_permission(request) and has_second_step(request.user)

    admin_login = site.login

    def login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if staff_without_two_step(request):
            return render(request, "recovery/admin_needs_mfa.html", status=403)
        return admin_login(request, extra_context)

    # Replacing two methods of the one AdminSite instance (a subclass would need its own admin URLs).
    site.has_permission = has_permission  # type: ignore[method-assign]  # deliberate, see above
    site.login = secure_admin_login(login)  # type: ignore[method-assign]  # deliberate, see above


require_two_step_sign_in(admin.site)
admin.site.site_header = "Mend administration"


# --- Filters and searches that can't fail ------------------------------------------------------------


class UnusableRequest(Exception):
    """What the visitor sent can't be applied to the data: their input, not a fault of the admin."""

    def __init__(self, explanation: str) -> None:
        super().__init__(explanation)
        self.explanation = explanation


# Regular expressions are handed to the database as they are: a broken one is a database error, and a
# costly one is a way to keep it busy. No one needs them to run Mend.
REFUSED_LOOKUPS = {"regex", "iregex"}

# Errors a query raises for a value or lookup it can't use: not a number, out of range, refused by the
# database, or a lookup this database doesn't have (SQLite has no JSON `contains`).
BAD_VALUE_ERRORS = (DataError, NotSupportedError, ValidationError, ValueError, OverflowError, TypeError)


UNUSABLE_FILTERS = gettext_lazy(
    "Some of the filters, the search or the page number in the address can't be applied to this list, "
    "so nothing was looked up."
)
UNUSABLE_SELECTION = gettext_lazy("The rows chosen for this action can't be found, so nothing was done.")


if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Any]  # a mixin for ModelAdmins: type-checked as one
else:
    _AdminBase = object


class SafeFilters(_AdminBase):
    """For every admin: a change list whose filters, search, page or selection can't be used answers 400.

    The admin already turns some bad filters into a redirect to a "Database error" page, but values that
    only the database refuses (an address that isn't an IP address, a year past 9999, a number out of
    range, a selected row id that isn't a number) reached it and failed with a 500. On PostgreSQL a
    failed query also spoils the transaction, hence the savepoints. Only requests that carry parameters
    count as bad input; without any, an error is a fault in the admin itself and stays one.
    """

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        if REFUSED_LOOKUPS & set(lookup.split(LOOKUP_SEP)):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        try:
            with transaction.atomic(using=router.db_for_read(self.model)):
                return super().get_changelist_instance(request)
        except IncorrectLookupParameters as exc:
            raise UnusableRequest(str(UNUSABLE_FILTERS)) from exc
        except BAD_VALUE_ERRORS as exc:
            if not request.GET:
                raise
            raise UnusableRequest(str(UNUSABLE_FILTERS)) from exc

    def response_action(  # (Django 6 adds an `action_location` argument; passed on whatever it is)
        self, request: HttpRequest, queryset: QuerySet, *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        # Look the chosen rows up once before the action does: ids that can't be ids stop here.
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if selected:
            try:
                with transaction.atomic(using=router.db_for_read(self.model)):
                    queryset.filter(pk__in=selected).exists()
            except BAD_VALUE_ERRORS as exc:
                raise UnusableRequest(str(UNUSABLE_SELECTION)) from exc
        return super().response_action(request, queryset, *args, **kwargs)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except UnusableRequest as refusal:
            opts = self.opts
            context = {
                **self.admin_site.each_context(request),
                "opts": opts,
                "title": _("This can't be shown"),
                "explanation": refusal.explanation,
                "changelist_url": reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"),
            }
            return TemplateResponse(request, "admin/unusable_request.html", context, status=400)


# --- Accounts ----------------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(SafeFilters, BaseUserAdmin):
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

    def get_deleted_objects(
        self, objs: Sequence[User] | QuerySet[User], request: HttpRequest
    ) -> tuple[list, dict, set, list]:
        """The accounts themselves, and nothing of what the people wrote: not an entry, a kind or a count.

        Django lists every related row (check-ins, "only me" ones included) on the confirmation page. An
        operator deleting an account needs to know which account, not what was in it; the template says
        in one sentence that everything the person wrote goes with it. Permissions are still checked on
        the related rows, so deletion stays refused where it was.
        """
        _related, _counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        accounts = [self._account_line(user) for user in objs]
        protected_summary = [_("Records of this account that are protected from deletion")] if protected else []
        return accounts, {capfirst(self.opts.verbose_name_plural): len(accounts)}, perms_needed, protected_summary

    def _account_line(self, user: User) -> str:
        url = reverse(f"{self.admin_site.name}:recovery_user_change", args=[user.pk])
        return format_html('{}: <a href="{}">{}</a>', capfirst(self.opts.verbose_name), url, user.email)


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    fields = readonly_fields = ("user", "seat", "joined_at", "left_at")  # not the role: operators don't need it
    can_delete = False


@admin.register(Couple)
class CoupleAdmin(SafeFilters, admin.ModelAdmin):
    # Read-only: closing a space must go through couples.end_couple, which releases both partners.
    list_display = ["id", "status", "created_at"]
    list_filter = ["status"]
    fields = readonly_fields = ("status", "created_at", "status_changed_at", "status_changed_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Couple | None = None) -> bool:
        return False

    inlines = [PartnerInline]


@admin.register(TherapistProfile)
class TherapistProfileAdmin(SafeFilters, admin.ModelAdmin):
    list_display = ["user", "practice", "created_at"]
    search_fields = ["user__email", "practice"]


@admin.register(Delivery)
class DeliveryAdmin(SafeFilters, admin.ModelAdmin):
    """The outbox, read-only: what was sent to whom and when, how it went — never a word of content."""

    list_display = ["id", "kind", "period", "status", "attempts", "created_at", "sent_at", "short_error"]
    list_filter = ["status", "kind"]
    fields = readonly_fields = ("kind", "period", "status", "attempts", "created_at", "next_attempt_at",
                                "claimed_at", "sent_at", "expires_at", "error")  # fmt: skip
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


# --- Django's and allauth's own admins, with the same safe filters ---------------------------------


class GroupAdmin(SafeFilters, DjangoGroupAdmin):
    pass


class EmailAddressAdmin(SafeFilters, AllauthEmailAddressAdmin):
    pass


class AuthenticatorAdmin(SafeFilters, AllauthAuthenticatorAdmin):
    pass


class UserSessionAdmin(SafeFilters, AllauthUserSessionAdmin):
    # allauth searches `user__username`, which Mend's user (signed in by e-mail) doesn't have: every
    # search answered 500. Search by the person's e-mail, the IP address, or the exact user id.
    search_fields = ["user__email", "ip", "user__pk__exact"]


def _register_again(model: type[Model], model_admin: type[admin.ModelAdmin]) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


_register_again(Group, GroupAdmin)
_register_again(EmailAddress, EmailAddressAdmin)
_register_again(Authenticator, AuthenticatorAdmin)
_register_again(UserSession, UserSessionAdmin)

from django import forms
from django.contrib import admin

from onlinesafety.audit.admin import AuditedGuardedModelAdmin, AuditedModelAdmin

from .models import Membership, ParentLink, Pupil, School, SchoolClass, Term


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class TermInline(admin.TabularInline):
    model = Term
    extra = 0


@admin.register(School)
class SchoolAdmin(AuditedModelAdmin):
    list_display = ("name", "slug", "urn", "timezone")
    search_fields = ("name", "slug", "urn")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TermInline]


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ("user", "school", "role", "job_title", "is_chair", "is_safeguarding_governor", "is_active")
    list_filter = ("school", "role", "is_active")
    search_fields = ("user__email", "user__full_name")
    autocomplete_fields = ["user"]
    list_select_related = ("user", "school")


@admin.register(SchoolClass)
class SchoolClassAdmin(AuditedModelAdmin):
    list_display = ("name", "school", "year_group")
    list_filter = ("school", "year_group")
    list_select_related = ("school",)


class ParentLinkInlineForm(forms.ModelForm):
    """A link is to one of the pupil's own school's contacts, and its ``parent`` is always that contact's account
    (the family queries read ``parent`` without joining the contact), so it is set here, never typed."""

    class Meta:
        model = ParentLink
        fields = ["contact", "relationship", "has_parental_responsibility", "priority"]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        contact, pupil = cleaned.get("contact"), getattr(self.instance, "pupil", None)
        if contact is not None and pupil is not None and contact.school_id != pupil.school_id:
            self.add_error("contact", "This contact belongs to another school: choose one of this pupil's school.")
        return cleaned

    def save(self, commit: bool = True) -> ParentLink:
        link: ParentLink = super().save(commit=False)
        link.parent = link.contact.user
        if commit:
            link.save()
        return link


class ParentLinkInline(admin.TabularInline):
    model = ParentLink
    form = ParentLinkInlineForm
    extra = 0
    raw_id_fields = ["contact"]
    readonly_fields = ["parent"]


@admin.register(Pupil)
class PupilAdmin(AuditedGuardedModelAdmin):
    list_display = ("last_name", "first_name", "school", "year_group", "school_class", "has_send", "is_on_roll")
    list_filter = ("school", "year_group", "has_send", "is_on_roll")
    search_fields = ("first_name", "last_name")
    list_select_related = ("school", "school_class")
    inlines = [ParentLinkInline]


@admin.register(Term)
class TermAdmin(AuditedModelAdmin):
    list_display = ("name", "school", "starts_on", "ends_on")
    list_filter = ("school",)
    list_select_related = ("school",)

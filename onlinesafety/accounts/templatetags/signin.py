"""The GOV.UK field pattern for forms the project does not define (django-allauth's sign-in and second-factor
forms): the same classes and aria attributes as ``GovukFormMixin`` gives the project's own forms."""

from django import template
from django.forms import BoundField

from onlinesafety.schools.people.forms import WIDGET_CLASSES

register = template.Library()


@register.filter
def govuk(field: BoundField) -> BoundField:
    attrs = field.field.widget.attrs
    attrs.setdefault("class", WIDGET_CLASSES.get(field.widget_type, "form-control"))
    described = [f"{field.auto_id}-hint"] if field.help_text else []
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
        if "is-invalid" not in attrs["class"]:
            attrs["class"] += " is-invalid"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field


@register.filter
def has_passkey(user: object) -> bool:
    """The person has a passkey or security key (step-up offers it beside the code box)."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=getattr(user, "pk", None), type=Authenticator.Type.WEBAUTHN).exists()

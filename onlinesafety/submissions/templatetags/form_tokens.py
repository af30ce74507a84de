from django import template
from django.utils.html import format_html

from ..tokens import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token() -> str:
    """The hidden one-time token every form that writes carries (its view is ``@sent_once``)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())

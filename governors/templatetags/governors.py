from django import template
from django.utils.safestring import mark_safe

from ..figures import counted as counted_figure, shown

register = template.Library()


@register.filter
def fewer_than(count):
    """A count with the small-number rule applied."""
    return shown(count)


@register.filter
def counted(count, nouns: str):
    """A count with its noun in the singular or the plural, as printed: ``{{ n|counted:"action,actions" }}``
    gives "fewer than 3 actions" for a hidden 1, never "action(s)"."""
    singular, plural = nouns.split(",")
    return counted_figure(count, singular, plural)


@register.filter
def css_string(value) -> str:
    """Text made safe inside a double-quoted CSS string in a <style> element (the page footer), where HTML
    escaping does not apply: e.g. “St Mary's "Upper" School”."""
    text = " ".join(str(value).split()).replace("\\", "\\5c ").replace('"', "\\22 ")
    text = text.replace("&", "\\26 ").replace("<", "\\3c ").replace(">", "\\3e ")
    return mark_safe(text)  # noqa: S308 - every character that could end the string or the <style> is escaped

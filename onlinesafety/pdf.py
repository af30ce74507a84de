"""PDFs from Django templates with WeasyPrint. Templates carry their own CSS; nothing is fetched."""

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported when first needed: it takes a second or two to load

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None).write_pdf()

"""PDFs from Django templates with WeasyPrint. Templates carry their own CSS; nothing is fetched.

Every PDF is tagged (WeasyPrint's PDF/UA-1 variant): a structure tree built from the HTML (headings, paragraphs,
lists, tables with their header cells, figures with the alternative text of an SVG's <title> or an image's alt),
the document language from <html lang> and the title from <title>, shown as the window title. A template must
give all three; tests/<app>/test_pdf_tagged.py checks each PDF (with tests/kernel/tagged_pdf.py)."""

from django.template.loader import render_to_string

PDF_VARIANT = "pdf/ua-1"


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported when first needed: it takes a second or two to load

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None).write_pdf(pdf_variant=PDF_VARIANT)

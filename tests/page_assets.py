"""What a page makes the browser fetch, and what that weighs once whitenoise has compressed it: shared by the page
weight test (tests/kernel/test_page_weight.py) and its benchmark (bench/page_weight.py)."""

import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

KB = 1024
FETCHED_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest"}
CSS_REFERENCE = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
KINDS = {".css": "css", ".js": "js", ".mjs": "js", ".woff": "font", ".woff2": "font", ".ttf": "font",
         ".otf": "font", ".eot": "font"}


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "link" and set((attributes.get("rel") or "").lower().split()) & FETCHED_LINKS:
            self.urls.append(attributes.get("href") or "")
        elif tag in ("script", "img", "source", "video", "audio") and attributes.get("src"):
            self.urls.append(attributes["src"])


def page_assets(html: str, base: str = "/") -> list[str]:
    """The URLs of the stylesheets, icons, scripts and images a page's tags ask for (data: URIs are the page's own
    bytes), in order, each once."""
    parser = _References()
    parser.feed(html)
    urls = [urljoin(base, url) for url in parser.urls if url and not url.startswith("data:")]
    return list(dict.fromkeys(urls))


def css_assets(css: str, base: str) -> list[str]:
    """What a stylesheet makes the browser fetch: url() (fonts, images) and @import, other than data: URIs and
    fragment references to an SVG of the page."""
    found = []
    for match in CSS_REFERENCE.finditer(css):
        url = (match.group(1) or match.group(2) or "").strip()
        if url and not url.startswith(("data:", "#")):
            found.append(urljoin(base, url))
    return list(dict.fromkeys(found))


def kind_of(url: str) -> str:
    return KINDS.get(Path(urlsplit(url).path).suffix.lower(), "image")


@lru_cache(maxsize=None)
def compressed_sizes(path: str) -> dict:
    """The bytes of a static file as whitenoise serves it: raw, gzip and brotli as its Compressor makes them on
    collectstatic (None where it makes none: a file type it skips, a copy not 5% smaller, or no brotli module)."""
    from whitenoise.compress import Compressor, brotli_installed

    data = Path(path).read_bytes()
    compressor = Compressor(quiet=True)
    sizes: dict = {"raw": len(data), "gzip": None, "br": None}
    if not compressor.should_compress(path):
        return sizes
    for encoding, compress, wanted in (("gzip", compressor.compress_gzip, True),
                                       ("br", getattr(compressor, "compress_brotli", None), brotli_installed)):
        if wanted and compress is not None:
            compressed = compress(data)
            if len(compressed) <= 0.95 * len(data):  # whitenoise's Compressor.is_compressed_effectively
                sizes[encoding] = len(compressed)
    return sizes


def best(sizes: dict) -> int:
    """What a current browser (Accept-Encoding: gzip, deflate, br) is sent."""
    return sizes["br"] or sizes["gzip"] or sizes["raw"]

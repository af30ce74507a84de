"""Web addresses and domains people type: checked, and normalised to one spelling.

Hosts are stored in ASCII (internationalised names as punycode, via the idna package, IDNA 2008 with UTS 46
mapping) and shown back in their own letters.
"""

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

import idna
from django.core.exceptions import ValidationError

OTHER_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)")
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class WebAddress:
    normalised: str  # what filters and logs compare
    display: str  # what people read


MAX_LENGTH = 2000


def _host(raw_host: str) -> tuple[str, str]:
    host = raw_host.strip().rstrip(".").lower()
    if host.startswith("*."):
        host = host[2:]
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        host = f"[{address}]" if address.version == 6 else str(address)
        return host, host
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise ValidationError("That is not a valid website name.") from None
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValidationError("Enter a website name such as example.com.")
    return ascii_host, idna.decode(ascii_host)


def parse_domain(raw: str) -> WebAddress:
    """A whole website: 'Example.COM', 'https://www.example.com/x' or 'bücher.de' -> its host."""
    raw = raw.strip()
    if "/" in raw or ":" in raw:
        return WebAddress(*_host(_split(raw).hostname or ""))
    ascii_host, display = _host(raw)
    return WebAddress(ascii_host, display)


def _split(raw: str) -> SplitResult:
    if "[" in raw.split("/")[2 if "://" in raw else 0] and not re.search(r"\[[0-9a-fA-F:.]+\]", raw):
        raise ValidationError("Enter a web address such as https://example.com/page.")
    if OTHER_SCHEME.match(raw) and not re.match(r"^https?://", raw, re.I):
        raise ValidationError("Enter a web address starting with http:// or https://.")
    try:
        parts = urlsplit(raw if "://" in raw else f"http://{raw}")
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ValidationError("Enter a web address such as https://example.com/page.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError("Enter a web address starting with http:// or https://.")
    if parts.username or parts.password:
        raise ValidationError("Leave out any user name or password from the web address.")
    if any(ch.isspace() for ch in raw):
        raise ValidationError("A web address has no spaces.")
    return parts


def parse_url(raw: str) -> WebAddress:
    """A page: scheme http(s), a real host, no credentials; the fragment is dropped."""
    raw = raw.strip()
    if not raw:
        raise ValidationError("Enter the web address.")
    parts = _split(raw)
    ascii_host, display_host = _host(parts.hostname or "")
    port = f":{parts.port}" if parts.port is not None else ""
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    scheme = parts.scheme.lower()
    address = WebAddress(
        urlunsplit((scheme, ascii_host + port, path, parts.query, "")),
        urlunsplit((scheme, display_host + port, path, parts.query, "")),
    )
    if len(address.normalised) > MAX_LENGTH:
        raise ValidationError("That web address is too long. Use the website (domain) instead.")
    return address

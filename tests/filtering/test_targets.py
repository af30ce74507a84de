import pytest
from django.core.exceptions import ValidationError

from onlinesafety.weburl import parse_domain, parse_url


@pytest.mark.parametrize(
    ("raw", "normalised", "display"),
    [
        ("Example.COM/Page?x=1#top", "http://example.com/Page?x=1", "http://example.com/Page?x=1"),
        ("https://bücher.de/straße", "https://xn--bcher-kva.de/stra%C3%9Fe", "https://bücher.de/stra%C3%9Fe"),
        ("https://www.bbc.co.uk:8443/news", "https://www.bbc.co.uk:8443/news", "https://www.bbc.co.uk:8443/news"),
        ("http://192.168.1.10/admin", "http://192.168.1.10/admin", "http://192.168.1.10/admin"),
    ],
)
def test_it_normalises_web_addresses(raw, normalised, display):
    address = parse_url(raw)
    assert (address.normalised, address.display) == (normalised, display)


@pytest.mark.parametrize(
    ("raw", "host"),
    [("Example.com", "example.com"), ("https://www.example.com/x", "www.example.com"), ("*.example.com", "example.com"),
     ("ПРИМЕР.рф", "xn--e1afmkfd.xn--p1ai"), ("example.com.", "example.com")],
)
def test_it_normalises_domains(raw, host):
    assert parse_domain(raw).normalised == host


@pytest.mark.parametrize(
    "raw",
    ["javascript:alert(1)", "data:text/html,hi", "ftp://example.com/file", "mailto:someone@example.com",
     "file:///etc/passwd", "https://user:secret@example.com/", "http://[::1", "exa mple.com", "localhost",
     "-bad-.com", "http://example.com:99999/", "", "http://.com/"],
)
def test_it_refuses_what_is_not_a_web_address(raw):
    with pytest.raises(ValidationError):
        parse_url(raw)

"""Sending a form twice with the same one-time token: the helpers every app's ``test_sent_twice.py`` uses."""

from django.apps import apps
from django.contrib.messages import get_messages

from onlinesafety.submissions.decorators import ALREADY_SENT
from onlinesafety.submissions.tokens import FIELD, new_token

# Rows these do not count: a form's own token, and what any request writes (the session).
NOT_COUNTED = {"submissions.usedtoken", "sessions.session"}


def with_form_token(data):
    """``data`` with a fresh token added, unless it has its own (or is not a dict of fields: a raw body)."""
    if data is None:
        return {FIELD: new_token()}
    if isinstance(data, dict) and FIELD not in data:
        return {**data, FIELD: new_token()}
    if hasattr(data, "lists") and FIELD not in data:  # a QueryDict or MultiValueDict
        copied = data.copy()
        copied[FIELD] = new_token()
        return copied
    return data


def row_counts():
    """How many rows each model's table holds."""
    return {model._meta.label_lower: model._default_manager.count() for model in apps.get_models()
            if model._meta.label_lower not in NOT_COUNTED and not model._meta.proxy}


def send_twice(client, url, data, files=None):
    """Send the form at ``url`` twice with one token: the first send's response, the row counts after it, the
    second's response and the counts after that."""
    token = new_token()

    def send():
        payload = {**data, FIELD: token, **(files() if files else {})}
        return client.post(url, payload)

    first = send()
    after_first = row_counts()
    second = send()
    return first, after_first, second, row_counts()


def assert_sent_once(client, url, data, files=None, *, before=None):
    """The first send wrote and redirected; the second wrote nothing and went where the first went, saying so."""
    before = row_counts() if before is None else before
    first, after_first, second, after_second = send_twice(client, url, data, files)
    assert first.status_code == 302, getattr(first, "content", b"")[:3000]
    grown = {label for label, count in after_first.items() if count != before.get(label)}
    assert grown, "the first send wrote nothing"
    assert after_second == after_first, {label: (after_first[label], count) for label, count in after_second.items()
                                         if count != after_first[label]}
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert ALREADY_SENT in [str(message) for message in get_messages(second.wsgi_request)]
    return first


# Every form a test_sent_twice.py sends twice, by the URL name of the view it goes to: tests/kernel/test_sent_once.py
# checks that every @sent_once view is here.
COVERED: set[str] = set()


def forms_sent_twice(cases):
    """The parametrize ids and values of a table of cases: {id: (url name, case function)}."""
    COVERED.update(url_name for url_name, _ in cases.values())
    return {"argnames": "case", "argvalues": [case for _, case in cases.values()], "ids": list(cases)}

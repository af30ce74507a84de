import sys
from unittest import mock

import pytest
from celery.signals import worker_init

from onlinesafety.celery import load_weasyprint_once


def test_it_loads_weasyprint_in_the_worker_before_forking_its_pool():
    connected = [receiver() for _, receiver in worker_init.receivers]
    assert load_weasyprint_once in connected
    with mock.patch.dict(sys.modules, {"weasyprint": None}):  # "not importable": the handler must try
        with pytest.raises(ImportError):
            load_weasyprint_once()

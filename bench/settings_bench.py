"""The app's settings with bench/bare_urls.py as the URLconf: for bench/http_load.py's gunicorn only."""

from onlinesafety.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"

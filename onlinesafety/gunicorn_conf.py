"""Gunicorn's settings for the web process: ``gunicorn -c python:onlinesafety.gunicorn_conf onlinesafety.wsgi``.

The access log names the method and the path without its query string (a pupil search or a filter can carry a
name), never the Referer (it holds the whole address of the page before, tokens and all) and never a user name;
the path's link tokens and every line of gunicorn's own error log go through ``onlinesafety.logscrub``.
"""

from typing import Any

from gunicorn.glogging import Logger

from onlinesafety.logscrub import ScrubAddresses

accesslog = "-"
# Peer address, time, "method path protocol", status, bytes sent, milliseconds taken, browser.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


class ScrubbedLogger(Logger):
    """Gunicorn's logger, with every access and error line scrubbed of query strings and link tokens."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(existing, ScrubAddresses) for existing in log.filters):  # a reload runs setup again
                log.addFilter(ScrubAddresses())


logger_class = ScrubbedLogger

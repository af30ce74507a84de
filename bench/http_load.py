"""Pages timed through gunicorn under concurrent load, side by side with two bare Django pages.

Used by the page benchmarks here (see bench/monitoring_inbox.py --http), or on its own against a database that
already holds the data:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onlinesafety_bench .venv/bin/python bench/http_load.py \\
        --as dsl@bench.example --clients 1,16 --seconds 10 "/monitoring/=Monitoring alerts"

What it does: starts gunicorn (the production config, onlinesafety/gunicorn_conf.py) on a free loopback port with
4 sync workers, DEBUG off, this run's SECRET_KEY and the given DATABASE_URL, with bench/settings_bench.py (the app's
settings, URLconf bench/bare_urls.py: the app's URLs plus /bare/ and /bare-db/). It signs the person in by saving
sessions in the database as a sign-in with a password and an authenticator app leaves them, one per client, and
sends their cookies. Then for each page and each number of clients it runs that many threads, each with its own
http.client connection (gunicorn's sync workers close it after each response, so each request opens a new one, as
behind a proxy), for a time or a number of requests, and reports req/s, p50 / p95 / p99 and errors. A response
counts only if it is a 200 holding the page's marker text: a redirect to the sign-in page is an error, not a
fast page. The bare pages are sent without a cookie.
"""

import argparse
import http.client
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 4
LOG = ROOT / "var" / "bench" / "gunicorn.log"


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    marker: str  # text the page's 200 must hold
    signed_in: bool = True


BARE = Page("/bare/ (no query)", "/bare/", "bare page", signed_in=False)
BARE_DB = Page("/bare-db/ (one query, small template)", "/bare-db/", "bare-db page", signed_in=False)


@dataclass
class Result:
    page: Page
    clients: int
    seconds: float = 0.0
    timings: list[float] = field(default_factory=list)  # ms of each good response
    errors: int = 0
    first_error: str = ""

    @property
    def rate(self) -> float:
        return len(self.timings) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.timings)
        return ordered[max(math.ceil(len(ordered) * p / 100) - 1, 0)] if ordered else float("nan")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(workers: int = WORKERS) -> Iterator[int]:
    """Gunicorn serving the app on a free loopback port (yielded) for the ``with`` block. Django must be set up in
    this process (bench.common.set_up_django): gunicorn gets its SECRET_KEY and DATABASE_URL."""
    from django.conf import settings

    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_bench", "DEBUG": "0",
           "SECRET_KEY": settings.SECRET_KEY, "PYTHONPATH": str(ROOT)}
    LOG.parent.mkdir(parents=True, exist_ok=True)
    command = [str(Path(sys.executable).parent / "gunicorn"), "--config", "python:onlinesafety.gunicorn_conf",
               "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
               "onlinesafety.wsgi:application"]
    with LOG.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start-up: see {LOG}")
            try:
                status, _ = get(http.client.HTTPConnection("127.0.0.1", port, timeout=5), BARE.path, {})
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer in 60 s: see {LOG}")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def session_cookies(user: Any, count: int) -> list[str]:
    """``count`` sessions of ``user`` signed in with both factors, as a real sign-in leaves them: the password step
    and then their authenticator app (one is made for them if they have none) recorded by allauth, which the
    second-factor middleware reads. The detour to unsigned agreements after a sign-in is taken as done."""
    from importlib import import_module

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    authenticator = (Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
                     or TOTP.activate(user, generate_totp_secret()).instance)
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for _ in range(count):
        session = store_class()
        now = time.time()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": now, "email": user.email},
            {"method": "mfa", "at": now, "id": authenticator.pk, "type": authenticator.type},
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return cookies


def get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def run(port: int, page: Page, clients: int, cookies: Sequence[str], seconds: float | None = None,
        requests: int | None = None) -> Result:
    """``clients`` threads loading ``page`` for ``seconds``, or until ``requests`` have been sent between them."""
    assert seconds or requests, "give a time or a number of requests"
    result = Result(page, clients)
    lock = threading.Lock()
    left = [requests or 0]
    start = threading.Barrier(clients + 1)
    marker = page.marker.encode()
    stop_at = [0.0]

    def client(number: int) -> None:
        headers = {"Host": "127.0.0.1"}
        if page.signed_in:
            headers["Cookie"] = cookies[number % len(cookies)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        timings: list[float] = []
        errors: list[str] = []
        start.wait()
        while time.perf_counter() < stop_at[0]:
            if requests:
                with lock:
                    if left[0] <= 0:
                        break
                    left[0] -= 1
            began = time.perf_counter()
            try:
                status, body = get(connection, page.path, headers)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                errors.append(repr(error))
                continue
            if status == 200 and marker in body:
                timings.append((time.perf_counter() - began) * 1000)
            else:
                errors.append(f"{status}, marker {'found' if marker in body else 'missing'}")
        connection.close()
        with lock:
            result.timings.extend(timings)
            result.errors += len(errors)
            result.first_error = result.first_error or (errors[0] if errors else "")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds if seconds else math.inf
    start.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def measure(pages: Sequence[Page], user: Any, clients: Sequence[int], seconds: float | None = None,
            requests: int | None = None) -> list[Result]:
    """Starts gunicorn, then loads /bare/, /bare-db/ and each of ``pages`` (signed in as ``user``) with each number
    of ``clients``, one page at a time, each after a warm-up that is not counted (4 requests a worker, enough
    clients to keep every worker busy: a worker's first load of a page reads its templates); prints the table and
    returns the results."""
    cookies = session_cookies(user, max(clients))
    results = []
    print(f"load average before: {load_average()}")
    with gunicorn() as port:
        print(f"gunicorn on 127.0.0.1:{port}, {WORKERS} sync workers; {seconds or requests} "
              f"{'s' if seconds else 'requests'} a page and a number of clients")
        print("| page | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors | req/s of /bare-db/'s |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for count in clients:
            for page in (BARE, BARE_DB, *pages):
                run(port, page, max(count, WORKERS), cookies, requests=WORKERS * 4)
                results.append(run(port, page, count, cookies, seconds=seconds, requests=requests))
                print_row(results[-1], results)
        print(f"load average after: {load_average()}")
    return results


def print_row(result: Result, results: Sequence[Result]) -> None:
    bare_db = next((r for r in results if r.page == BARE_DB and r.clients == result.clients), None)
    share = f"{result.rate / bare_db.rate:5.0%}" if bare_db and bare_db.rate else "   - "
    print(f"| {result.page.label} | {result.clients} | {len(result.timings)} | {result.rate:6.1f} | "
          f"{result.percentile(50):6.1f} | {result.percentile(95):6.1f} | {result.percentile(99):6.1f} | "
          f"{result.errors} | {share} |" + (f"  first error: {result.first_error}" if result.errors else ""),
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="+", metavar="PATH=MARKER", help="a page and text its 200 must hold")
    parser.add_argument("--as", dest="email", required=True, help="the person to sign in as (they must exist)")
    parser.add_argument("--clients", default="1,16", help="numbers of concurrent clients, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--requests", type=int, help="a number of requests a page instead of a time")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("Set DATABASE_URL to the database that holds the data to load pages from.")
    sys.path.insert(0, str(ROOT / "bench"))
    from common import set_up_django

    set_up_django("unused.sqlite3")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email=args.email)
    pages = [Page(path, path, marker) for path, _, marker in (page.partition("=") for page in args.pages)]
    measure(pages, user, [int(n) for n in args.clients.split(",")],
            seconds=None if args.requests else args.seconds, requests=args.requests)


if __name__ == "__main__":
    main()

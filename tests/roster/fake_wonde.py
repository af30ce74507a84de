"""A fake Wonde on a free local port, answering recorded JSON of the documented shape (data,
meta.pagination.next, includes as {"data": ...}; one school as {"data": {"urn", ...}}). No network access."""

import json
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

RECORDED = Path(__file__).parent / "wonde"
TOKEN = "test-token-7e76896f9aca"
SCHOOL_ID = "A1930499544"


class FakeWonde(BaseHTTPRequestHandler):
    """Answers like Wonde: the right token, the school's resources, pages, and the errors the test asks for."""

    requests: list[tuple[str, dict, str]] = []
    answer_with: int | None = None
    delay = 0.0
    redirect_to = ""
    trickle = 0.0
    school = {"id": SCHOOL_ID, "name": "Oakfield Test Primary", "urn": 900001, "la_code": "873",
              "establishment_number": "2345"}

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        FakeWonde.requests.append((url.path, query, self.headers.get("Authorization", "")))
        time.sleep(FakeWonde.delay)
        if FakeWonde.redirect_to:
            self.send_response(302)
            self.send_header("Location", FakeWonde.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if FakeWonde.trickle:  # a byte at a time, each well inside any socket timeout, for ever (until cut off)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(FakeWonde.trickle)
            except OSError:
                pass
            return None
        if FakeWonde.answer_with:
            return self._send(FakeWonde.answer_with, {"error": "invalid_request", "error_description": "Nope"})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(401, {"error": "unauthenticated"})
        base = f"http://127.0.0.1:{self.server.server_port}/v1.0/"
        if url.path == f"/v1.0/schools/{SCHOOL_ID}":
            return self._send(200, {"data": FakeWonde.school})
        if url.path == f"/v1.0/schools/{SCHOOL_ID}/students":
            if "contacts" in query.get("include", [""])[0]:
                return self._send(200, self._recorded("contacts.json", base))
            page = query.get("page", ["1"])[0]
            return self._send(200, self._recorded(f"students-page-{page}.json", base))
        if url.path == f"/v1.0/schools/{SCHOOL_ID}/employees":
            return self._send(200, self._recorded("employees.json", base))
        return self._send(404, {"error": "not_found"})

    @staticmethod
    def _recorded(name, base):
        return json.loads((RECORDED / name).read_text().replace("{base}", base))

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the test output quiet
        pass

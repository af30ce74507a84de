"""A fake OpenID Connect provider on this machine, standing in for Microsoft Entra ID and Google in the tests.

A real HTTP server (``http.server`` in a thread, on a free localhost port) with each issuer's discovery document,
its JWKS (an RSA key made for the test run), an authorisation endpoint that sends the browser straight back with a
code for whoever ``sign_in_as`` named, a token endpoint that checks the client's secret, the redirect URI and the
PKCE verifier and answers with an RS256-signed ID token, and userinfo. Issuers:

- ``{url}/ms/<tenant>/v2.0`` as Microsoft (``SSO_MICROSOFT_AUTHORITY = {url}/ms``): tokens carry ``tid``;
- ``{url}/google`` as Google (``SSO_GOOGLE_ISSUER``).

Nothing here reaches the internet. The ``fake_provider`` fixture (tests/conftest.py) runs one.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

ENDPOINTS = ("/.well-known/openid-configuration", "/authorize", "/token", "/jwks", "/userinfo")
KEY_ID = "fake-key-1"


class FakeProvider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.clients: dict[str, str] = {}  # client id -> secret
        self.identity: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.url = ""

    # ------------------------------------------------------------ what the tests set

    def register_client(self, client_id: str, secret: str) -> None:
        self.clients[client_id] = secret

    def sign_in_as(self, **claims: Any) -> None:
        """Whoever the next authorisation signs in: these claims go into the ID token (over the issuer's own)."""
        self.identity = claims

    def microsoft_issuer(self, tenant: str) -> str:
        return f"{self.url}/ms/{tenant}/v2.0"

    @property
    def google_issuer(self) -> str:
        return f"{self.url}/google"

    # ------------------------------------------------------------ the endpoints

    def discovery(self, issuer: str) -> dict[str, Any]:
        return {
            "issuer": issuer, "authorization_endpoint": f"{issuer}/authorize", "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks", "userinfo_endpoint": f"{issuer}/userinfo",
            "response_types_supported": ["code"], "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def claims_for(self, issuer: str) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": f"subject-{uuid.uuid4().hex[:12]}", "name": "Fake Person"}
        if "/ms/" in issuer:
            claims |= {"tid": issuer.split("/ms/", 1)[1].split("/", 1)[0], "ver": "2.0"}
        return claims | self.identity

    def authorize(self, issuer: str, query: dict[str, str]) -> str:
        """Signs in ``identity`` at once (no page) and answers with the address to send the browser back to."""
        self.authorize_requests.append(query)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"issuer": issuer, "client_id": query.get("client_id", ""),
                            "redirect_uri": query.get("redirect_uri", ""), "nonce": query.get("nonce"),
                            "code_challenge": query.get("code_challenge", ""), "claims": self.claims_for(issuer)}
        back = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, issuer: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["issuer"] != issuer:
            return 400, {"error": "invalid_grant"}
        client_id = form.get("client_id", "")
        if client_id != grant["client_id"] or self.clients.get(client_id) != form.get("client_secret"):
            return 401, {"error": "invalid_client"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if not grant["code_challenge"] or challenge != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims = {"iss": issuer, "aud": client_id, "iat": now, "nbf": now, "exp": now + 300,
                  "jti": uuid.uuid4().hex, **grant["claims"]}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = claims
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 3600, "id_token": id_token}

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        claims = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if claims is None:
            return 401, {"error": "invalid_token"}
        return 200, {name: value for name, value in claims.items() if name not in {"aud", "iat", "nbf", "exp", "jti"}}

    # ------------------------------------------------------------ for a test client's sign-in

    def follow(self, authorize_url: str) -> str:
        """What a browser does at the authorisation endpoint: the address it is sent back to (over real HTTP)."""
        answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


def _split(path: str) -> tuple[str, str]:
    for endpoint in ENDPOINTS:
        if path.endswith(endpoint):
            return path[: -len(endpoint)], endpoint
    return "", ""


def handler_for(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, body: dict[str, Any] | None = None, location: str = "") -> None:
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            data = json.dumps(body or {}).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self) -> tuple[str, str, dict[str, str]]:
            parts = urlsplit(self.path)
            prefix, endpoint = _split(parts.path)
            query = {name: values[0] for name, values in parse_qs(parts.query).items()}
            return f"{fake.url}{prefix}", endpoint, query

        def do_GET(self) -> None:  # noqa: N802
            issuer, endpoint, query = self._route()
            if endpoint == "/.well-known/openid-configuration":
                self._answer(200, fake.discovery(issuer))
            elif endpoint == "/jwks":
                self._answer(200, fake.jwks())
            elif endpoint == "/authorize":
                self._answer(302, location=fake.authorize(issuer, query))
            elif endpoint == "/userinfo":
                self._answer(*fake.userinfo(self.headers.get("Authorization", "")))
            else:
                self._answer(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            issuer, endpoint, _ = self._route()
            length = int(self.headers.get("Content-Length", "0"))
            form = {name: values[0] for name, values in parse_qs(self.rfile.read(length).decode()).items()}
            if endpoint == "/token":
                self._answer(*fake.token(issuer, form))
            else:
                self._answer(404, {"error": "not_found"})

    return Handler


def start(fake: FakeProvider) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))  # port 0: a free port
    fake.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

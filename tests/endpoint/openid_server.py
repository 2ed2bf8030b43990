"""A stand-in for the Bot Framework's token service on 127.0.0.1, for real authentication tests.

It plays both sides of Bot Framework authentication:

- **To the bot** it is the channel: it has an RSA signing key, serves OpenID metadata and a
  JWKS (with the ``endorsements`` the Bot Framework publishes), and signs the tokens the
  channel puts in each request's ``Authorization`` header (:meth:`OpenIdServer.channel_token`),
  or an Emulator-style Azure AD token (:meth:`OpenIdServer.emulator_token`).
- **For the bot** it is the login service: the bot's outbound credentials ask it for an access
  token before replying (client credentials with the app password, or a managed identity), and
  the fake connector can check the reply carries that token.

botbuilder fetches the metadata with the blocking ``requests`` library from inside the event
loop, so this server runs in its own thread (an aiohttp server on the test's loop would
deadlock). botbuilder also caches metadata per URL for the life of the process: every server
gets a random path prefix, so no test ever sees another test's keys.

:func:`use_local_bot_framework` points botbuilder's public-cloud endpoints at a server (with
``monkeypatch``, so it is undone after the test). The adapter under test is the production one:
same classes, same validation code, only the well-known Microsoft URLs replaced.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from botframework.connector.auth import (
    AuthenticationConstants,
    ChannelValidation,
    ManagedIdentityAppCredentials,
    MicrosoftAppCredentials,
)
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

#: The issuer of the tokens the Bot Framework channel sends to bots.
CHANNEL_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
#: An issuer botbuilder accepts on Emulator tokens (Azure AD v1, the Bot Framework tenant).
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
#: The channels the signing key is endorsed for (botbuilder checks the activity's channelId).
ENDORSEMENTS = ("msteams", "emulator", "webchat")
#: The tenant multi-tenant bots log in to (botbuilder's default channel auth tenant).
BOT_FRAMEWORK_TENANT = AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT


@cache
def signing_key() -> rsa.RSAPrivateKey:
    """The channel's RSA key (2048 bits; generated once per test session, it is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def forger_key() -> rsa.RSAPrivateKey:
    """Another RSA key: what an attacker who does not hold the channel's key signs with."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """One access token the bot asked the login service for.

    Attributes:
        tenant: The tenant in the authority (``botframework.com`` for multi-tenant bots).
        client_id: The app id, or the managed identity's client id.
        scope: What the token is for (the Bot Framework API).
        managed_identity: Whether it came through the managed identity endpoint (no secret).
    """

    tenant: str
    client_id: str
    scope: str
    managed_identity: bool


class OpenIdServer:
    """OpenID metadata, JWKS and a token endpoint on 127.0.0.1, in a background thread.

    Use as a context manager, or call :meth:`start` and :meth:`close`.

    Attributes:
        kid: The key id of the signing key in the JWKS.
        token_requests: Every access token issued to the bot, in order.
        issued: The access tokens themselves, in order.
        refused: How many token requests were refused (wrong client or secret).
        available: False to answer every metadata and key request with 503 (an outage).
    """

    def __init__(self, *, endorsements: Iterable[str] = ENDORSEMENTS) -> None:
        self.kid = uuid.uuid4().hex
        self.endorsements = list(endorsements)
        self.token_requests: list[TokenRequest] = []
        self.issued: list[str] = []
        self.refused = 0
        self.available = True
        self._clients: dict[str, str | None] = {}
        self._prefix = f"/{uuid.uuid4().hex}"  # unique per server: botbuilder caches by URL
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> OpenIdServer:
        """Listen on a free port of 127.0.0.1."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},  # how long close() waits for the loop to notice
            name="openid-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> OpenIdServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The base URL (with this server's unique prefix), no trailing slash."""
        assert self._httpd is not None, "start() the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{self._prefix}"

    @property
    def metadata_url(self) -> str:
        """The OpenID configuration document botbuilder reads ``jwks_uri`` from."""
        return f"{self.url}/.well-known/openid-configuration"

    # ------------------------------------------------------------------ the bot's identity
    def register_client(self, client_id: str, secret: str | None) -> None:
        """Let ``client_id`` get tokens with ``secret`` (``None``: a managed identity)."""
        self._clients[client_id] = secret

    # ------------------------------------------------------------------ tokens to the bot
    def channel_token(
        self,
        *,
        audience: str,
        service_url: str,
        issuer: str = CHANNEL_ISSUER,
        lifetime: float = 3600.0,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        """A token as the Bot Framework channel signs it for a request to the bot.

        Args:
            audience: The bot's app id (``aud``).
            service_url: The activity's ``serviceUrl`` (the ``serviceurl`` claim).
            issuer: ``iss``; the channel's own by default.
            lifetime: Seconds until ``exp``; negative for a token that already expired.
            key: The signing key; the channel's own by default.
            kid: The key id in the header; the channel key's by default.
            **claims: More claims, or replacements.
        """
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 300 if lifetime > 0 else now - 7200,
            "exp": now + int(lifetime),
            **claims,
        }
        return self._sign(payload, key=key, kid=kid)

    def emulator_token(self, *, app_id: str, version: str = "1.0", lifetime: float = 3600.0) -> str:
        """A token as Azure AD issues it to the Bot Framework Emulator for ``app_id``."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": EMULATOR_ISSUER if version == "1.0" else _v2_issuer(),
            "aud": app_id,
            "ver": version,
            "nbf": now - 300,
            "exp": now + int(lifetime),
            ("appid" if version == "1.0" else "azp"): app_id,
        }
        return self._sign(payload)

    def _sign(
        self,
        payload: dict[str, Any],
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
    ) -> str:
        headers = {"kid": kid or self.kid, "typ": "JWT"}
        return jwt.encode(payload, key or signing_key(), algorithm="RS256", headers=headers)

    # ------------------------------------------------------------------ documents served
    def _metadata(self) -> dict[str, Any]:
        return {
            "issuer": CHANNEL_ISSUER,
            "authorization_endpoint": f"{self.url}/authorize",
            "jwks_uri": f"{self.url}/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }

    def _jwks(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(signing_key().public_key(), as_dict=True)
        jwk.update(kid=self.kid, use="sig", endorsements=self.endorsements)
        return {"keys": [jwk]}

    def _grant(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        client_id, scope = form.get("client_id", ""), form.get("scope", "")
        expected = self._clients.get(client_id, "")
        if (
            form.get("grant_type") != "client_credentials"
            or client_id not in self._clients
            or expected is None
            or form.get("client_secret") != expected
        ):
            with self._lock:
                self.refused += 1
            return 401, {"error": "invalid_client"}
        return 200, self._issue(TokenRequest(tenant, client_id, scope, managed_identity=False))

    def _grant_managed_identity(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        client_id, resource = query.get("client_id", ""), query.get("resource", "")
        if client_id not in self._clients or self._clients[client_id] is not None:
            with self._lock:
                self.refused += 1
            return 400, {"error": "invalid_request"}
        return 200, self._issue(TokenRequest("", client_id, resource, managed_identity=True))

    def _issue(self, request: TokenRequest) -> dict[str, Any]:
        now = int(time.time())
        token = jwt.encode(
            {"aud": request.scope, "appid": request.client_id, "iat": now, "exp": now + 3600},
            forger_key(),  # any key: the fake connector does not validate outbound tokens
            algorithm="RS256",
        )
        with self._lock:
            self.token_requests.append(request)
            self.issued.append(token)
        return {"token_type": "Bearer", "expires_in": 3600, "access_token": token}

    def _route(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        if not path.startswith(self._prefix + "/"):
            return 404, {"error": "not_found"}
        path = path[len(self._prefix) :]
        if not self.available:
            return 503, {"error": "temporarily_unavailable"}
        if method == "GET" and path == "/.well-known/openid-configuration":
            return 200, self._metadata()
        if method == "GET" and path == "/keys":
            return 200, self._jwks()
        if method == "GET" and path == "/msi/token":
            return self._grant_managed_identity(_single(parse_qs(query)))
        parts = path.strip("/").split("/")
        if method == "POST" and parts[1:] == ["oauth2", "v2.0", "token"]:
            return self._grant(parts[0], _single(parse_qs(body.decode("utf-8"))))
        return 404, {"error": "not_found"}

    # ------------------------------------------------------------------ the bot's side
    def fetch_token(self, credentials: MicrosoftAppCredentials) -> str:
        """What msal does for ``MicrosoftAppCredentials``: a client-credentials grant.

        The tenant comes from the credentials' authority (``.../botframework.com`` for a
        multi-tenant bot, ``.../<MicrosoftAppTenantId>`` for a single-tenant one).
        """
        tenant = credentials.oauth_endpoint.rstrip("/").rsplit("/", 1)[-1]
        scope = credentials.oauth_scope
        response = requests.post(
            f"{self.url}/{tenant}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": credentials.microsoft_app_id,
                "client_secret": credentials.microsoft_app_password,
                "scope": scope if scope.endswith("/.default") else f"{scope}/.default",
            },
            timeout=10,
        )
        return _access_token(response)

    def fetch_managed_identity_token(self, credentials: ManagedIdentityAppCredentials) -> str:
        """What msal does for ``ManagedIdentityAppCredentials``: ask the identity endpoint."""
        response = requests.get(
            f"{self.url}/msi/token",
            params={"resource": credentials.oauth_scope, "client_id": credentials.microsoft_app_id},
            headers={"Metadata": "true"},
            timeout=10,
        )
        return _access_token(response)


def use_local_bot_framework(monkeypatch: pytest.MonkeyPatch, server: OpenIdServer) -> None:
    """Point botbuilder's public-cloud authentication at ``server`` for one test.

    Inbound: channel and Emulator tokens are validated against the server's metadata and keys
    (every other check, issuer, audience, expiry, endorsements, serviceUrl, is botbuilder's
    own). Outbound: the bot's password and managed identity credentials get their tokens from
    the server instead of msal's Azure AD client, which only speaks HTTPS to known authorities.
    """
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", server.metadata_url)
    monkeypatch.setattr(
        AuthenticationConstants, "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL", server.metadata_url
    )

    def password_token(self: MicrosoftAppCredentials, force_refresh: bool = False) -> str:
        return server.fetch_token(self)

    def managed_identity_token(
        self: ManagedIdentityAppCredentials, force_refresh: bool = False
    ) -> str:
        return server.fetch_managed_identity_token(self)

    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", password_token)
    monkeypatch.setattr(ManagedIdentityAppCredentials, "get_access_token", managed_identity_token)


# --------------------------------------------------------------------------- internals
def _v2_issuer() -> str:
    return "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0"


def _single(values: dict[str, list[str]]) -> dict[str, str]:
    return {name: items[0] for name, items in values.items()}


def _access_token(response: requests.Response) -> str:
    if response.status_code != 200:
        raise PermissionError(f"the login service refused: HTTP {response.status_code}")
    token: str = response.json()["access_token"]
    return token


def _handler_for(server: OpenIdServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server dispatches to
            self._answer("GET")

        def do_POST(self) -> None:  # the name http.server dispatches to
            self._answer("POST")

        def _answer(self, method: str) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, document = server._route(method, split.path, split.query, body)
            data = json.dumps(document).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            # Request lines only (never bodies: the token request carries the app password).
            log.debug("openid server: %s", format % args)

    return Handler

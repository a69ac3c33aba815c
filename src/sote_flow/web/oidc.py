"""OpenID Connect client for staff sign-in (authlib): redirect, token checks, logout, CSP."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from authlib.oidc.core import CodeIDToken
from flask import Flask, Response, current_app
from joserfc.errors import JoseError

from sote_flow.config import Settings
from sote_flow.services.sso import ClaimMap, load_claim_map
from sote_flow.web.security_headers import CONTENT_SECURITY_POLICY

log = logging.getLogger(__name__)
EXTENSION = "sote_flow.oidc"
TIMEOUT_SECONDS = 10
LEEWAY_SECONDS = 60  # clock skew allowed on exp/iat, well below an ID token's lifetime
# Everything the provider's answer or an unreachable provider can raise in authlib's hands.
PROVIDER_ERRORS = (
    AuthlibBaseError,
    JoseError,
    requests.RequestException,
    ValueError,
    KeyError,
    TypeError,
    RuntimeError,
)


class SsoFailed(Exception):
    """The provider could not be reached, or its answer could not be trusted."""


@dataclass(frozen=True)
class SsoConfig:
    """The configured provider: authlib's client and how its claims are read here."""

    issuer: str
    client_id: str
    client: Any  # authlib's FlaskOAuth2App (untyped)
    claim_map: ClaimMap
    username_claim: str
    base_url: str


@dataclass(frozen=True)
class SsoResult:
    """A validated sign-in: the issuer, the merged claims and the raw ID token."""

    issuer: str
    claims: dict[str, Any]
    id_token: str


def init_sso(app: Flask, settings: Settings) -> None:
    """Set up single sign-on when an issuer is configured (a bad claim map stops the start)."""
    if not settings.oidc_issuer:
        return
    issuer = settings.oidc_issuer.rstrip("/")
    oauth = OAuth(app)
    client = oauth.register(
        "sso",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_SECONDS,
        },
    )
    app.extensions[EXTENSION] = SsoConfig(
        issuer=issuer,
        client_id=settings.oidc_client_id,
        client=client,
        claim_map=load_claim_map(settings.oidc_claim_map),
        username_claim=settings.oidc_username_claim,
        base_url=settings.base_url.rstrip("/"),
    )
    _allow_forms_to_reach(app, issuer)


def sso_config() -> SsoConfig | None:
    """The app's single sign-on configuration, or None when it is off."""
    return cast(SsoConfig | None, current_app.extensions.get(EXTENSION))


def start_redirect(config: SsoConfig, callback_path: str) -> Response:
    """Redirect to the provider (code flow with PKCE S256, state and nonce kept in the session)."""
    try:
        return cast(Response, config.client.authorize_redirect(config.base_url + callback_path))
    except PROVIDER_ERRORS as exc:
        raise SsoFailed(f"authorization request failed: {exc!r}") from exc


def finish_sign_in(config: SsoConfig) -> SsoResult:
    """Exchange the callback's code and validate the ID token; merge the userinfo claims."""
    try:
        options = _claims_options(config)
        token = config.client.authorize_access_token(
            claims_options=options, claims_cls=CodeIDToken, leeway=LEEWAY_SECONDS
        )
        id_claims = token.get("userinfo")
        if not id_claims or "id_token" not in token:
            raise SsoFailed("the provider answered without a validated ID token")
        claims = {**_userinfo(config, token, id_claims["sub"]), **id_claims}
        return SsoResult(str(id_claims["iss"]), claims, str(token["id_token"]))
    except PROVIDER_ERRORS as exc:
        raise SsoFailed(f"sign-in answer refused: {exc!r}") from exc


def validate_id_token(
    config: SsoConfig, id_token: str, nonce: str, access_token: str | None = None
) -> dict[str, Any]:
    """Return the claims of a valid ID token (signature by the provider's JWKS, iss, aud, exp,
    nonce); raise SsoFailed otherwise. The same checks finish_sign_in has authlib make."""
    token = {"id_token": id_token}
    if access_token:
        token["access_token"] = access_token
    try:
        claims = config.client.parse_id_token(
            token,
            nonce,
            claims_options=_claims_options(config),
            claims_cls=CodeIDToken,
            leeway=LEEWAY_SECONDS,
        )
    except PROVIDER_ERRORS as exc:
        raise SsoFailed(f"ID token refused: {exc!r}") from exc
    return dict(claims)


def logout_url(config: SsoConfig, id_token: str, after_path: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None when it has none."""
    try:
        result = config.client.create_logout_url(
            post_logout_redirect_uri=config.base_url + after_path,
            id_token_hint=id_token,
            client_id=config.client_id,
        )
    except PROVIDER_ERRORS as exc:
        log.warning("single sign-on logout skipped: %r", exc)
        return None
    return str(result["url"])


def _claims_options(config: SsoConfig) -> dict[str, Any]:
    metadata = config.client.load_server_metadata()
    # OpenID Connect Discovery §4.3: the document must be the configured issuer's own.
    if str(metadata.get("issuer", "")).rstrip("/") != config.issuer:
        raise SsoFailed(f"discovery names another issuer: {metadata.get('issuer')!r}")
    # authlib alone accepts a foreign audience when azp names us; the client id must be in aud.
    return {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [config.client_id]},
        "sub": {"essential": True},
    }


def _userinfo(config: SsoConfig, token: dict[str, Any], subject: str) -> dict[str, Any]:
    # Many providers (oidc-provider, Keycloak by choice) put profile and group claims only in
    # the userinfo answer when an access token is issued.
    if not config.client.load_server_metadata().get("userinfo_endpoint"):
        return {}
    info = dict(config.client.userinfo(token=token))
    if info.get("sub") != subject:  # OpenID Connect Core §5.3.2: must match the ID token's
        raise SsoFailed("userinfo answered for another subject")
    return info


def _allow_forms_to_reach(app: Flask, issuer: str) -> None:
    # Signing out is a form POST redirected to the provider's end-session page, and browsers
    # hold redirects after a form submission to the page's form-action.
    parts = urlsplit(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"

    @app.after_request
    def allow_provider_in_form_action(response: Response) -> Response:
        policy = response.headers.get("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {origin}"
        )
        return response

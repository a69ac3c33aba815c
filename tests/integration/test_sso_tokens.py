"""ID tokens from a real provider (oidc-provider): valid ones pass, altered or stale ones do not."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from joserfc import jwt
from joserfc.jwk import RSAKey

from sote_flow.web import create_app
from sote_flow.web.oidc import SsoConfig, SsoFailed, sso_config, validate_id_token
from tests.support.factories import TEST_SECRET
from tests.support.oidc_provider import DUMMY_REDIRECT, OidcProvider, oidc_provider

__all__ = ["oidc_provider"]  # the fixture, imported for pytest

NONCE = "n-0123456789abcdef"


@pytest.fixture
def sso(oidc_provider: OidcProvider, sqlite_databases, tmp_path) -> Iterator[SsoConfig]:
    claim_map = tmp_path / "claims.json"
    claim_map.write_text(json.dumps({"claim": "groups", "map": {}}))
    oidc_provider.set_account("anna", preferred_username="anna", groups=["g"])
    app: Flask = create_app(
        {
            "database_url": sqlite_databases.new_url(),
            "secret_key": TEST_SECRET,
            "oidc_issuer": oidc_provider.issuer,
            "oidc_client_id": oidc_provider.client_id,
            "oidc_client_secret": oidc_provider.client_secret,
            "oidc_claim_map": str(claim_map),
        }
    )
    with app.app_context():
        config = sso_config()
        assert config is not None
        yield config


@pytest.fixture
def real_id_token(oidc_provider: OidcProvider) -> str:
    return str(oidc_provider.sign_in("anna", DUMMY_REDIRECT, NONCE)["id_token"])


def _forge(key: dict, **changes) -> str:
    now = int(time.time())
    claims = {"sub": "anna", "iat": now, "exp": now + 300, "nonce": NONCE, **changes}
    return jwt.encode({"alg": "RS256", "kid": key["kid"]}, claims, RSAKey.import_key(key))


def _flip(text: str, position: int) -> str:
    return text[:position] + ("A" if text[position] != "A" else "B") + text[position + 1 :]


def test_a_real_id_token_from_the_provider_is_accepted(sso, oidc_provider, real_id_token):
    claims = validate_id_token(sso, real_id_token, NONCE)
    assert claims["sub"] == "anna"
    assert claims["iss"] == oidc_provider.issuer
    assert claims["aud"] == oidc_provider.client_id


@pytest.mark.parametrize("part", [1, 2], ids=["payload", "signature"])
def test_a_tampered_id_token_is_refused(sso, real_id_token, part):
    pieces = real_id_token.split(".")
    pieces[part] = _flip(pieces[part], len(pieces[part]) // 2)
    with pytest.raises(SsoFailed):
        validate_id_token(sso, ".".join(pieces), NONCE)


def test_a_token_for_another_nonce_is_refused(sso, real_id_token):
    with pytest.raises(SsoFailed, match="nonce"):
        validate_id_token(sso, real_id_token, "another-nonce")


def test_a_token_signed_with_a_key_outside_the_jwks_is_refused(sso, oidc_provider):
    stranger = RSAKey.generate_key(2048, parameters={"kid": oidc_provider.signing_key()["kid"]})
    forged = _forge(
        stranger.as_dict(private=True), iss=oidc_provider.issuer, aud=oidc_provider.client_id
    )
    with pytest.raises(SsoFailed):
        validate_id_token(sso, forged, NONCE)


def test_a_validly_signed_but_expired_token_is_refused(sso, oidc_provider):
    key = oidc_provider.signing_key()
    common = {"iss": oidc_provider.issuer, "aud": oidc_provider.client_id}
    # The same forgery with a live lifetime passes: the refusal below is the expiry's.
    assert validate_id_token(sso, _forge(key, **common), NONCE)["sub"] == "anna"
    long_ago = int(time.time()) - 3600
    expired = _forge(key, **common, iat=long_ago, exp=long_ago + 600)
    with pytest.raises(SsoFailed, match="exp"):
        validate_id_token(sso, expired, NONCE)


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "http://127.0.0.1:9"},
        {"aud": "another-client"},
        # authlib alone would accept this: a foreign audience when azp names us.
        {"aud": ["another-client"], "azp": "sote-flow-test"},
    ],
    ids=["issuer", "audience", "audience-with-azp"],
)
def test_a_token_for_another_issuer_or_audience_is_refused(sso, oidc_provider, changes):
    claims = {"iss": oidc_provider.issuer, "aud": oidc_provider.client_id, **changes}
    with pytest.raises(SsoFailed):
        validate_id_token(sso, _forge(oidc_provider.signing_key(), **claims), NONCE)


def test_an_unknown_role_in_the_claim_map_stops_the_start(
    oidc_provider, sqlite_databases, tmp_path
):
    claim_map = tmp_path / "claims.json"
    claim_map.write_text(json.dumps({"claim": "groups", "map": {"g": {"roles": ["pomo"]}}}))
    with pytest.raises(ValueError, match="unknown role 'pomo'"):
        create_app(
            {
                "database_url": sqlite_databases.new_url(),
                "secret_key": TEST_SECRET,
                "oidc_issuer": oidc_provider.issuer,
                "oidc_client_id": oidc_provider.client_id,
                "oidc_client_secret": oidc_provider.client_secret,
                "oidc_claim_map": str(claim_map),
            }
        )

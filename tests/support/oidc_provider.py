"""A real OpenID Connect provider for single sign-on tests: oidc-provider on Node, on loopback."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "support" / "oidc" / "provider.mjs"
CLIENT_ID = "sote-flow-test"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"
START_SECONDS = 20.0
STOP_SECONDS = 5.0


@dataclass(frozen=True)
class OidcProvider:
    """A running provider: its issuer, its accounts file and its signing key (for forging)."""

    issuer: str
    accounts_file: Path
    key_file: Path
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def set_account(self, account_id: str, **claims: Any) -> None:
        """Create or replace an account; the provider reads the file at every sign-in."""
        accounts = json.loads(self.accounts_file.read_text())
        accounts[account_id] = claims
        self.accounts_file.write_text(json.dumps(accounts))

    def signing_key(self) -> dict[str, Any]:
        """The provider's private signing key (a JWK) of this run."""
        return dict(json.loads(self.key_file.read_text()))

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document."""
        response = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5)
        response.raise_for_status()
        return dict(response.json())

    def sign_in(self, account_id: str, redirect_uri: str, nonce: str) -> dict[str, Any]:
        """Sign in through the provider's own pages without a browser; return the token answer
        (id_token, access_token) a relying party at `redirect_uri` would get."""
        metadata = self.metadata()
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "scope": "openid profile email groups",
            "redirect_uri": redirect_uri,
            "state": secrets.token_urlsafe(16),
            "nonce": nonce,
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256",
        }
        with requests.Session() as browser:
            response = browser.get(
                metadata["authorization_endpoint"], params=params, timeout=5, allow_redirects=False
            )
            code = self._follow_to_code(browser, response, account_id, redirect_uri)
            answer = browser.post(
                metadata["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": verifier,
                },
                auth=(self.client_id, self.client_secret),
                timeout=5,
            )
        answer.raise_for_status()
        return dict(answer.json())

    def _follow_to_code(
        self, browser: requests.Session, response: requests.Response, account: str, target: str
    ) -> str:
        for _ in range(10):
            location = response.headers.get("Location")
            if location and location.startswith(target):
                return parse_qs(urlsplit(location).query)["code"][0]
            if location:
                url = urljoin(response.url, location)
                response = browser.get(url, timeout=5, allow_redirects=False)
                continue
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert action, f"no login form at the provider: {response.status_code}"
            response = browser.post(
                urljoin(response.url, unescape(action.group(1))),
                data={"prompt": "login", "login": account, "password": "any"},
                timeout=5,
                allow_redirects=False,
            )
        raise AssertionError("the provider never redirected back with a code")


@contextmanager
def running_oidc_provider(
    directory: Path,
    redirect_uris: Sequence[str],
    post_logout_redirect_uris: Sequence[str] = (),
    accounts: Mapping[str, Mapping[str, Any]] | None = None,
) -> Iterator[OidcProvider]:
    """Start the provider on a free loopback port, wait until discovery answers, stop it after."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("Node or oidc-provider missing: run `make install` (npm ci)")
    accounts_file, key_file = directory / "accounts.json", directory / "signing-key.json"
    accounts_file.write_text(json.dumps(dict(accounts or {})))
    env = {
        "PATH": str(Path(node).parent),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": " ".join(redirect_uris),
        "OIDC_POST_LOGOUT_URIS": " ".join(post_logout_redirect_uris),
        "OIDC_ACCOUNTS_FILE": str(accounts_file),
        "OIDC_KEY_FILE": str(key_file),
    }
    log = (directory / "provider.log").open("w")
    process = subprocess.Popen(
        [node, str(SCRIPT), "0"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True
    )
    try:
        issuer = _wait_until_ready(process, directory / "provider.log")
        yield OidcProvider(issuer, accounts_file, key_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_SECONDS)
        if process.stdout:
            process.stdout.close()
        log.close()


def _wait_until_ready(process: subprocess.Popen[str], log: Path) -> str:
    # The first line names the issuer; read it on a thread so a silent process cannot hang us.
    first_line: list[str] = []
    reader = threading.Thread(
        target=lambda: first_line.append(process.stdout.readline() if process.stdout else ""),
        daemon=True,
    )
    reader.start()
    reader.join(timeout=START_SECONDS)
    line = first_line[0] if first_line else ""
    if not line.startswith("OIDC_READY http://127.0.0.1:"):
        raise RuntimeError(f"the OIDC provider did not start: {line!r}\n{log.read_text()}")
    issuer = line.split()[1]
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return issuer
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the OIDC provider's discovery never answered\n{log.read_text()}")


DUMMY_REDIRECT = "http://127.0.0.1:9/login/sso/callback"  # never served: sign_in stops before it


@pytest.fixture
def oidc_provider(tmp_path: Path) -> Iterator[OidcProvider]:
    """A provider whose client redirects to DUMMY_REDIRECT (tokens fetched without a browser)."""
    with running_oidc_provider(tmp_path, [DUMMY_REDIRECT]) as provider:
        yield provider

"""PDFs are rendered offline, in DejaVu, with Finnish text that can be extracted again."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import urlopen

import pytest
from pypdf import PdfReader

from sote_flow.services.pdf import OfflineFetcher, render_pdf

# A 1×1 PNG: inline data is the one kind of resource a document may carry.
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
    "hQGAhKmMIQAAAABJRU5ErkJggg=="
)
AGREEMENT = """<!doctype html>
<html lang="fi"><head><meta charset="utf-8"><title>Sopimus</title>
<style>h1 { font-size: 16pt; } td { border-bottom: 1px solid #999; }</style></head>
<body>
<h1>Sopimus lapsen elatuksesta</h1>
<h2>Osapuolet</h2>
<p>Äiti ja isä sopivat lapsen elatuksesta seuraavasti.</p>
<table>
  <tr><th>Lapsi</th><th>Elatusapu</th></tr>
  <tr><td>Lapsi 1</td><td>Elatusapu 250,00 € / kk</td></tr>
</table>
<p>Allekirjoitettu Maarianhaminassa (Åland).</p>
</body></html>
"""


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012  (shared by the handler instances of one server)

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def loopback_server() -> Iterator[tuple[str, list[str]]]:
    received: list[str] = []
    handler = type("Recorder", (_Recorder,), {"requests": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_finnish_text_comes_out_extractable_in_dejavu():
    pdf = render_pdf(AGREEMENT)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for expected in (
        "Sopimus lapsen elatuksesta",
        "Äiti ja isä sopivat",
        "Elatusapu 250,00 € / kk",
        "Lapsi 1",
        "(Åland)",
    ):
        assert expected in text
    assert _fonts(pdf) <= {"DejaVu-Sans", "DejaVu-Sans-Bold"}


def test_no_url_in_a_document_is_fetched(loopback_server):
    base, received = loopback_server
    html = AGREEMENT.replace(
        "<style>",
        f"<link rel='stylesheet' href='{base}/linked.css'><style>@import url({base}/imported.css);"
        f"@font-face {{ font-family: Kauko; src: url({base}/font.woff); }}",
    ).replace(
        "</body>",
        f"<img src='{base}/x.png'><img src='http://127.0.0.1:9/x.png'>"
        f"<img src='file:///etc/passwd'><img src='{PIXEL}'></body>",
    )
    fetcher = OfflineFetcher()

    pdf = render_pdf(html, fetcher)

    assert received == []
    assert set(fetcher.refused) >= {
        f"{base}/linked.css",
        f"{base}/imported.css",
        f"{base}/x.png",
        "http://127.0.0.1:9/x.png",
        "file:///etc/passwd",
    }
    assert not any(url.startswith("data:") for url in fetcher.refused)
    assert "Äiti ja isä sopivat" in _text(pdf)


def test_the_recorder_would_have_seen_a_request(loopback_server):
    # Guards the test above: the loopback server does answer when really asked.
    base, received = loopback_server
    with urlopen(f"{base}/probe.css", timeout=5) as response:
        assert response.status == 200
    assert received == ["/probe.css"]

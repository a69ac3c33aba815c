"""HTML to PDF with WeasyPrint, offline: a document never makes the server fetch anything.

Documents are built from case data; a URL in them (an image, a stylesheet, a font) must not
make the server call out, so every URL except an inline `data:` one is refused. WeasyPrint
reports a refused resource as a warning and renders the document without it.
"""

from __future__ import annotations

from typing import Any

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

# DejaVu (Debian's fonts-dejavu-core) covers ä, ö, å and €; the document's own CSS may override
# these (they are a user stylesheet, below the author's in the cascade).
DEFAULT_CSS = """
@page { size: A4; margin: 20mm 18mm; }
html { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.4; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 2pt 6pt 2pt 0; }
"""


class OfflineFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """A URL fetcher that serves `data:` URLs and refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        """Decode a `data:` URL; refuse anything else before any connection is made."""
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"PDF rendering fetches nothing from outside: {url[:200]}")
        return super().fetch(url, headers)


def render_pdf(html: str, fetcher: OfflineFetcher | None = None) -> bytes:
    """Render an HTML document to PDF bytes without any network or file access."""
    fetcher = fetcher or OfflineFetcher()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[CSS(string=DEFAULT_CSS, url_fetcher=fetcher)])
    if not isinstance(pdf, bytes):
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf

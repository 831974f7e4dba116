"""Printing a document fetches nothing: a URL in a page never reaches the network."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from keel.core.documents import pdf_from_html

# A 1x1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def serving_a_pixel() -> tuple[ThreadingHTTPServer, list[str]]:
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PIXEL)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, asked


def test_printing_a_page_with_outside_urls_fetches_none_of_them():
    """Given a local server with an image, and a page naming it, a stylesheet on it and
    /etc/passwd; When the page is printed; Then the server was asked nothing, and the
    PDF is made (with the image inlined as a data: URL, which is allowed)."""
    server, asked = serving_a_pixel()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        inline = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
        html = (
            f'<link rel="stylesheet" href="{base}/style.css">'
            f'<p>Invoice</p><img src="{base}/logo.png"><img src="file:///etc/passwd">'
            f'<img src="{inline}">'
        )
        pdf = pdf_from_html(html)
    finally:
        server.shutdown()
    assert asked == []
    assert pdf.startswith(b"%PDF")
    only_inline = pdf_from_html(f'<p>Invoice</p><img src="{inline}">')
    assert pdf.count(b"/Subtype /Image") == only_inline.count(b"/Subtype /Image") > 0

"""A small HTTP proxy in front of moto's IAM API, for the audit tests.

It answers ``AccessDenied`` (IAM's query-protocol error, as tests/e2e/proxy.py spells
it) for the operations in ``deny``, and pages list answers the way AWS may: at most
``page`` items per answer, with ``IsTruncated``/``Marker``. moto pages
ListAttachedRolePolicies and ListRoles itself (given MaxItems) but returns every inline
policy name of ListRolePolicies at once, so the proxy pages that one by slicing moto's
full answer.
"""

from __future__ import annotations

import http.client
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

NS = "https://iam.amazonaws.com/doc/2010-05-08/"
_MOTO_PAGES = {"ListAttachedRolePolicies", "ListRoles"}


@dataclass
class ProxyState:
    moto: str  # host:port
    deny: set[str] = field(default_factory=set)
    page: int | None = None
    seen: list[str] = field(default_factory=list)  # operations, in order


def _denied(action: str) -> bytes:
    rid = uuid.uuid4()
    return (f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>AccessDenied</Code>'
            f"<Message>User: arn:aws:sts::123456789012:assumed-role/auditor/s is not authorized to perform: "
            f"iam:{action}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>").encode()


def _role_policies_page(body: bytes, marker: str | None, size: int) -> bytes:
    """moto's whole ListRolePolicies answer as one page of ``size`` names from ``marker``."""
    ET.register_namespace("", NS)
    root = ET.fromstring(body)
    result = root.find(f"{{{NS}}}ListRolePoliciesResult")
    assert result is not None
    names_el = result.find(f"{{{NS}}}PolicyNames")
    assert names_el is not None
    names = [m.text or "" for m in names_el]
    start = int(marker) if marker else 0
    for m in list(names_el):
        names_el.remove(m)
    for name in names[start:start + size]:
        ET.SubElement(names_el, f"{{{NS}}}member").text = name
    for tag in ("IsTruncated", "Marker"):
        old = result.find(f"{{{NS}}}{tag}")
        if old is not None:
            result.remove(old)
    truncated = start + size < len(names)
    ET.SubElement(result, f"{{{NS}}}IsTruncated").text = "true" if truncated else "false"
    if truncated:
        ET.SubElement(result, f"{{{NS}}}Marker").text = str(start + size)
    return ET.tostring(root)


def _handler(state: ProxyState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            params = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
            action = params.get("Action", "")
            state.seen.append(action)
            if action in state.deny:
                self._answer(403, _denied(action))
                return
            marker = None
            if state.page and action in _MOTO_PAGES:
                params["MaxItems"] = str(min(int(params.get("MaxItems", state.page)), state.page))
            elif state.page and action == "ListRolePolicies":
                marker = params.pop("Marker", None)
                params.pop("MaxItems", None)
            forwarded = urlencode(params).encode()
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            conn = http.client.HTTPConnection(state.moto, timeout=60)
            conn.request("POST", urlparse(self.path).path or "/", forwarded, headers)
            resp = conn.getresponse()
            data = resp.read()
            if state.page and action == "ListRolePolicies" and resp.status == 200:
                data = _role_policies_page(data, marker, state.page)
            self._answer(resp.status, data)

        def _answer(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def proxy(moto_url: str, deny: set[str] | None = None, page: int | None = None) -> Iterator[tuple[str, ProxyState]]:
    """The proxy's URL and its state (change ``deny``/``page`` as a test goes)."""
    state = ProxyState(urlparse(moto_url).netloc, set(deny or ()), page)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()

"""The recording, judging HTTP proxy between the SST CLI and moto.

Every request is recorded (phase, who signed it, service, operation, region, the IAM
checks it needs, see :mod:`calls`). A request signed with the deployer's own access key
is judged with the deployer's documents (:mod:`judge`); when ``enforce`` is on and a
check is not granted, the proxy answers ``AccessDenied`` in the service's own protocol
and moto never sees the request, so SST fails where a real deploy would. Requests signed
with keys moto issued for an assumed CDK role are recorded under that role and forwarded:
those roles' permissions are theirs, not the deployer's.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from .calls import Check, Request, as_caller_checks, checks, form, parse_template, signature
from .judge import Judge

MQTT_PATH = "/__e2e/mqtt"  # where the in-process MQTT bridge (mqtt_bridge.cjs) reports
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


@dataclass
class Recorded:
    phase: str
    signer: str  # "deployer", the assumed role's name, or "other"
    service: str
    operation: str
    region: str
    checks: list[Check]
    denied: list[Check] = field(default_factory=list)
    status: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase, "signer": self.signer, "service": self.service,
            "operation": self.operation, "region": self.region, "status": self.status,
            "checks": [c.as_json() for c in self.checks],
            "denied": [c.as_json() for c in self.denied],
        }


@dataclass
class ProxyState:
    moto: str  # host:port
    account: str
    deployer_keys: set[str] = field(default_factory=set)
    judge: Judge | None = None
    enforce: bool = False
    phase: str = "setup"
    records: list[Recorded] = field(default_factory=list)
    stack_ids: dict[str, str] = field(default_factory=dict)
    key_roles: dict[str, str] = field(default_factory=dict)  # access key -> assumed role name
    # stack name -> (RoleARN, TemplateBody) of the deployer's last change set for it
    change_sets: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def signer(self, key: str) -> str:
        if key in self.deployer_keys:
            return "deployer"
        return self.key_roles.get(key, "other")


def _denied_response(service: str, message: str) -> tuple[int, dict[str, str], bytes]:
    """AccessDenied as the service's protocol spells it."""
    rid = str(uuid.uuid4())
    if service in ("cloudformation", "sts", "iam"):
        body = (f'<ErrorResponse xmlns="http://{service}.amazonaws.com/doc/"><Error><Type>Sender</Type>'
                f"<Code>AccessDenied</Code><Message>{message}</Message></Error>"
                f"<RequestId>{rid}</RequestId></ErrorResponse>")
        return 403, {"Content-Type": "text/xml"}, body.encode()
    if service == "s3":
        body = f"<Error><Code>AccessDenied</Code><Message>{message}</Message><RequestId>{rid}</RequestId></Error>"
        return 403, {"Content-Type": "application/xml"}, body.encode()
    if service == "ssm":  # JSON 1.1 protocol
        return 400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": rid}, json.dumps(
            {"__type": "AccessDeniedException", "message": message}).encode()
    # REST-JSON (Lambda, IoT)
    return 403, {"Content-Type": "application/json", "x-amzn-ErrorType": "AccessDeniedException",
                 "x-amzn-RequestId": rid}, json.dumps({"Message": message}).encode()


def _message(c: Check) -> str:
    return f"User is not authorized to perform: {c.action} on resource: {c.resource} (sst-deployer e2e judge)"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in _HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        state = self.server.state
        body = self._body()
        url = urlparse(self.path)
        if url.path == MQTT_PATH:
            self._mqtt(json.loads(body))
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(self.command, url.path, parse_qs(url.query, keep_blank_values=True), headers, body)
        sig = signature(req)
        record = None
        if sig is not None:
            with state.lock:
                ids = dict(state.stack_ids)
            tags = self._tags(req, sig)
            op, needed = checks(req, sig, state.account, ids, tags)
            with state.lock:
                record = Recorded(state.phase, state.signer(sig.access_key), sig.service, op, sig.region, needed)
                state.records.append(record)
            if record.signer == "deployer" and state.judge is not None:
                record.denied = state.judge.denied(needed)
                if record.denied and state.enforce:
                    record.status = 403
                    self._reply(*_denied_response(sig.service, _message(record.denied[0])))
                    return
        status, rheaders, rbody = self._forward(req)
        if record is not None:
            record.status = status
            self._learn(req, record, rbody)
            if record.signer == "deployer" and record.operation == "ExecuteChangeSet" and status == 200:
                try:
                    self._as_caller(req, record)
                except Exception as exc:  # a judge that cannot judge fails the run, loudly
                    record.denied.append(Check("e2e:CouldNotJudge", f"{type(exc).__name__}: {exc}"))
        self._reply(status, rheaders, rbody)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

    def _forward(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.server.state.moto, timeout=300)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        headers["Content-Length"] = str(len(req.body))
        try:
            conn.request(self.command, self.path, body=req.body, headers=headers)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def _learn(self, req: Request, record: Recorded, body: bytes) -> None:
        """Names AWS handed out: stack ids, and the access keys of assumed roles."""
        state = self.server.state
        text = body.decode("utf-8", "replace")
        with state.lock:
            if record.service == "cloudformation":
                for stack_id in re.findall(r"<StackId>(arn:[^<]+)</StackId>", text):
                    name = stack_id.split(":stack/")[1].split("/")[0]
                    state.stack_ids[name] = stack_id
            if record.signer == "deployer" and record.operation == "CreateChangeSet":
                params = form(req)
                state.change_sets[params.get("StackName", "")] = (params.get("RoleARN", ""),
                                                                  params.get("TemplateBody", ""))
            if record.operation == "AssumeRole" and record.status == 200:
                key = re.search(r"<AccessKeyId>([^<]+)</AccessKeyId>", text)
                role = record.checks[0].resource.split("/")[-1] if record.checks else "?"
                if key:
                    state.key_roles[key.group(1)] = role

    def _as_caller(self, req: Request, record: Recorded) -> None:
        """A change set executed without RoleARN: CloudFormation created the stack's resources
        with the deployer's own credentials; judge those calls too (after the fact: moto has
        already made them, so a denial shows in the record, not as AccessDenied)."""
        state = self.server.state
        name = form(req).get("StackName", "")
        role_arn, body = state.change_sets.get(name, ("", ""))
        if role_arn or not body:
            return
        import boto3

        cfn = boto3.client("cloudformation", endpoint_url=f"http://{state.moto}", region_name=record.region,
                           aws_access_key_id="e2e-setup", aws_secret_access_key="e2e-setup")
        created = {r["LogicalResourceId"]: (r["ResourceType"], r.get("PhysicalResourceId", ""))
                   for r in cfn.describe_stack_resources(StackName=name)["StackResources"]
                   if r.get("LogicalResourceId")}
        implied = as_caller_checks(parse_template(body), created, record.region, state.account)
        record.checks.extend(implied)
        if state.judge is not None:
            record.denied.extend(state.judge.denied(implied))

    def _tags(self, req: Request, sig: Any) -> dict[str, dict[str, str]]:
        """The tags of the Lambda function a request names, read from moto (the context
        of ``aws:ResourceTag/...`` conditions)."""
        if sig.service != "lambda" or "/functions/" not in req.path:
            return {}
        from .calls import _lambda_operation, lambda_function_arn

        _, name = _lambda_operation(req)
        if not name:
            return {}
        arn = lambda_function_arn(name, sig.region, self.server.state.account)
        conn = http.client.HTTPConnection(self.server.state.moto, timeout=30)
        try:
            conn.request("GET", f"/2017-03-31/tags/{arn}", headers={
                "Authorization": f"AWS4-HMAC-SHA256 Credential=e2e-setup/20260101/{sig.region}/lambda/aws4_request, "
                                 "SignedHeaders=host, Signature=0"})
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 200:
                return {}
            return {arn: dict(json.loads(data).get("Tags", {}))}
        finally:
            conn.close()

    def _mqtt(self, event: dict[str, Any]) -> None:
        """An MQTT action the in-process bridge saw (Connect, Subscribe, Receive, Publish)."""
        state = self.server.state
        check = Check(event["action"], event["resource"], {"aws:requestedregion": event["region"]})
        with state.lock:
            record = Recorded(state.phase, state.signer(event["accessKeyId"]), "iot-data", event["operation"],
                              event["region"], [check], status=200)
            state.records.append(record)
        if record.signer == "deployer" and state.judge is not None:
            record.denied = state.judge.denied([check])
        self._reply(403 if record.denied and state.enforce else 200, {"Content-Type": "application/json"}, b"{}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ProxyState

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (node closing keep-alive sockets at exit) is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def running(state: ProxyState) -> Iterator[str]:
    """The proxy on a free port of 127.0.0.1; yields its URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = state
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

"""Fixtures: a loopback HTTP SMS gateway, a loopback SMTP server (aiosmtpd), eager Celery."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackGateway:
    """A real HTTP server on 127.0.0.1. `script` holds the status codes of the next answers
    (then 200). `received` lists every request: headers and JSON body.

    Status lookup: `GET <status_url>/<idempotency key>` answers 200 {"status": "accepted", "id"}
    for a key it accepted, else 404 (`lookups` lists the keys asked; `status_script` holds the
    status codes of the next lookup answers). `hold` (a threading.Event, unset = wait) makes every
    send wait AFTER the message is accepted and recorded, before answering: a worker killed then
    has had its message accepted with no outcome recorded."""

    def __init__(self):
        self.script: list[int] = []
        self.received: list[dict] = []
        self.lookups: list[str] = []
        self.status_script: list[int] = []
        self.hold: threading.Event | None = None
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # headers and body in separate writes: no 40 ms stalls
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                message_id = f"gw-{uuid.uuid4().hex[:12]}"
                with gateway.lock:
                    status = gateway.script.pop(0) if gateway.script else 200
                    gateway.received.append(
                        {
                            "headers": dict(self.headers),
                            "json": body,
                            "status": status,
                            "id": message_id,
                            "key": self.headers.get("Idempotency-Key"),
                            "peer": self.client_address,  # one per TCP connection
                        }
                    )
                if gateway.hold is not None:
                    gateway.hold.wait(30)
                answer = (
                    {"id": message_id, "status": "accepted"}
                    if status < 300
                    else {"error": "try later" if status >= 500 else "bad request"}
                )
                self._answer(status, answer)

            def do_GET(self):
                prefix = gateway.status_path + "/"
                if not self.path.startswith(prefix):
                    return self._answer(404, {"error": "not found"})
                key = self.path[len(prefix) :]
                with gateway.lock:
                    gateway.lookups.append(key)
                    scripted = gateway.status_script.pop(0) if gateway.status_script else None
                    known = [r for r in gateway.received if r["status"] < 300 and r["key"] == key]
                if scripted is not None:
                    return self._answer(scripted, {"error": "scripted"})
                if not known:
                    return self._answer(404, {"error": "unknown key"})
                return self._answer(200, {"id": known[0]["id"], "status": "accepted"})

            def _answer(self, status, answer):
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.status_path = "/sms/status"
        self.status_url = f"http://127.0.0.1:{self.server.server_address[1]}{self.status_path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def accepted(self) -> list[dict]:
        return [r for r in self.received if r["status"] < 300]

    def close(self):
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    gw = LoopbackGateway()
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = gw.url
    settings.SMS_GATEWAY_API_KEY = "test-key"
    yield gw
    gw.close()


class SmtpSink:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.peers: list = []  # the client address of each message: one per SMTP connection
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.peers.append(session.peer)
                sink.messages.append(
                    (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
                )
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self):
        self.controller.stop()


@pytest.fixture
def smtp_server(settings):
    sink = SmtpSink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    yield sink
    sink.close()


@pytest.fixture(autouse=True)
def _notification_settings(settings, request):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"notif-{uuid.uuid4().hex}",
        }
    }
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0.01
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 0.05
    settings.SMS_RECEIPT_SECRETS = ["current-secret", "previous-secret"]
    settings.SMS_BACKEND = "outbox"
    if "real_worker" not in request.fixturenames:
        old = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        yield
        celery_app.conf.task_always_eager = old
    else:
        yield


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user(
        username="001099000001",
        personal_id="001099000001",
        password="Mat-khau-rat-dai-2024",
        full_name="Nguyễn Thị Hương",
        phone="+84912345678",
        email="huong@example.vn",
    )


@pytest.fixture
def other_citizen(django_user_model):
    return django_user_model.objects.create_user(
        username="001099000002",
        personal_id="001099000002",
        password="Mat-khau-rat-dai-2024",
        full_name="Trần Văn Bình",
        phone="+84987654321",
        email="binh@example.vn",
    )

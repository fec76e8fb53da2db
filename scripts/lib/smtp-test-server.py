#!/usr/bin/env python3
"""A real SMTP server on loopback for LeadBridge's tests and benchmarks (aiosmtpd).

Two listeners: STARTTLS (offered, required before AUTH) and implicit TLS, both with a
throwaway certificate authority made at start (openssl), whose certificate is written for
the client to trust. AUTH PLAIN and LOGIN for one test account. Each accepted message is
kept in the spool folder as <id>.eml beside <id>.json (its envelope, whether TLS and AUTH
were used), and answered "250 2.0.0 Ok: queued as <id>".

Refusals, without touching the others' tests (they run in parallel):
  - a recipient starting "reject-" is answered 550, "busy-" 451;
  - "flaky<N>-..." is answered 451 the first N times it is tried, then accepted;
  - "slow<N>-..." waits N seconds before answering (timeouts);
  - the control interface's POST /refuse?code=421&seconds=30 answers every MAIL FROM with
    that code for that long (the benchmark's outage); POST /reset ends it.
Control interface (HTTP on loopback): GET /health, POST /refuse, POST /reset, GET /stats.

Prints one line "READY smtp=HOST:PORT smtps=HOST:PORT control=URL ca=PATH spool=DIR" and
writes the same values as shell assignments to --env-file.
"""
import argparse
import asyncio
import json
import logging
import os
import ssl
import subprocess
import sys
import threading
import time
import uuid
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

HOST = "127.0.0.1"


def make_certificates(folder):
    """A CA and a server certificate for localhost and 127.0.0.1, signed by it."""
    ca_key, ca_cert = os.path.join(folder, "ca.key"), os.path.join(folder, "ca.pem")
    key, csr, cert = (os.path.join(folder, n) for n in ("server.key", "server.csr", "server.pem"))
    ext = os.path.join(folder, "server.ext")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_cert,
        "-days", "2", "-subj", "/CN=LeadBridge test mail CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", "2", "-extfile", ext)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, ca_cert


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.refuse_code = None
        self.refuse_until = 0.0
        self.tries = {}
        self.accepted = 0
        self.refused = 0

    def refusal(self):
        with self.lock:
            if self.refuse_code and time.time() < self.refuse_until:
                self.refused += 1
                return self.refuse_code
            return None


class Handler:
    def __init__(self, spool, state, implicit_tls=False):
        self.spool, self.state, self.implicit_tls = spool, state, implicit_tls

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        code = self.state.refusal()
        if code:
            sentence = "4.3.2 The test server is refusing mail for now" if code < 500 else "5.7.1 The test server refuses this mail"
            return f"{code} {sentence}"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject-"):
            return "550 5.1.1 <%s>: Recipient address rejected: no such user here" % address
        if local.startswith("busy-"):
            return "451 4.2.1 <%s>: mailbox busy, try again later" % address
        if local.startswith("flaky"):
            count = int("".join(c for c in local[5:].split("-")[0] if c.isdigit()) or "1")
            with self.state.lock:
                seen = self.state.tries.get(address, 0)
                self.state.tries[address] = seen + 1
            if seen < count:
                return "451 4.7.1 <%s>: greylisted, try again in a moment" % address
        if local.startswith("slow"):
            await asyncio.sleep(int("".join(c for c in local[4:].split("-")[0] if c.isdigit()) or "5"))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        queue_id = uuid.uuid4().hex[:12].upper()
        raw = envelope.original_content or envelope.content
        with open(os.path.join(self.spool, queue_id + ".eml"), "wb") as f:
            f.write(raw)
        meta = {
            "id": queue_id, "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
            "tls": self.implicit_tls or session.ssl is not None, "auth": bool(session.authenticated),
            "received_at": time.time(), **parsed(raw),
        }
        tmp = os.path.join(self.spool, queue_id + ".json.tmp")
        with open(tmp, "w") as f:
            json.dump(meta, f)
        os.rename(tmp, os.path.join(self.spool, queue_id + ".json"))
        with self.state.lock:
            self.state.accepted += 1
        return "250 2.0.0 Ok: queued as " + queue_id


def parsed(raw):
    """The message as Python's email package reads it: headers decoded, both parts, defects."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    raw_message = BytesParser(policy=policy.compat32).parsebytes(raw)
    parts = {}
    for part in message.walk():
        if part.get_content_maintype() == "text" and part.get_content_type() not in parts:
            parts[part.get_content_type()] = part.get_content()
    defects = [type(d).__name__ for d in message.defects]
    for part in message.walk():
        defects += [type(d).__name__ for d in part.defects]
    return {
        "headers": [[name, str(value)] for name, value in message.items()],
        "raw_headers": [[name, str(value)] for name, value in raw_message.items()],
        "content_type": message.get_content_type(),
        "text": parts.get("text/plain"), "html": parts.get("text/html"),
        "defects": defects,
        "longest_line": max((len(line) for line in raw.split(b"\r\n")), default=0),
    }


def authenticator(username, password):
    def check(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == username and auth_data.password.decode() == password:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
    return check


class RedactingFilter(logging.Filter):
    """The transcript keeps every line but AUTH's credentials."""
    def filter(self, record):
        message = record.getMessage()
        if "AUTH" in message.upper() or "334" in message:
            record.msg, record.args = "(an AUTH line, not recorded)", ()
        return True


def control_server(state, port):
    class Control(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, body):
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            with state.lock:
                self.answer({"accepted": state.accepted, "refused": state.refused})

        def do_POST(self):
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with state.lock:
                if url.path == "/refuse":
                    state.refuse_code = int(query.get("code", "421"))
                    state.refuse_until = time.time() + float(query.get("seconds", "30"))
                elif url.path == "/reset":
                    state.refuse_code, state.refuse_until = None, 0.0
                    state.accepted = state.refused = 0
            self.answer({"ok": True})

    server = ThreadingHTTPServer((HOST, port), Control)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True, help="certificates, spool/ and transcript.log go here")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--username", default="leadbridge")
    parser.add_argument("--password", default="test-mail-password")
    parser.add_argument("--env-file")
    args = parser.parse_args()

    os.makedirs(args.folder, exist_ok=True)
    spool = os.path.join(args.folder, "spool")
    os.makedirs(spool, exist_ok=True)
    tls_context, ca_path = make_certificates(args.folder)

    transcript = logging.FileHandler(os.path.join(args.folder, "transcript.log"))
    transcript.addFilter(RedactingFilter())
    transcript.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    mail_log = logging.getLogger("mail.log")
    mail_log.setLevel(logging.DEBUG)
    mail_log.addHandler(transcript)

    state = State()
    handler = Handler(spool, state)
    common = dict(handler=handler, hostname=HOST, authenticator=authenticator(args.username, args.password),
                  auth_require_tls=True, auth_exclude_mechanism=["CRAM-MD5"], decode_data=False,
                  data_size_limit=10 * 1024 * 1024, ready_timeout=10)
    starttls = Controller(port=args.port or free_port(), tls_context=tls_context, require_starttls=False, **common)
    # The implicit-TLS listener offers LOGIN alone, so both mechanisms are tried for real.
    # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; this listener is TLS throughout.
    implicit_options = dict(common, handler=Handler(spool, state, implicit_tls=True),
                            auth_exclude_mechanism=["CRAM-MD5", "PLAIN"], auth_require_tls=False)
    implicit = Controller(port=free_port(), ssl_context=tls_context, **implicit_options)
    starttls.start()
    implicit.start()
    control_port = free_port()
    control_server(state, control_port)

    values = {
        "LEADBRIDGE_TEST_SMTP": f"{HOST}:{starttls.port}",
        "LEADBRIDGE_TEST_SMTPS": f"{HOST}:{implicit.port}",
        "LEADBRIDGE_TEST_SMTP_CA": ca_path,
        "LEADBRIDGE_TEST_SMTP_SPOOL": spool,
        "LEADBRIDGE_TEST_SMTP_CONTROL": f"http://{HOST}:{control_port}",
        "LEADBRIDGE_TEST_SMTP_USERNAME": args.username,
        "LEADBRIDGE_TEST_SMTP_PASSWORD": args.password,
    }
    if args.env_file:
        with open(args.env_file + ".tmp", "w") as f:
            for name, value in values.items():
                f.write(f"export {name}='{value}'\n")
        os.rename(args.env_file + ".tmp", args.env_file)
    print("READY " + " ".join(f"{k}={v}" for k, v in values.items()), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        starttls.stop()
        implicit.stop()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""docs/production.md's proxy step, followed: nginx with TLS in front of a live ingest.

Takes the two nginx blocks from docs/production.md as they are printed (so the
guide cannot rot), points them at a self-signed certificate, a free port and the
ingest this test starts (with SLUICE_TRUSTED_PROXIES=127.0.0.1 as the guide says,
and SLUICE_IP_MODE=full so the stored address can be compared), runs Debian's
nginx, and checks through HTTPS: an event from 127.0.0.2 with a forged
X-Forwarded-For is stored with 127.0.0.2; the visitor cookie is Secure; tracker.js
is served; /metrics, /healthz, /readyz and /openapi.json answer 404 from outside.

    scripts/test.sh runs it (PROXY_TEST=0 skips it there); by hand, with the
    servers and env of scripts/test.sh: .venv/bin/python tests/proxy/test_proxy.py
"""
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "browser"))
import test_tracker as helpers  # noqa: E402  (its Stack, http and Redis helpers)

helpers.LOG_TAG = "proxy"
from test_tracker import check, log  # noqa: E402

GUIDE = os.path.join(ROOT, "docs", "production.md")
CLIENT = "127.0.0.2"  # a loopback address that is not the trusted proxy


def nginx_config(tmp, ingest_port, tls_port):
    """The guide's server and proxy blocks, with test paths and ports, in a complete nginx.conf."""
    with open(GUIDE) as f:
        blocks = re.findall(r"```nginx\n(.*?)```", f.read(), re.S)
    check(len(blocks) == 2, f"docs/production.md has the server block and the proxy include ({len(blocks)} nginx blocks)")
    server, include = blocks[0], blocks[1]
    with open(os.path.join(tmp, "sluice-proxy.conf"), "w") as f:
        f.write(include)
    server = (server.replace("/etc/letsencrypt/live/track.example.com/fullchain.pem", f"{tmp}/cert.pem")
              .replace("/etc/letsencrypt/live/track.example.com/privkey.pem", f"{tmp}/key.pem")
              .replace("/etc/nginx/sluice-proxy.conf", f"{tmp}/sluice-proxy.conf")
              .replace("http://127.0.0.1:3005", f"http://127.0.0.1:{ingest_port}")
              .replace("listen 443 ssl", f"listen 127.0.0.1:{tls_port} ssl"))
    check(f"127.0.0.1:{ingest_port}" in server and str(tls_port) in server, "the guide's blocks have the ports and paths this test replaces")
    temp_paths = " ".join(f"{name}_temp_path {tmp}/{name};" for name in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"])
    path = os.path.join(tmp, "nginx.conf")
    with open(path, "w") as f:
        f.write(f"daemon off;\npid {tmp}/nginx.pid;\nerror_log {tmp}/nginx-error.log;\nevents {{}}\n"
                f"http {{\n access_log off;\n {temp_paths}\n{server}\n}}\n")
    return path


class SourceBoundHTTPS(http.client.HTTPSConnection):
    """HTTPS from CLIENT, so nginx sees a client other than the proxy ingest trusts."""

    def __init__(self, port):
        super().__init__("127.0.0.1", port, timeout=5, context=ssl._create_unverified_context(), source_address=(CLIENT, 0))


def https(port, method, path, headers=None, body=None):
    conn = SourceBoundHTTPS(port)
    try:
        conn.request(method, path, body=body, headers={"Host": "track.example.com", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    env = os.environ
    missing = [k for k in ["SLUICE_BIN_DIR", "SLUICE_TEST_REDIS_URL", "SLUICE_TEST_MONGO_URL"] if not env.get(k)]
    if missing:
        helpers.fail(f"{', '.join(missing)} not set: run it through scripts/test.sh (make test), which starts the servers")
    for tool, package in [("nginx", "nginx"), ("openssl", "openssl")]:
        if not shutil.which(tool):
            helpers.fail(f"{tool} not found: apt-get install {package} (scripts/bootstrap.sh does)")
    import pymongo

    tmp = tempfile.mkdtemp(prefix="sluice-proxy.")
    redis_url = env["SLUICE_TEST_REDIS_URL"].rstrip("/") + f"/{helpers.REDIS_DB}"
    database = f"proxy_{uuid.uuid4().hex[:8]}"
    mongo_base = env["SLUICE_TEST_MONGO_URL"].rstrip("/")
    helpers.redis_flush(redis_url)
    stack = helpers.Stack(env["SLUICE_BIN_DIR"], redis_url, f"{mongo_base}/{database}", tmp)
    stack.settings.update({"SLUICE_TRUSTED_PROXIES": "127.0.0.1", "SLUICE_IP_MODE": "full"})
    mongo = pymongo.MongoClient(mongo_base + "/", serverSelectionTimeoutMS=5000)
    nginx = None
    ok = False
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{tmp}/key.pem", "-out", f"{tmp}/cert.pem",
                        "-days", "1", "-subj", "/CN=track.example.com"], check=True, capture_output=True)
        stack.start()
        tls_port = free_port()
        config = nginx_config(tmp, stack.ingest_port, tls_port)
        tested = subprocess.run(["nginx", "-t", "-c", config], capture_output=True, text=True)
        check(tested.returncode == 0, f"nginx -t accepts the guide's configuration:\n{tested.stderr}")
        nginx = subprocess.Popen(["nginx", "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        helpers.wait_for("nginx to listen", lambda: nginx.poll() is None and https(tls_port, "GET", "/tracker.js")[0] == 200)
        log(f"nginx on https://127.0.0.1:{tls_port} in front of ingest :{stack.ingest_port}")

        body = b'{"id":"proxied-1","eventType":"proxy","eventName":"through-nginx"}'
        status, headers, answer = https(tls_port, "POST", "/api/analytics/track/event",
                                        {"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9",
                                         "User-Agent": helpers.USER_AGENT}, body)
        check(status == 202, f"an event through the proxy is accepted ({status} {answer[:200]!r})")
        cookies = [value for name, value in headers if name.lower() == "set-cookie" and value.startswith("sluice_visitor=")]
        check(len(cookies) == 1 and "Secure" in cookies[0], f"the visitor cookie is Secure behind TLS ({cookies})")
        for path in ["/metrics", "/healthz", "/readyz", "/openapi.json"]:
            status, _, _ = https(tls_port, "GET", path)
            check(status == 404, f"{path} is not reachable through the proxy ({status})")
        status, _, script = https(tls_port, "GET", "/tracker.js", {"Accept-Encoding": "identity"})
        check(status == 200 and script.startswith(b"/*! Sluice browser tracker"), "tracker.js is served through the proxy")

        db = mongo[database]
        helpers.wait_for("the worker to store the event", lambda: stack.alive() and db.userevents.count_documents({"eventId": "proxied-1"}) == 1)
        stored = db.userevents.find_one({"eventId": "proxied-1"})
        check(stored.get("ip") == CLIENT, f"the client's address is stored, not the forged one or the proxy's ({stored.get('ip')})")
        ok = not helpers.failures
    except Exception as error:
        helpers.failures.append(f"{type(error).__name__}: {error}")
        log(f"error: {type(error).__name__}: {error}")
    finally:
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        error_log = os.path.join(tmp, "nginx-error.log")
        if not ok and os.path.exists(error_log):
            print(open(error_log).read()[-3000:], flush=True)
        helpers.clean_up(stack, ok, mongo, database, redis_url, tmp)
    return helpers.verdict()


if __name__ == "__main__":
    sys.exit(main())

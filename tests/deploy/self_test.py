#!/usr/bin/env python3
"""The deploy checks fail on broken files: each one is run on a copy of the tree
with one file broken on purpose, and must exit 1 naming the problem; the copy
unbroken must pass. Guards against a check that passes everything (a validator
upgrade that stops reading a field, a schema that no longer refuses unknown keys).

The copy holds deploy/, .dockerignore and Package.swift; Sources, Tests and
Plugins are linked, read only. Run by tests/deploy/check.sh after the checks
themselves; exits 1 naming every case that did not fail as it should.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from deploy_root import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
# (check, file in the copy, text to replace, its replacement, what the failure must say)
CASES = [
    ("check_compose.py", "deploy/compose/compose.yaml", "  stop_grace_period: 30s", "  stop_grace_periods: 30s", "'stop_grace_periods'"),
    ("check_compose.py", "deploy/compose/compose.yaml", "- mongo-data:/data/db", "- mongo-dat:/data/db", "no volume mongo-dat"),
    ("check_compose.py", "deploy/compose/nginx.conf", "proxy_pass http://sluice_dashboard;", "proxy_passs http://sluice_dashboard;", "unknown directive"),
    ("check_kubernetes.py", "deploy/kubernetes/base/ingest.yaml", "          livenessProbe:", "          livenesProbe:", "'livenesProbe' was unexpected"),
    ("check_kubernetes.py", "deploy/kubernetes/components/keda-worker/scaledobject.yaml", "minReplicaCount: 2", "minReplicas: 2", "'minReplicas' was unexpected"),
    ("check_kubernetes.py", "deploy/kubernetes/base/configmap.yaml", 'SLUICE_PARTITIONS: "4"', 'SLUICE_PARTITIONS: "8"', "SLUICE_PARTITIONS=8 means"),
    ("check_kubernetes.py", "deploy/kubernetes/components/datastores/redis.yaml", "- noeviction", "- allkeys-lru", "deploy/redis.conf says 'noeviction'"),
    ("check_kubernetes.py", "deploy/kubernetes/base/worker.yaml", "  replicas: 2\n", "", "does not apply"),
    ("check_image.py", "deploy/docker/Dockerfile", "WORKDIR /src", "RUN cd /src", "DL3003"),
    ("check_image.py", ".dockerignore", "!Tests/\n", "", "keeps Tests out of the build context"),
    ("check_units.sh", "deploy/systemd/sluice-ingest.service", "DynamicUser=yes", "DynamicUser=perhaps", "Failed to parse boolean value"),
    ("check_units.sh", "deploy/systemd/sluice-worker@.service", "PrivateTmp=yes", "PrivateTemp=yes", "Unknown key"),
]


def make_copy(folder):
    """The parts of the tree the checks read, in `folder`."""
    shutil.copytree(os.path.join(ROOT, "deploy"), os.path.join(folder, "deploy"), symlinks=True)
    for name in (".dockerignore", "Package.swift"):
        shutil.copy(os.path.join(ROOT, name), os.path.join(folder, name))
    for name in ("Sources", "Tests", "Plugins"):
        os.symlink(os.path.join(ROOT, name), os.path.join(folder, name))


def run(check, root):
    """A check's exit status and output against the tree at `root`."""
    command = ["bash", os.path.join(HERE, check)] if check.endswith(".sh") else [sys.executable, os.path.join(HERE, check)]
    result = subprocess.run(command, env=os.environ | {"DEPLOY_CHECK_ROOT": root}, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def main():
    problems = []
    with tempfile.TemporaryDirectory(prefix="sluice-deploy-self-test.") as folder:
        make_copy(folder)
        for check in sorted({case[0] for case in CASES}):
            status, output = run(check, folder)
            if status != 0:
                problems.append(f"{check} fails on the unbroken copy:\n{output}")
        for check, name, old, new, expected in CASES:
            path = os.path.join(folder, name)
            with open(path) as f:
                original = f.read()
            if original.count(old) < 1:
                problems.append(f"{name} no longer contains {old!r}: update self_test.py's case")
                continue
            with open(path, "w") as f:
                f.write(original.replace(old, new, 1))
            status, output = run(check, folder)
            with open(path, "w") as f:
                f.write(original)
            if status != 1 or expected not in output:
                problems.append(f"{check} with {name} broken ({old.strip()!r} -> {new.strip()!r}) exited {status}, expected 1 with {expected!r}:\n{output}")
    for problem in problems:
        print(f"tests/deploy self-test: {problem}")
    if not problems:
        print(f"tests/deploy self-test: each check passed the unbroken copy and failed on each of {len(CASES)} broken files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

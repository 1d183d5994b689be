#!/usr/bin/env python3
"""deploy/compose/*.yaml against the Compose specification, without Docker.

Each file is checked against the Compose specification's JSON schema (committed
in tests/deploy/schemas/compose-spec.json; README.md there says where from),
then for what `docker compose config` would refuse and the schema cannot see:
services, volumes and networks named but not declared, files mounted or built
that do not exist, SLUICE_PARTITIONS differing between Sluice services, and a
proxy address ingest does not trust; and `nginx -t` on the proxy's
configuration. Exits 1 naming every problem.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import yaml

from deploy_root import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
COMPOSE = os.path.join(ROOT, "deploy", "compose")


def schema_problems(document, validator):
    """The file's departures from the Compose specification."""
    return [f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}" for error in validator.iter_errors(document)]


def service_networks(service):
    """The networks a service joins, whichever of the two forms it uses."""
    networks = service.get("networks", [])
    return list(networks) if isinstance(networks, (list, dict)) else []


def reference_problems(document):
    """Names used but not declared, and files used but missing (paths relative to the file)."""
    services = document.get("services", {})
    volumes, networks, problems = set(document.get("volumes") or {}), set(document.get("networks") or {}), []
    for name, service in services.items():
        depends = service.get("depends_on", {})
        for dependency in depends if isinstance(depends, (list, dict)) else []:
            if dependency not in services:
                problems.append(f"services.{name}.depends_on: no service {dependency}")
        for network in service_networks(service):
            if network not in networks:
                problems.append(f"services.{name}.networks: no network {network}")
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith((".", "/")):
                if not os.path.exists(os.path.normpath(os.path.join(COMPOSE, source))):
                    problems.append(f"services.{name}.volumes: {source} does not exist")
            elif source and source not in volumes:
                problems.append(f"services.{name}.volumes: no volume {source}")
        build = service.get("build")
        if isinstance(build, dict):
            context = os.path.normpath(os.path.join(COMPOSE, build.get("context", ".")))
            if not os.path.isfile(os.path.join(context, build.get("dockerfile", "Dockerfile"))):
                problems.append(f"services.{name}.build: no {build.get('dockerfile', 'Dockerfile')} in {context}")
    return problems


def setting_problems(document):
    """SLUICE_PARTITIONS agreed by every Sluice service; ingest trusting exactly the proxy's address."""
    services, problems = document.get("services", {}), []
    partitions = {name: (s.get("environment") or {}).get("SLUICE_PARTITIONS") for name, s in services.items() if "SLUICE_REDIS_URL" in (s.get("environment") or {})}
    if len(set(partitions.values())) > 1:
        problems.append(f"SLUICE_PARTITIONS differs between services: {partitions}")
    proxy_addresses = {network.get("ipv4_address") for network in (services.get("proxy", {}).get("networks") or {}).values() if isinstance(network, dict)}
    trusted = (services.get("ingest", {}).get("environment") or {}).get("SLUICE_TRUSTED_PROXIES", "")
    if proxy_addresses and not proxy_addresses <= set(trusted.split(",")):
        problems.append(f"ingest's SLUICE_TRUSTED_PROXIES ({trusted!r}) is not the proxy's address {sorted(proxy_addresses)}")
    return problems


def nginx_problems():
    """`nginx -t` on the proxy's configuration. Debian's nginx (1.22) predates the upstream
    `resolve` parameter (1.27.3) and cannot resolve the Compose service names, so those
    two are stood in for (dropped, and 127.0.0.1); everything else is checked as written."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        return ["nginx not found (scripts/bootstrap.sh installs Debian's nginx when DEPLOY_TEST is not 0)"]
    with open(os.path.join(COMPOSE, "nginx.conf")) as f:
        text = f.read()
    text = re.sub(r"(\n\s*server\s+)[a-z][a-z0-9-]*(:\d+)(.*?)\s+resolve;", r"\g<1>127.0.0.1\2\3;", text)
    with tempfile.TemporaryDirectory(prefix="sluice-nginx.") as folder:
        with open(os.path.join(folder, "site.conf"), "w") as f:
            f.write(text)
        with open(os.path.join(folder, "nginx.conf"), "w") as f:
            f.write(f"pid {folder}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n  access_log off;\n  include {folder}/site.conf;\n}}\n")
        result = subprocess.run([nginx, "-t", "-q", "-p", folder, "-e", "stderr", "-c", os.path.join(folder, "nginx.conf")], capture_output=True, text=True)
    return [] if result.returncode == 0 else [line for line in result.stderr.replace(folder, "(copy)").splitlines() if line.strip()]


def main():
    with open(os.path.join(HERE, "schemas", "compose-spec.json")) as f:
        validator = jsonschema.Draft7Validator(json.load(f))
    files = sorted(glob.glob(os.path.join(COMPOSE, "*.yaml")))
    failed = not files
    for path in files:
        name = os.path.relpath(path, ROOT)
        try:
            with open(path) as f:
                document = yaml.safe_load(f)
        except yaml.YAMLError as error:
            print(f"{name}: not YAML: {error}")
            failed = True
            continue
        if not isinstance(document, dict):
            print(f"{name}: not a Compose file (a mapping at the top)")
            failed = True
            continue
        problems = schema_problems(document, validator)
        problems += reference_problems(document) + setting_problems(document) if not problems else []
        for problem in problems:
            print(f"{name}: {problem}")
        failed |= bool(problems)
        if not problems:
            print(f"{name}: valid against the Compose specification; {len(document['services'])} services, names and files consistent")
    problems = nginx_problems()
    for problem in problems:
        print(f"deploy/compose/nginx.conf: {problem}")
    if not problems:
        print("deploy/compose/nginx.conf: nginx -t accepts it (with `resolve` and the service names stood in for)")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""deploy/kubernetes, rendered and validated without a cluster.

Renders every overlay (and base with each component, so a component no overlay
uses is checked too) with kustomize_render.py; validates every built-in object
against the Kubernetes API's JSON schemas (kubernetes-validate, strict: unknown
fields fail) for KUBERNETES_VERSION, and KEDA's objects against the committed
CRD schemas (crd_schema.py); then the cross-object checks of k8s_consistency.py.
When `kubectl kustomize` (kustomize v5) is on PATH, its render of each overlay
must equal ours. Exits 1 naming every problem. Run by tests/deploy/check.sh.
"""
import json
import os
import shutil
import subprocess
import sys

import kubernetes_validate
import yaml

import crd_schema
import k8s_consistency
import kustomize_render
from deploy_root import ROOT

KUBE = os.path.join(ROOT, "deploy", "kubernetes")
# The oldest Kubernetes the kit supports (autoscaling/v2, policy/v1 PDBs, ...).
KUBERNETES_VERSION = "1.30"
# Secrets an overlay expects to exist in the cluster already (docs/deploy.md).
EXTERNAL_SECRETS = {"production": {"sluice-secrets"}, "base": {"sluice-secrets"}}


def schema_problems(objects):
    """Each object against its schema: the API's for built-in kinds, the CRD's for KEDA's."""
    problems = []
    for obj in objects:
        where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        if crd_schema.is_custom(obj):
            problems += [f"{where}: {p}" for p in crd_schema.validate_custom(obj)]
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path) or "(top)"
            problems.append(f"{where}: {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            problems.append(f"{where}: {error.message}")
    return problems


def consistency_problems(objects, external_secrets):
    """The cross-object checks of k8s_consistency.py."""
    return (k8s_consistency.references(objects, external_secrets) + k8s_consistency.selectors(objects)
            + k8s_consistency.probe_ports(objects) + k8s_consistency.keda_streams(objects)
            + k8s_consistency.redis_settings(objects))


def kubectl_kustomize():
    """`kubectl` when it has kustomize v5 built in, else None (the comparison is then skipped)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    result = subprocess.run([kubectl, "version", "--client", "-o", "json"], capture_output=True, text=True)
    try:
        version = json.loads(result.stdout).get("kustomizeVersion", "")
    except json.JSONDecodeError:
        return None
    return kubectl if version.startswith("v5") else None


def keyed(objects):
    """Objects by (apiVersion, kind, namespace, name), to compare two renders whatever their order."""
    return {(o["apiVersion"], o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objects}


def compare_with_kubectl(kubectl, folder, objects):
    """Differences between `kubectl kustomize folder` and our render of it."""
    result = subprocess.run([kubectl, "kustomize", folder], capture_output=True, text=True)
    if result.returncode != 0:
        return [f"kubectl kustomize {os.path.relpath(folder, ROOT)} failed: {result.stderr.strip()}"]
    theirs, ours = keyed([d for d in yaml.safe_load_all(result.stdout) if d]), keyed(objects)
    problems = [f"only kubectl kustomize renders {key}" for key in sorted(set(theirs) - set(ours), key=str)]
    problems += [f"only tests/deploy/kustomize_render.py renders {key}" for key in sorted(set(ours) - set(theirs), key=str)]
    problems += [f"{key} differs from kubectl kustomize's render" for key in sorted(set(ours) & set(theirs), key=str) if ours[key] != theirs[key]]
    return problems


def renders():
    """(label, folder or None, objects, external secrets) for every overlay and base + each component."""
    result = []
    for overlay in sorted(os.listdir(os.path.join(KUBE, "overlays"))):
        folder = os.path.join(KUBE, "overlays", overlay)
        result.append((f"overlays/{overlay}", folder, kustomize_render.render(folder), EXTERNAL_SECRETS.get(overlay, set())))
    base = os.path.join(KUBE, "base")
    result.append(("base", base, kustomize_render.render(base), EXTERNAL_SECRETS["base"]))
    for component in sorted(os.listdir(os.path.join(KUBE, "components"))):
        objects = kustomize_render.transform(base, "(base + component)", {"components": [f"../components/{component}"]}, kustomize_render.render(base))
        # A component's own references may point at objects only an overlay adds.
        result.append((f"base + components/{component}", None, objects, EXTERNAL_SECRETS["base"]))
    return result


def main():
    kubectl = kubectl_kustomize()
    failed = False
    try:
        rendered = renders()
    except kustomize_render.RenderError as error:
        print(f"deploy/kubernetes: {error}")
        return 1
    for label, folder, objects, external in rendered:
        problems = schema_problems(objects) + consistency_problems(objects, external)
        if kubectl is not None and folder is not None and label.startswith("overlays/"):
            problems += compare_with_kubectl(kubectl, folder, objects)
        for problem in problems:
            print(f"deploy/kubernetes/{label}: {problem}")
        failed |= bool(problems)
        if not problems:
            print(f"deploy/kubernetes/{label}: {len(objects)} objects valid against Kubernetes {KUBERNETES_VERSION} and KEDA's CRDs, references and partitions consistent")
    if kubectl is None:
        print("deploy/kubernetes: no kubectl with kustomize v5 on PATH: the comparison with kustomize's own render was skipped")
    else:
        print("deploy/kubernetes: the overlays render the same with kubectl kustomize")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

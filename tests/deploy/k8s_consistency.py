"""Checks across the objects of one render that no schema can make: names that
refer to other objects, the KEDA triggers against the partition count, probes
against the ports they name, the in-cluster Redis against deploy/redis.conf.
Each function returns readable problems (empty when all is well).
"""
import os
import re

from deploy_root import ROOT
from kustomize_render import pod_containers

# The consumer group (StreamLayout.group in Sources/SluiceCore/Stream/StreamEntry.swift).
GROUP_PATTERN = re.compile(r'static let group = "([^"]+)"')
# deploy/redis.conf settings the in-cluster Redis must repeat as arguments.
REDIS_SETTINGS = ("appendonly", "appendfsync", "save", "maxmemory-policy")


def index(objects):
    """Objects by (kind, name)."""
    return {(obj["kind"], obj["metadata"]["name"]): obj for obj in objects}


def pod_spec(obj):
    """The pod template's spec of a workload, or None."""
    return obj.get("spec", {}).get("template", {}).get("spec")


def secret_keys(secret):
    """The keys a Secret defines, in data or stringData."""
    return set((secret.get("data") or {}) | (secret.get("stringData") or {}))


def references(objects, external_secrets):
    """ConfigMaps, Secrets and their keys, and scale targets that a render names but lacks."""
    problems, by_name = [], index(objects)

    def need(kind, name, key, where):
        found = by_name.get((kind, name))
        if found is None:
            if not (kind == "Secret" and name in external_secrets):
                problems.append(f"{where}: {kind} {name} is not in the render")
        elif key is not None and kind == "Secret" and key not in secret_keys(found):
            problems.append(f"{where}: Secret {name} has no key {key}")
        elif key is not None and kind == "ConfigMap" and key not in (found.get("data") or {}):
            problems.append(f"{where}: ConfigMap {name} has no key {key}")

    for obj in objects:
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        for container in pod_containers(obj):
            for source in container.get("envFrom", []):
                for kind, field in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if field in source:
                        need(kind, source[field]["name"], None, where)
            for variable in container.get("env", []):
                value_from = variable.get("valueFrom", {})
                for kind, field in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                    if field in value_from:
                        need(kind, value_from[field]["name"], value_from[field]["key"], where)
        target = obj.get("spec", {}).get("scaleTargetRef")
        if target:
            need(target.get("kind", "Deployment"), target["name"], None, where)
        if obj["kind"] == "TriggerAuthentication":
            for ref in obj["spec"].get("secretTargetRef", []):
                need("Secret", ref["name"], ref["key"], where)
        if obj["kind"] == "ScaledObject":
            for trigger in obj["spec"]["triggers"]:
                if "authenticationRef" in trigger:
                    need("TriggerAuthentication", trigger["authenticationRef"]["name"], None, where)
    return problems


def selectors(objects):
    """Services and PodDisruptionBudgets whose selector matches no pod template in the render."""
    templates = [obj["spec"]["template"]["metadata"].get("labels", {}) for obj in objects if pod_spec(obj) is not None]
    problems = []
    for obj in objects:
        if obj["kind"] == "Service":
            wanted = obj["spec"].get("selector", {})
        elif obj["kind"] == "PodDisruptionBudget":
            wanted = obj["spec"]["selector"].get("matchLabels", {})
        else:
            continue
        if not any(wanted.items() <= labels.items() for labels in templates):
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: selector {wanted} matches no pod template")
    return problems


def probe_ports(objects):
    """Probes and Service target ports that name a port no container declares."""
    problems, declared = [], set()
    for obj in objects:
        for container in pod_containers(obj):
            names = {port.get("name") for port in container.get("ports", [])}
            declared |= names
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                action = container.get(probe, {}).get("httpGet") or container.get(probe, {}).get("tcpSocket")
                if action and isinstance(action.get("port"), str) and action["port"] not in names:
                    problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {probe} names port {action['port']}, not declared")
    for obj in objects:
        if obj["kind"] == "Service":
            for port in obj["spec"].get("ports", []):
                if isinstance(port.get("targetPort"), str) and port["targetPort"] not in declared:
                    problems.append(f"Service/{obj['metadata']['name']}: targetPort {port['targetPort']} is declared by no container")
    return problems


def keda_streams(objects):
    """Every ScaledObject has one redis-streams trigger per partition stream, on the workers' group."""
    config = index(objects).get(("ConfigMap", "sluice-config"))
    with open(os.path.join(ROOT, "Sources", "SluiceCore", "Stream", "StreamEntry.swift")) as f:
        group = GROUP_PATTERN.search(f.read()).group(1)
    problems = []
    for obj in objects:
        if obj["kind"] != "ScaledObject":
            continue
        if config is None:
            return [f"ScaledObject/{obj['metadata']['name']}: no ConfigMap sluice-config with SLUICE_PARTITIONS in the render"]
        partitions = int(config["data"]["SLUICE_PARTITIONS"])
        triggers = [t for t in obj["spec"]["triggers"] if t["type"] == "redis-streams"]
        streams = sorted(t["metadata"].get("stream", "") for t in triggers)
        expected = sorted(f"events:{{{p}}}" for p in range(partitions))
        if streams != expected:
            problems.append(f"ScaledObject/{obj['metadata']['name']}: triggers on {streams}, but SLUICE_PARTITIONS={partitions} means {expected}")
        for trigger in triggers:
            metadata = trigger["metadata"]
            if metadata.get("consumerGroup") != group or not metadata.get("lagCount", "").isdigit():
                problems.append(f"ScaledObject/{obj['metadata']['name']}: trigger on {metadata.get('stream')} needs consumerGroup {group} and a numeric lagCount")
    return problems


def redis_settings(objects):
    """The in-cluster Redis runs with deploy/redis.conf's durability and eviction settings."""
    with open(os.path.join(ROOT, "deploy", "redis.conf")) as f:
        conf = dict(line.split(None, 1) for line in f.read().splitlines() if line.strip() and not line.startswith("#"))
    problems = []
    for obj in objects:
        if obj["kind"] != "StatefulSet" or obj["metadata"]["name"] != "redis":
            continue
        args = pod_spec(obj)["containers"][0].get("args", [])
        given = {args[i][2:]: args[i + 1] for i in range(0, len(args) - 1, 2) if args[i].startswith("--")}
        for setting in REDIS_SETTINGS:
            wanted = conf.get(setting, "").strip().strip('"')
            if given.get(setting) != wanted:
                problems.append(f"StatefulSet/redis: --{setting} is {given.get(setting)!r}, deploy/redis.conf says {wanted!r}")
    return problems

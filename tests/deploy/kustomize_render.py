"""A Kustomize renderer for the subset deploy/kubernetes uses, so `make test` can
check what `kubectl apply -k` would send without the kustomize binary.

Supported fields: resources (files and folders), components, namespace, images,
replicas, and patches given as JSON 6902 operations with a kind/name target
(applied with the `jsonpatch` package). Any other field is an error, so a
kustomization never silently renders differently here than in kustomize; when
`kubectl kustomize` is on PATH, check_kubernetes.py compares the two renders.
"""
import os

import jsonpatch
import yaml

SUPPORTED_FIELDS = {"apiVersion", "kind", "resources", "components", "namespace", "images", "replicas", "patches"}
# Kinds kustomize's namespace transformer leaves alone (the ones used in clusters like ours).
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass"}
SCALABLE = {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}


class RenderError(Exception):
    """A kustomization this renderer cannot build, with the file and the reason."""


def load_documents(path):
    """The non-empty YAML documents of one manifest file."""
    with open(path) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def load_kustomization(folder):
    """The kustomization.yaml of `folder`, checked for fields this renderer knows."""
    path = os.path.join(folder, "kustomization.yaml")
    if not os.path.isfile(path):
        raise RenderError(f"{folder}: no kustomization.yaml")
    with open(path) as f:
        kustomization = yaml.safe_load(f) or {}
    unknown = sorted(set(kustomization) - SUPPORTED_FIELDS)
    if unknown:
        raise RenderError(f"{path}: fields {', '.join(unknown)} are not supported by tests/deploy/kustomize_render.py")
    return path, kustomization


def render(folder, expected_kind="Kustomization"):
    """Every object the kustomization in `folder` produces, as kustomize would."""
    path, kustomization = load_kustomization(folder)
    if kustomization.get("kind", "Kustomization") != expected_kind:
        raise RenderError(f"{path}: kind {kustomization.get('kind')!r}, expected {expected_kind}")
    objects = []
    for entry in kustomization.get("resources", []):
        objects.extend(load_resource(folder, path, entry))
    return transform(folder, path, kustomization, objects)


def transform(folder, path, kustomization, objects):
    """Applies components, patches, namespace, images and replicas, in kustomize's order."""
    for entry in kustomization.get("components", []):
        component = os.path.normpath(os.path.join(folder, entry))
        if not os.path.isdir(component):
            raise RenderError(f"{path}: component {entry} is not a folder")
        component_path, component_kustomization = load_kustomization(component)
        if component_kustomization.get("kind") != "Component":
            raise RenderError(f"{component_path}: a component must have kind Component")
        for resource in component_kustomization.get("resources", []):
            objects.extend(load_resource(component, component_path, resource))
        objects = transform(component, component_path, {k: v for k, v in component_kustomization.items() if k not in ("resources", "components")}, objects)
    for patch in kustomization.get("patches", []):
        objects = apply_patch(folder, path, patch, objects)
    if "namespace" in kustomization:
        for obj in objects:
            if obj.get("kind") not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    for image in kustomization.get("images", []):
        set_image(path, image, objects)
    for replica in kustomization.get("replicas", []):
        set_replicas(path, replica, objects)
    return objects


def load_resource(folder, path, entry):
    """A resources entry: a manifest file, or a folder with a kustomization of its own."""
    target = os.path.normpath(os.path.join(folder, entry))
    if os.path.isdir(target):
        return render(target)
    if os.path.isfile(target):
        return load_documents(target)
    raise RenderError(f"{path}: resource {entry} does not exist")


def apply_patch(folder, path, patch, objects):
    """A JSON 6902 patch (inline `patch` or a `path` file) applied to the objects its target names."""
    target = patch.get("target") or {}
    if not target.get("kind") or not target.get("name") or set(target) - {"kind", "name", "group", "version"}:
        raise RenderError(f"{path}: every patch needs a target with kind and name (and nothing but group/version besides)")
    if "path" in patch:
        patch_file = os.path.join(folder, patch["path"])
        if not os.path.isfile(patch_file):
            raise RenderError(f"{path}: patch file {patch['path']} does not exist")
        with open(patch_file) as f:
            operations = yaml.safe_load(f)
    else:
        operations = yaml.safe_load(patch.get("patch", ""))
    if not isinstance(operations, list):
        raise RenderError(f"{path}: the patch for {target['kind']}/{target['name']} is not a list of JSON 6902 operations")
    matched = [i for i, obj in enumerate(objects) if obj.get("kind") == target["kind"] and obj.get("metadata", {}).get("name") == target["name"]]
    if not matched:
        raise RenderError(f"{path}: the patch target {target['kind']}/{target['name']} matches no resource")
    for i in matched:
        try:
            objects[i] = jsonpatch.apply_patch(objects[i], operations)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
            raise RenderError(f"{path}: the patch for {target['kind']}/{target['name']} does not apply: {error}") from error
    return objects


def pod_containers(obj):
    """The containers and init containers of a workload's pod template (or a Pod)."""
    spec = obj.get("spec", {})
    pod = spec.get("template", {}).get("spec") or spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec") or (spec if obj.get("kind") == "Pod" else {})
    return (pod.get("containers") or []) + (pod.get("initContainers") or [])


def set_image(path, image, objects):
    """The images transformer: a new name and/or tag for containers whose image is `image.name`."""
    name = image.get("name")
    if not name or set(image) - {"name", "newName", "newTag"}:
        raise RenderError(f"{path}: images entries take name, newName and newTag only")
    used = False
    for obj in objects:
        for container in pod_containers(obj):
            base, tag = split_image(container.get("image", ""))
            if base == name:
                used = True
                new_tag = image.get("newTag", tag)
                container["image"] = image.get("newName", base) + (f":{new_tag}" if new_tag else "")
    if not used:
        raise RenderError(f"{path}: image {name} is used by no container")


def split_image(reference):
    """An image reference as (name, tag): `registry:5000/app:1.0` is (`registry:5000/app`, `1.0`)."""
    if "@" in reference:
        return reference, ""
    head, colon, tail = reference.rpartition(":")
    return (head, tail) if colon and "/" not in tail else (reference, "")


def set_replicas(path, replica, objects):
    """The replicas transformer: spec.replicas of the named Deployment or StatefulSet."""
    matched = [obj for obj in objects if obj.get("kind") in SCALABLE and obj.get("metadata", {}).get("name") == replica.get("name")]
    if not matched or not isinstance(replica.get("count"), int):
        raise RenderError(f"{path}: replicas entry {replica} names no Deployment or StatefulSet, or has no integer count")
    for obj in matched:
        obj["spec"]["replicas"] = replica["count"]

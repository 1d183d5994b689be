"""Validation of custom resources (KEDA's ScaledObject and TriggerAuthentication)
against the OpenAPI schema of their CustomResourceDefinition, committed in
tests/deploy/schemas (README.md there says where each file came from).

The API server prunes fields a CRD's schema does not name, and `kubectl apply`
refuses them (field validation Strict): here an unknown field is an error too,
so a misspelt `minReplicaCount` does not pass as a silently ignored one.
"""
import os

import jsonschema
import yaml

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas")
CRD_FILES = {
    ("keda.sh", "ScaledObject"): "keda.sh_scaledobjects.yaml",
    ("keda.sh", "TriggerAuthentication"): "keda.sh_triggerauthentications.yaml",
}


def strict(schema):
    """The schema with unknown properties refused wherever it lists the known ones."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


def is_custom(obj):
    """Whether the object's kind is one of the committed CRDs (else it is a built-in kind)."""
    group = obj.get("apiVersion", "").split("/")[0]
    return group in {g for g, _ in CRD_FILES}


def validator_for(obj):
    """A JSON Schema validator for the object's group, kind and version, or an error naming what is missing."""
    group, _, version = obj.get("apiVersion", "").partition("/")
    name = CRD_FILES.get((group, obj.get("kind")))
    if name is None:
        raise LookupError(f"no CRD schema for {obj.get('apiVersion')} {obj.get('kind')} in tests/deploy/schemas")
    with open(os.path.join(SCHEMAS, name)) as f:
        crd = yaml.safe_load(f)
    for served in crd["spec"]["versions"]:
        if served["name"] == version:
            return jsonschema.Draft7Validator(strict(served["schema"]["openAPIV3Schema"]))
    raise LookupError(f"{name} serves no version {version} of {obj.get('kind')}")


def validate_custom(obj):
    """Problems of one custom resource against its CRD, as readable lines (empty when valid)."""
    try:
        validator = validator_for(obj)
    except LookupError as error:
        return [str(error)]
    return [f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}" for error in validator.iter_errors(obj)]

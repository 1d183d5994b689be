#!/usr/bin/env bash
# deploy/systemd/*.service through `systemd-analyze verify` (Debian's systemd
# package; no running systemd needed). verify refuses a unit whose ExecStart
# binary is missing, and the Sluice binaries are not installed here, so each
# unit is checked from a temporary copy whose /usr/local/bin/sluice-* paths
# point at stand-ins (copies of /bin/true); nothing else in the unit changes.
# A template unit (name@.service) is checked as an instance, name@3061.service.
# verify only warns (exit 0) about unknown keys and unparsable values, so any
# output at all fails the check. Exits 1 naming the failing units.
set -euo pipefail

root="${DEPLOY_CHECK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
command -v systemd-analyze >/dev/null 2>&1 ||
    { echo "deploy/systemd: systemd-analyze not found (scripts/bootstrap.sh installs Debian's systemd when DEPLOY_TEST is not 0)"; exit 1; }
tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-units.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"

failed=0
for unit in "$root"/deploy/systemd/*.service; do
    name="$(basename "$unit")"
    for binary in $(grep -o '/usr/local/bin/sluice[a-z-]*' "$unit" | sort -u); do
        cp /bin/true "$tmp/bin/$(basename "$binary")"
    done
    sed "s|/usr/local/bin/sluice|$tmp/bin/sluice|g" "$unit" >"$tmp/$name"
    checked="$tmp/$name"
    if [[ "$name" == *@.service ]]; then
        # The instance is the worker's metrics port: it must reach the port and the consumer name.
        for setting in SLUICE_WORKER_PORT SLUICE_CONSUMER_NAME; do
            grep -q "^Environment=$setting=.*%i" "$unit" ||
                { echo "deploy/systemd/$name: $setting does not use the instance (%i)"; failed=1; }
        done
        checked="$tmp/${name%@.service}@3061.service"
        ln -s "$name" "$checked"
    fi
    if output="$(systemd-analyze verify "$checked" 2>&1)" && [[ -z "$output" ]]; then
        echo "deploy/systemd/$name: systemd-analyze verify: ok"
    else
        echo "deploy/systemd/$name: systemd-analyze verify failed:"
        printf '%s\n' "${output//$tmp/deploy/systemd (copy)}"
        failed=1
    fi
done
exit "$failed"

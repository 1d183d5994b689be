#!/usr/bin/env bash
# `make fuzz` and `make test`: build the libFuzzer target over the JSON parser,
# the validator and the redactor (fuzz/Sources), then run it for FUZZ_SECONDS
# (default 600). Exits non-zero when libFuzzer finds a crash, a hang or an
# accepted event MongoDB could not store; the input is left in
# .build-fuzz/artifacts/ and printed.
#
# The target is not part of the package: SluiceCore, SluiceValidation and
# SluiceMongo (and their one dependency, swift-log) are built by SwiftPM with -sanitize=fuzzer,address
# in their own scratch path, .build-fuzz, so the shared .build is untouched;
# then swiftc links the entry point and the worker's JSON-to-BSON conversion
# (Sources/SluiceWorker/BSONDocumentBuilder+JSON.swift) against their objects.
# docs/decisions.md says why.
#
#   FUZZ_SECONDS   how long libFuzzer runs (default 600)
#   FUZZ_ARGS      extra libFuzzer flags, split on spaces
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
SLUICE_LOG_TAG="fuzz"
cd "$SLUICE_ROOT"

seconds="${FUZZ_SECONDS:-600}"
scratch="$SLUICE_ROOT/.build-fuzz"
sanitizers="-sanitize=fuzzer,address"

log "building SluiceCore, SluiceValidation and SluiceMongo with $sanitizers in $scratch"
swift build --scratch-path "$scratch" --target SluiceValidation -Xswiftc "$sanitizers" &&
    swift build --scratch-path "$scratch" --target SluiceMongo -Xswiftc "$sanitizers" ||
    die "the sanitized libraries did not build (see above)"
build_dir="$(swift build --scratch-path "$scratch" --show-bin-path)"

cflags=()
for flag in $(pkg-config --cflags libmongoc-1.0); do cflags+=(-Xcc "$flag"); done
objects=("$build_dir"/Logging.build/*.o "$build_dir"/SluiceCore.build/*.o "$build_dir"/SluiceValidation.build/*.o "$build_dir"/SluiceMongo.build/*.o)
fuzzer="$scratch/sluice-fuzz"
log "linking $fuzzer"
# ld.gold warns about every local ASan symbol it cannot export; the warnings say nothing about our code.
# shellcheck disable=SC2046  # pkg-config prints several words on purpose
swiftc "$sanitizers" -parse-as-library -module-name SluiceFuzz \
    -I "$build_dir/Modules" -Xcc -fmodule-map-file="$SLUICE_ROOT/Sources/CMongoc/module.modulemap" "${cflags[@]}" \
    fuzz/Sources/*.swift Sources/SluiceWorker/BSONDocumentBuilder+JSON.swift "${objects[@]}" \
    $(pkg-config --libs libmongoc-1.0) -o "$fuzzer" 2> >(grep -v "warning: Cannot export local symbol" >&2) ||
    die "the fuzz target did not link (see above)"

# New inputs go to the work corpus; the committed seeds are read only.
mkdir -p "$scratch/corpus" "$scratch/artifacts"
extra_args=()
if [[ -n "${FUZZ_ARGS:-}" ]]; then
    read -r -a extra_args <<<"$FUZZ_ARGS"
fi
log "fuzzing for ${seconds}s (seeds: fuzz/corpus)"
status=0
# A Swift trap must end the process at once for libFuzzer to see it; the runtime's
# backtracer would otherwise hold the crashed process open.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$fuzzer" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 \
    -dict="$SLUICE_ROOT/fuzz/json.dict" -artifact_prefix="$scratch/artifacts/" \
    "${extra_args[@]}" "$scratch/corpus" "$SLUICE_ROOT/fuzz/corpus" || status=$?
if ((status != 0)); then
    for artifact in "$scratch"/artifacts/*; do
        [[ -f "$artifact" && "$artifact" -nt "$fuzzer" ]] || continue
        log "failing input $artifact (its first 2,000 bytes, control bytes shown as ^X):"
        head -c 2000 "$artifact" | cat -v >&2
        echo >&2
    done
    die "libFuzzer found a crash, a hang or an unstorable accepted event (exit status $status, see above)"
fi
log "no failure in ${seconds}s"

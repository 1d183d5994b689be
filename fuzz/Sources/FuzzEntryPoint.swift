/// libFuzzer's entry point: one input through the JSON parser, the redactor, the
/// URL scrubber and every validator route, trapping when a property fails so libFuzzer reports it.
///
/// Built only by fuzz/run.sh, with `-sanitize=fuzzer`, which supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzedInput.check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

import Testing

/// Suites whose bounds are times on a live ingest: run one after the other, so
/// the crafted bodies' CPU burst does not starve the deadline test's keep-alive
/// client on a 2-core machine (the rest of the suite still runs beside them).
@Suite(.serialized) struct LoadSensitiveTests {}

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice-ingest", targets: ["sluice-ingest"]),
        .executable(name: "sluice-worker", targets: ["sluice-worker"]),
        .executable(name: "sluicectl", targets: ["sluicectl"]),
        .executable(name: "sluice-dashboard", targets: ["sluice-dashboard"]),
        // The Hummingbird tracking middleware for Swift servers (docs/server.md).
        .library(name: "SluiceClient", targets: ["SluiceClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // C libraries from Debian, each imported by exactly one Swift module.
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CMongoc", pkgConfig: "libmongoc-1.0", providers: [.apt(["libmongoc-dev", "libbson-dev"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Pure Swift, no I/O: only what more than one process needs (JSON, event kinds, stream keys, collections, settings).
        .target(name: "SluiceCore", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // What ingest does to an event before it is queued: validation against the schema, the
        // canonical JSON, redaction, URL scrubbing, address anonymisation. Pure Swift, no I/O; the
        // fuzz target (fuzz/run.sh) links it without ingest's HTTP stack.
        .target(name: "SluiceValidation", dependencies: ["SluiceCore"]),
        // The only importer of hiredis.
        .target(
            name: "SluiceRedis",
            dependencies: [
                "CHiredis", "SluiceCore",
                .product(name: "Logging", package: "swift-log"),
                // RedisWriterService: the pipeline writer as a service of ingest's and the dashboard's groups.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // The only importer of libmongoc/libbson.
        .target(
            name: "SluiceMongo",
            dependencies: [
                "CMongoc", "SluiceCore",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Roll-up buckets: what each event counts, merged counts and the rollups document (worker, sluicectl).
        .target(name: "SluiceRollups", dependencies: ["SluiceCore", "SluiceMongo"]),
        // User-agent parsing with Debian's uap-core rules (its YAML read with Yams); the only importer of PCRE2. No I/O after loading.
        .target(name: "SluiceUserAgent", dependencies: ["CPCRE2", "SluiceCore", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "SluiceIngest",
            dependencies: [
                // The only importer of zlib (compressed request bodies).
                "SluiceCore", "SluiceValidation", "SluiceRedis", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // Served as is, embedded at build time so the executable is self-contained: the browser
            // tracker at GET /tracker.js, this API's description at GET /openapi.json.
            plugins: ["EmbedFiles"]),
        .target(
            name: "SluiceWorker",
            dependencies: [
                "SluiceCore", "SluiceRedis", "SluiceMongo", "SluiceUserAgent", "SluiceRollups",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .target(
            name: "SluiceControl",
            dependencies: [
                "SluiceCore", "SluiceRedis", "SluiceMongo", "SluiceRollups",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // The read side: the seed's analytics read routes and the dashboard pages (docs/dashboard.md).
        .target(
            name: "SluiceDashboard",
            dependencies: [
                "SluiceCore", "SluiceRedis", "SluiceMongo", "SluiceReports", "SluiceRollups",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // The dashboard's data: date ranges in a site's time zone and every page's figures, read from roll-ups (docs/dashboard.md#reports). No HTTP.
        .target(
            name: "SluiceReports",
            dependencies: ["SluiceCore", "SluiceMongo", "SluiceRedis", "SluiceRollups", .product(name: "Logging", package: "swift-log")]),
        // Server-side tracking for Hummingbird apps: a middleware and a batching sender. Only
        // Hummingbird, NIO and swift-service-lifecycle, so an app gains no other dependency.
        .target(
            name: "SluiceClient",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "sluice-ingest",
            dependencies: ["SluiceIngest", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "sluice-worker",
            dependencies: ["SluiceWorker", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // Build-time embedding of a target's data files (`EmbeddedFile`): the generator and its plugin.
        .executableTarget(name: "sluice-embed-files", path: "Plugins/sluice-embed-files"),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["sluice-embed-files"]),
        .executableTarget(
            name: "sluice-dashboard",
            dependencies: ["SluiceDashboard", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // `make bench-enrichment`: the enrichment step's cost, a benchmark rather than a timed test. It drives
        // the worker's `package` steps (decode, enrich, derived changes, the script's operations).
        .executableTarget(name: "sluice-enrichment-bench", dependencies: ["SluiceWorker", "SluiceCore", "SluiceRollups", "SluiceUserAgent"]),
        .executableTarget(
            name: "sluicectl",
            dependencies: ["SluiceControl", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore"]),
        .testTarget(name: "SluiceValidationTests", dependencies: ["SluiceValidation", "SluiceCore"]),
        // What the test targets share: a fresh MongoDB database and Redis database per test.
        .target(name: "SluiceTestSupport", dependencies: ["SluiceMongo", "SluiceRedis"], path: "Tests/SluiceTestSupport"),
        .testTarget(name: "SluiceMongoTests", dependencies: ["SluiceMongo", "SluiceCore", "SluiceTestSupport"]),
        .testTarget(name: "SluiceRollupsTests", dependencies: ["SluiceRollups", "SluiceCore", "SluiceMongo"]),
        .testTarget(
            name: "SluiceWorkerTests",
            dependencies: [
                "SluiceWorker", "SluiceCore", "SluiceRedis", "SluiceMongo", "SluiceRollups", "SluiceUserAgent", "SluiceTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "SluiceUserAgentTests", dependencies: ["SluiceUserAgent"]),
        // The benchmark's own figures, tested in its executable (`@testable import sluice_enrichment_bench`).
        .testTarget(name: "SluiceEnrichmentBenchTests", dependencies: ["sluice-enrichment-bench", "SluiceWorker", "SluiceCore", "SluiceUserAgent"]),
        .testTarget(
            name: "SluiceIngestTests",
            dependencies: [
                "SluiceIngest", "SluiceCore", "SluiceRedis", "SluiceTestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "SluiceRedisTests",
            dependencies: [
                "SluiceRedis", "SluiceCore", "SluiceTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "SluiceDashboardTests",
            dependencies: [
                "SluiceDashboard", "SluiceCore", "SluiceRedis", "SluiceMongo", "SluiceReports", "SluiceRollups", "SluiceTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "SluiceReportsTests", dependencies: ["SluiceReports", "SluiceCore", "SluiceMongo", "SluiceRedis", "SluiceRollups", "SluiceTestSupport"]),
        .testTarget(name: "SluiceControlTests", dependencies: ["SluiceControl", "SluiceCore", "SluiceRedis", "SluiceMongo", "SluiceTestSupport"]),
        // The Hummingbird client's middleware, sender queue and settings in-process (ingest itself: SluiceIntegrationTests).
        .testTarget(name: "SluiceClientTests", dependencies: ["SluiceClient", .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(
            name: "SluiceIntegrationTests",
            dependencies: [
                "SluiceCore", "SluiceRedis", "SluiceMongo", "SluiceIngest", "SluiceWorker", "SluiceControl", "SluiceClient", "SluiceTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ]
)

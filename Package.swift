// swift-tools-version: 6.1
import PackageDescription

/// One set of compiler settings for every target (Swift 6 language mode is the default for
/// swift-tools-version 6): explicit `any`, and imports that must be spelled out where they are used.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SafeRelay",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "saferelay", targets: ["saferelay"]),
        // Libraries for the separate Benchmarks/ package (not meant as a public API).
        .library(name: "RelayModel", targets: ["RelayModel"]),
        .library(name: "RelayCore", targets: ["RelayCore"]),
        .library(name: "RelayStore", targets: ["RelayStore"]),
        .library(name: "RelayCrypto", targets: ["RelayCrypto"]),
        .library(name: "RelayProcess", targets: ["RelayProcess"]),
        .library(name: "RelayTestSupport", targets: ["RelayTestSupport"]),
        // For the separate Fuzz/ package.
        .library(name: "RelayWire", targets: ["RelayWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // libsodium from the system (Debian: libsodium-dev).
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // libcrypto from the system (Debian: libssl-dev), for HMAC-SHA1, which libsodium lacks.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // The domain's words (roles, channels, states, times): a leaf every layer may use.
        .target(
            name: "RelayModel",
            swiftSettings: swiftSettings
        ),
        // The only module that touches key bytes.
        .target(
            name: "RelayCrypto",
            dependencies: ["CSodium", "COpenSSL"],
            swiftSettings: swiftSettings
        ),
        // Storage protocol and its SQLite and PostgreSQL implementations: ciphertext and keyed hashes only.
        .target(
            name: "RelayStore",
            dependencies: [
                "RelayModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Use cases and domain rules: no HTTP, no SQL.
        .target(
            name: "RelayCore",
            dependencies: [
                "RelayModel",
                "RelayCrypto",
                "RelayStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Outbound channels: the Twilio Messages API client and the outbox dispatcher.
        .target(
            name: "RelayChannels",
            dependencies: [
                "RelayCore",
                "RelayModel",
                "RelayCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Parsers of what arrives over the wire (webhook forms, JSON bodies), free of any HTTP
        // framework so that the fuzz targets in Fuzz/ can link them alone.
        .target(
            name: "RelayWire",
            swiftSettings: swiftSettings
        ),
        // The Hummingbird application.
        .target(
            name: "RelayServer",
            dependencies: [
                "RelayChannels",
                "RelayWire",
                "RelayCore",
                "RelayModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("OpenAPI/openapi.json"), .copy("Pages")],
            swiftSettings: swiftSettings
        ),
        // The one executable: `saferelay serve | keys | ...`.
        .executableTarget(
            name: "saferelay",
            dependencies: [
                "RelayChannels",
                "RelayCore",
                "RelayModel",
                "RelayCrypto",
                "RelayStore",
                "RelayServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Starts and stops `saferelay` processes: a command run to completion with a time limit, a
        // `serve` waited for until its log names its port, stopped by its pid. Foundation only; used
        // by the load tool, the CLI tests and the benchmarks.
        .target(
            name: "RelayProcess",
            swiftSettings: swiftSettings
        ),
        // The load tool: drives a running `saferelay serve` over HTTP like real clients (signed
        // webhooks, webchat sessions with live streams, advocates) and reports HdrHistogram
        // percentiles. Run by scripts/bench; a few-second smoke runs in the tests.
        .executableTarget(
            name: "saferelay-load",
            dependencies: [
                "RelayCrypto",
                "RelayProcess",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets: temporary folders, log capture, file scans, the
        // stand-in Twilio Messages API.
        .target(
            name: "RelayTestSupport",
            dependencies: [
                "RelayStore", "RelayProcess",
                .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/RelayTestSupport",
            swiftSettings: swiftSettings
        ),
        // Reads the sources' import lines against the layer table (no dependency of ours: it
        // builds in seconds and runs first).
        .testTarget(
            name: "ArchitectureTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RelayCryptoTests",
            dependencies: ["RelayCrypto", "RelayTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RelayStoreTests",
            dependencies: ["RelayModel", "RelayStore", "RelayCrypto", "RelayCore", "RelayTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RelayCoreTests",
            dependencies: ["RelayModel", "RelayCore", "RelayCrypto", "RelayStore", "RelayTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RelayServerTests",
            dependencies: [
                "RelayServer",
                "RelayChannels",
                "RelayCore",
                "RelayModel",
                "RelayCrypto",
                "RelayStore",
                "RelayTestSupport",
                "RelayProcess",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SafeRelayCLITests",
            dependencies: [
                "saferelay", "saferelay-load", "RelayTestSupport", "RelayCrypto", "RelayProcess", "RelayStore",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

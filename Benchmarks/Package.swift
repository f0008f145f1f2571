// swift-tools-version: 6.1
import Foundation
import PackageDescription

// Benchmarks live in their own package so that CI's build of the relay stays lean.
// Run with `scripts/bench` (release build); the microbenchmarks in Benchmarks/RelayMicro with
// `scripts/bench-micro` (ordo-one/benchmark's plugin).
// A path dependency's package identity is its folder's name, which depends on where the repository
// was cloned: derive it instead of hard-coding it.
let relayPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "SafeRelayBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Only the malloc interposer: the default traits would add the Swift 6.3 runtime interposer,
        // a package not needed for these metrics (no ARC counts are measured).
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ComplianceBenchmark",
            dependencies: [
                .product(name: "RelayCore", package: relayPackage),
                .product(name: "RelayModel", package: relayPackage),
                .product(name: "RelayStore", package: relayPackage),
                .product(name: "RelayCrypto", package: relayPackage),
                .product(name: "RelayProcess", package: relayPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // kill -9 the real server under mixed load, many times, then check that nothing acknowledged
        // was lost or duplicated and no reply reached the provider twice. Run by scripts/crash-test.
        .executableTarget(
            name: "CrashHarness",
            dependencies: [
                .product(name: "RelayCore", package: relayPackage),
                .product(name: "RelayModel", package: relayPackage),
                .product(name: "RelayStore", package: relayPackage),
                .product(name: "RelayCrypto", package: relayPackage),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "RelayProcess", package: relayPackage),
                .product(name: "RelayTestSupport", package: relayPackage),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Microbenchmarks (ordo-one/benchmark): sealing and opening, blind indexes, key unwrapping,
        // batched store inserts, ingest and audit appends. Run by scripts/bench-micro.
        .executableTarget(
            name: "RelayMicro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RelayCore", package: relayPackage),
                .product(name: "RelayModel", package: relayPackage),
                .product(name: "RelayStore", package: relayPackage),
                .product(name: "RelayCrypto", package: relayPackage),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/RelayMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)

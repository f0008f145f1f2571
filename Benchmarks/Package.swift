// swift-tools-version: 6.1
import Foundation
import PackageDescription

// Benchmarks live in their own package so that CI's build of the relay stays lean.
// Run with `scripts/bench` (release build).
// A path dependency's package identity is its folder's name, which depends on where the repository
// was cloned: derive it instead of hard-coding it.
let relayPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "SafeRelayBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "ComplianceBenchmark",
            dependencies: [
                .product(name: "RelayCore", package: relayPackage),
                .product(name: "RelayStore", package: relayPackage),
                .product(name: "RelayCrypto", package: relayPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// swift-tools-version: 6.1
import Foundation
import PackageDescription

// libFuzzer targets for every parser of outside input, in their own package so that the relay's
// own build stays free of sanitizers. Build and run them with `scripts/fuzz [seconds-per-target]`.
// They link only RelayWire, RelayCrypto and RelayCore: never RelayServer, whose HTTP stack would be
// instrumented for nothing.
// A path dependency's package identity is its folder's name, which depends on where the repository
// was cloned: derive it instead of hard-coding it.
let relayPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// One fuzz target: an executable whose only entry point is `LLVMFuzzerTestOneInput` (libFuzzer
/// supplies `main`, hence `-parse-as-library`).
func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: relayPackage) },
        swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "SafeRelayFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "..")
    ],
    targets: [
        // Input slicing, property checks and the fixed test keyring shared by the targets.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "RelayCrypto", package: relayPackage)],
            swiftSettings: swiftSettings
        ),
        // Twilio webhooks: form and JSON bodies, the signature over URL and parameters, then the
        // checks the inbound route makes on the fields (sid, phone number, keyword, limits).
        fuzzTarget("FuzzTwilioWebhook", ["RelayWire", "RelayCrypto", "RelayCore"]),
        // Webchat JSON bodies (message, resume phrase) and the checks made on them afterwards.
        fuzzTarget("FuzzWebchatJSON", ["RelayWire", "RelayCore"]),
        // Retention policy YAML (Yams) and its validation (RelayModel for `ChannelKind`).
        fuzzTarget("FuzzRetentionPolicy", ["RelayCore", "RelayModel"]),
        // The keyring file.
        fuzzTarget("FuzzKeyringFile", ["RelayCrypto"]),
        // Audit checkpoints: C2SP signed notes, parsed and verified.
        fuzzTarget("FuzzCheckpointNote", ["RelayCore", "RelayCrypto"]),
        // The tip form's JSON body and its bounds.
        fuzzTarget("FuzzReportJSON", ["RelayWire", "RelayCore"]),
        // Mailgun's inbound webhook: multipart and form bodies, the signature check, the sender.
        fuzzTarget("FuzzEmailWebhook", ["RelayWire", "RelayCrypto", "RelayCore"]),
        // Triage policy YAML and the rules it makes.
        fuzzTarget("FuzzTriagePolicy", ["RelayCore", "RelayModel"]),
    ]
)

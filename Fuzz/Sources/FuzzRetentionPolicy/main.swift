import FuzzSupport
import RelayCore
import RelayModel

// Input: the policy file's bytes. A policy that parses is written back out as YAML and must parse
// to the same policy.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRetentionPolicy(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    // What `RetentionPolicy.load(path:)` checks before parsing.
    guard count <= RetentionPolicy.maximumBytes,
        let text = String(validating: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    else { return -1 }
    guard let policy = try? RetentionPolicy.parse(text, file: "fuzz.yaml", sha256: "fuzz") else { return 0 }
    for channel in [ChannelKind.sms, .webchat] {
        _ = policy.lifetimes(channel: channel, tags: policy.overrides.compactMap(\.tag))
    }
    let written = PolicyWriter.yaml(policy)
    do {
        let again = try RetentionPolicy.parse(written, file: "fuzz.yaml", sha256: "fuzz")
        Property.require(again == policy, "a policy written back out parses to a different policy")
    } catch {
        Property.require(false, "a policy written back out does not parse: \(error)")
    }
    return 0
}

import Foundation
import FuzzSupport
import RelayCore
import RelayModel

// Input: a triage policy's YAML, then (after a line `---8<---`) a message. A policy is refused with
// a line number inside the file, or accepted with every text in bounds and both languages; then the
// message is triaged twice (the same answer both times), and an urgent message is never redirected.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTriagePolicy(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let bytes = input.rest()
    guard bytes.count <= TriagePolicy.maximumBytes, let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    let parts = text.components(separatedBy: "\n---8<---\n")
    let yaml = parts[0]
    let message = parts.count > 1 ? parts[1] : "hello"
    let policy: TriagePolicy
    do {
        policy = try TriagePolicy.parse(yaml, file: "fuzz.yaml")
    } catch let error as PolicyError {
        // YAML breaks lines at LF, CR (a CR LF pair is one), NEL, LS and PS: count every one. libyaml
        // places an error found at the end of the input on the line after the last.
        let breaks = yaml.unicodeScalars.filter { ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains($0) }.count
        Property.require(error.line >= 0 && error.line <= breaks + 2, "a policy error points past the file")
        return 0
    } catch {
        Property.require(false, "a policy error that is not a PolicyError")
        return 0
    }
    for texts in [policy.firstAnswer, policy.afterHours].compactMap({ $0 }) + policy.redirects.map(\.reply) {
        for text in Array(texts.byChannel.values) + [texts.fallback].compactMap({ $0 }) {
            for value in [text.en, text.es] {
                Property.require((1...TriagePolicy.maximumAnswerCharacters).contains(value.count), "an accepted answer is out of bounds")
            }
        }
    }
    Property.require(policy.blockDefault > 0 && policy.blockDefault <= policy.blockLongest, "accepted block lengths are out of order")
    let at = Date(timeIntervalSince1970: 1_796_050_800)
    for channel in ChannelKind.allCases {
        for thread in [nil, TriageThreadState(language: .es, answered: [.firstAnswer])] {
            let input = TriageInput(text: String(message.prefix(8192)), channel: channel, at: at, thread: thread)
            let first = policy.evaluate(input)
            Property.require(first == policy.evaluate(input), "triage is not deterministic")
            Property.require(!(first.urgent && first.redirect != nil), "an urgent message was redirected")
            if thread != nil { Property.require(first.answer?.kind != .firstAnswer, "a later message got a first answer") }
        }
    }
    return 0
}

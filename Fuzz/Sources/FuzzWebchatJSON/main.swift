import Foundation
import FuzzSupport
import RelayCore
import RelayWire

// Input: a flags byte (bit 0: 0 = `POST /chat/messages`, 1 = `POST /chat/resume`), a line with the
// `Idempotency-Key` header, then the JSON body.

private let settings = RelaySettings()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebchatJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let flags = input.byte()
    let idempotencyKey = input.line()
    let body = input.rest()
    if flags & 1 == 0 {
        message(body, idempotencyKey: idempotencyKey)
    } else {
        phrase(body)
    }
    return 0
}

/// `POST /chat/messages`: bounded body, decode, the route's length check, then the relay's checks.
private func message(_ body: [UInt8], idempotencyKey: String) {
    guard body.count <= WebchatInput.maximumMessageBytes,
        let input = try? JSONBody.decode(WebchatInput.Message.self, from: body)
    else { return }
    checkRoundTrip(input.text, key: "text")
    guard input.text.count <= settings.maximumWebchatCharacters else { return }
    _ = try? settings.validateWebchat(text: input.text, idempotencyKey: idempotencyKey)
}

/// `POST /chat/resume`: bounded body, decode, then the phrase's normal form.
private func phrase(_ body: [UInt8]) {
    guard body.count <= WebchatInput.maximumPhraseBytes,
        let input = try? JSONBody.decode(WebchatInput.Phrase.self, from: body)
    else { return }
    checkRoundTrip(input.phrase, key: "phrase")
    guard let words = ResumePhrase.normalise(input.phrase) else { return }
    Property.require(words.count == ResumePhrase.wordCount, "a normalised phrase has the wrong number of words")
    Property.require(ResumePhrase.normalise(words.joined(separator: "-")) == words, "a normalised phrase does not normalise to itself")
}

/// A decoded string, encoded again as the same one-member object, decodes to the same string.
private func checkRoundTrip(_ text: String, key: String) {
    guard let encoded = try? JSONEncoder().encode([key: text]) else {
        Property.require(false, "a decoded string does not encode")
        return
    }
    let again = try? JSONDecoder().decode([String: String].self, from: encoded)
    Property.require(again?[key] == text, "a decoded string does not survive an encode and decode")
}

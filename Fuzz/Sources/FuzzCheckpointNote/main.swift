import FuzzSupport
import RelayCore
import RelayCrypto

// Input: a flags byte, then text. Flag bit 0 clear: the text is a whole note, verified as it is
// (only notes built from the seeds carry a valid signature). Bit 0 set: the text is the body a
// signer would sign; it is signed with the fixed key under its first line, so that everything after
// the signature check is reached.

private let key = FuzzKeys.keyring.auditSigningKey

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpointNote(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let flags = input.byte()
    // `audit verify --checkpoint FILE` reads the file as UTF-8 text.
    guard let text = String(validating: input.rest(), as: UTF8.self) else { return -1 }
    let note: String
    if flags & 1 == 0 {
        note = text
    } else {
        let origin = String(text.prefix { $0 != "\n" })
        let blob = SignedCheckpoint.keyID(name: origin, publicKey: key.publicKey) + key.sign(Array(text.utf8))
        note = text + "\n\u{2014} \(origin) \(Base64.encode(blob))\n"
    }
    guard let checkpoint = try? SignedCheckpoint.verify(note: note, publicKey: key.publicKey) else { return 0 }
    // What was signed (everything before the blank line) is exactly the checkpoint that was read.
    Property.require(
        note.utf8.starts(with: checkpoint.body.utf8 + [UInt8(ascii: "\n")]), "a verified note's signed text is not the checkpoint it was read as")
    let resigned = checkpoint.signed(with: key)
    Property.require((try? SignedCheckpoint.verify(note: resigned, publicKey: key.publicKey)) == checkpoint, "a re-signed checkpoint does not verify to itself")
    return 0
}

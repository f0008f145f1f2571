import Testing

@testable import RelayCrypto

struct EnvelopeTests {
    let envelope = Envelope(keyring: .generate(now: "2026-11-23T20:00:00Z"))
    let context = SealContext(threadID: "thread-a", messageID: "message-1", direction: "inbound")

    @Test func sealedMessageOpensWithItsOwnContext() throws {
        let (key, _) = envelope.newDataKey(owner: "thread-a")
        let sealed = envelope.seal(Array("hello".utf8), with: key, context: context)
        #expect(try envelope.open(sealed, with: key, context: context) == Array("hello".utf8))
    }

    @Test(arguments: [
        SealContext(threadID: "thread-b", messageID: "message-1", direction: "inbound"),
        SealContext(threadID: "thread-a", messageID: "message-2", direction: "inbound"),
        SealContext(threadID: "thread-a", messageID: "message-1", direction: "outbound"),
    ])
    func messageMovedToAnotherContextFailsToOpen(other: SealContext) {
        let (key, _) = envelope.newDataKey(owner: "thread-a")
        let sealed = envelope.seal(Array("hello".utf8), with: key, context: context)
        #expect(throws: CryptoError.authenticationFailed) { try envelope.open(sealed, with: key, context: other) }
    }

    @Test func messageOpenedUnderAnotherDataKeyVersionFails() {
        let (key, _) = envelope.newDataKey(owner: "thread-a")
        let sealed = envelope.seal(Array("hello".utf8), with: key, context: context)
        let sameBytesOtherVersion = DataKey(key: key.key, version: key.version + 1)
        #expect(throws: CryptoError.authenticationFailed) { try envelope.open(sealed, with: sameBytesOtherVersion, context: context) }
    }

    @Test func wrappedKeyOpensOnlyForItsOwner() throws {
        let (key, wrapped) = envelope.newDataKey(owner: "thread-a")
        let unwrapped = try envelope.unwrap(wrapped, owner: "thread-a")
        let sealed = envelope.seal(Array("x".utf8), with: key, context: context)
        #expect(try envelope.open(sealed, with: unwrapped, context: context) == Array("x".utf8))
        #expect(throws: CryptoError.authenticationFailed) { try envelope.unwrap(wrapped, owner: "thread-b") }
    }

    @Test func wrappedKeyWithAlteredVersionOrByteFails() {
        let (_, wrapped) = envelope.newDataKey(owner: "thread-a")
        var otherVersion = wrapped
        otherVersion.dataKeyVersion += 1
        #expect(throws: CryptoError.authenticationFailed) { try envelope.unwrap(otherVersion, owner: "thread-a") }
        var flipped = wrapped
        flipped.sealed[flipped.sealed.count / 2] ^= 0x80
        #expect(throws: CryptoError.authenticationFailed) { try envelope.unwrap(flipped, owner: "thread-a") }
        var unknownKEK = wrapped
        unknownKEK.kekVersion = 99
        #expect(throws: KeyringError.unknownKEKVersion(99)) { try envelope.unwrap(unknownKEK, owner: "thread-a") }
    }

    @Test func rotationKeepsOldWrappedKeysReadableAndRewrapsUnderTheNewVersion() throws {
        let (key, wrappedV1) = envelope.newDataKey(owner: "thread-a")
        let sealed = envelope.seal(Array("before rotation".utf8), with: key, context: context)

        let rotated = Envelope(keyring: envelope.keyring.rotated(now: "2026-11-24T00:00:00Z"))
        #expect(rotated.keyring.currentVersion == 2)
        let rewrapped = try rotated.rewrap(wrappedV1, owner: "thread-a")
        #expect(rewrapped.kekVersion == 2)
        #expect(rewrapped.dataKeyVersion == wrappedV1.dataKeyVersion)

        // Old and new wrappings open the same data key; the old message still opens.
        let viaOld = try rotated.unwrap(wrappedV1, owner: "thread-a")
        let viaNew = try rotated.unwrap(rewrapped, owner: "thread-a")
        #expect(try rotated.open(sealed, with: viaOld, context: context) == Array("before rotation".utf8))
        #expect(try rotated.open(sealed, with: viaNew, context: context) == Array("before rotation".utf8))

        // The pre-rotation keyring cannot open a key wrapped under version 2.
        #expect(throws: KeyringError.unknownKEKVersion(2)) { try envelope.unwrap(rewrapped, owner: "thread-a") }
    }
}

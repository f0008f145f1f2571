import Foundation
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayCore
@testable import RelayCrypto

/// Invariant 1 and 3: no plaintext, phone number, delivery id or key reaches the database, its WAL
/// or a log line; an erased thread's ciphertext opens under no key the system holds.
struct CanaryTests {
    static let messageCount = 1_000

    static func phone(_ index: Int) -> String { "+1202555\(String(format: "%04d", index))" }
    static func body(_ index: Int) -> String { "CANARY-BODY-\(index)-trafficker-name-and-address" }
    static func sid(_ index: Int) -> String { "SMCANARYSID\(String(format: "%06d", index))" }

    @Test func canariesIngestedThroughRelayCoreAreFoundNowhereOnDiskOrInLogs() async throws {
        let keyring = Keyring.generate(now: "2026-11-23T20:00:00Z")
        let harness = try RelayHarness(keyring: keyring)
        defer { harness.directory.remove() }
        var lastContact = ""
        for index in 0..<Self.messageCount {
            lastContact = try await harness.relay.intake.ingest(harness.sms(Self.phone(index), Self.body(index), sid: Self.sid(index))).contactID
        }
        let contactID = lastContact
        let pseudonym = try #require(try await harness.store.read { try await $0.contact(id: contactID)?.pseudonym })
        try harness.store.close()
        // Positive control: the scan does find what is stored in clear (a pseudonym).
        #expect(try !FileScan.hits(in: FileScan.databaseFiles(harness.databasePath), needles: [Array(pseudonym.utf8)]).isEmpty)

        // Digits alone are looked for as whole numbers (10 and 11 digits): a bare "202555" also
        // turns up now and then inside the random hex ids that are stored and logged.
        var needles: [[UInt8]] = ["CANARY-BODY", "trafficker-name", "+1202555", "SMCANARYSID"].map { Array($0.utf8) }
        for index in stride(from: 0, to: Self.messageCount, by: 97) {
            needles.append(Array(Self.body(index).utf8))
            needles.append(Array(Self.phone(index).utf8))
            needles.append(Array(Self.phone(index).dropFirst().utf8))
            needles.append(Array(Self.phone(index).dropFirst(2).utf8))
        }
        needles += Self.rawKeyBytes(keyring)
        let files = FileScan.databaseFiles(harness.databasePath)
        #expect(files.count >= 1)
        #expect(try FileScan.hits(in: files, needles: needles).isEmpty)
        let logText = Array(harness.logs.text.utf8)
        #expect(!harness.logs.all.isEmpty)
        #expect(needles.allSatisfy { !logText.contains(subsequence: $0) })
    }

    @Test func anErasedThreadsCiphertextOpensUnderNoKeyAndIsGoneFromDisk() async throws {
        let keyring = Keyring.generate(now: "2026-11-23T20:00:00Z")
        let harness = try RelayHarness(keyring: keyring)
        defer { harness.tearDown() }
        let target = try await harness.relay.intake.ingest(harness.sms("+12025550100", "erase me please", sid: "SM1"))
        _ = try await harness.relay.intake.ingest(harness.sms("+12025550100", "and me", sid: "SM2"))
        let survivor = try await harness.relay.intake.ingest(harness.sms("+12025550111", "keep me", sid: "SM3"))

        let (thread, sealed) = try await harness.store.read { reader in
            (try await reader.thread(id: target.threadID)!, try await reader.messages(threadID: target.threadID))
        }
        let wrapped = try #require(thread.key)
        // Positive control: before erasure the ciphertext is in the files.
        try await harness.store.checkpointAndTruncate()
        #expect(try !FileScan.hits(in: FileScan.databaseFiles(harness.databasePath), needles: [Array(sealed[0].sealedBody)]).isEmpty)
        let receipt = try await harness.relay.erasure.eraseThread(id: target.threadID)
        #expect(receipt.messagesDeleted == 2 && receipt.walTruncated)

        // The store holds no key for the thread any more.
        #expect(try await harness.store.read { try await $0.thread(id: target.threadID)?.key } == nil)
        // No key in the keyring (any KEK, the blind-index root, any derived subkey) opens the ciphertext.
        var candidates = keyring.kekVersions.map { DataKey(key: $0.key, version: 1) }
        candidates.append(DataKey(key: keyring.blindIndexRoot, version: 1))
        candidates.append(DataKey(key: .random(), version: 1))
        for message in sealed {
            let context = SealContext(threadID: message.threadID, messageID: message.id, direction: message.direction.rawValue)
            for key in candidates {
                #expect(throws: CryptoError.self) { try harness.relay.envelope.open(message.sealedBody, with: key, context: context) }
            }
        }
        // The neighbour still opens.
        #expect(try await harness.relay.sealing.decryptedMessages(threadID: survivor.threadID).map(\.body) == ["keep me"])

        // Neither the ciphertext nor the wrapped key survives anywhere in the files.
        try harness.store.close()
        let needles = sealed.map { Array($0.sealedBody) } + [Array(wrapped.sealed)]
        #expect(try FileScan.hits(in: FileScan.databaseFiles(harness.databasePath), needles: needles).isEmpty)
    }

    static func rawKeyBytes(_ keyring: Keyring) -> [[UInt8]] {
        var keys = keyring.kekVersions.map { kek in kek.key.secret.withUnsafeBytes { Array($0) } }
        keys.append(keyring.blindIndexRoot.secret.withUnsafeBytes { Array($0) })
        keys.append(keyring.auditSigningSeed.withUnsafeBytes { Array($0) })
        return keys
    }
}

import Foundation
@testable import RelayCore
import RelayStore
import RelayTestSupport
import Testing

struct WebchatSessionTests {
    @Test func anIdleSessionExpiresAndIsDeleted() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let started = try await harness.relay.webchat.start()
        #expect(try await harness.relay.webchat.authenticate(token: started.token) == started.session)
        harness.clock.advance(by: harness.relay.settings.webchatSessionIdle - 1)
        // Use moves the idle clock.
        #expect(try await harness.relay.webchat.authenticate(token: started.token) == started.session)
        harness.clock.advance(by: harness.relay.settings.webchatSessionIdle + 1)
        await #expect(throws: RelayError.unauthorized) { try await harness.relay.webchat.authenticate(token: started.token) }
        // Kept until retention sweeps it, so that the survivor can still erase from a forgotten tab…
        #expect(try await harness.relay.webchat.authenticateForErase(token: started.token) == started.session)
        // …and then gone, with the contact that never wrote.
        let policy = try RetentionPolicy.load(path: RepositoryFile.path("Policies/default.yaml"))
        let receipt = try await harness.relay.retention.apply(policy: policy, asOf: harness.clock.now(), actor: "test")
        #expect(receipt.sessionsDeleted == 1 && receipt.contactsDeleted == 1)
        #expect(try await harness.store.read { try await $0.webchatSession(tokenIndex: started.session.tokenIndex) } == nil)
        await #expect(throws: RelayError.unauthorized) { try await harness.relay.webchat.authenticateForErase(token: started.token) }
    }

    @Test func theTokenIsStoredOnlyAsAKeyedHash() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let started = try await harness.relay.webchat.start()
        try await harness.store.checkpointAndTruncate()
        try harness.store.close()
        let files = [harness.databasePath, harness.databasePath + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            #expect(!bytes.contains(subsequence: Array(started.token.utf8)))
        }
    }

    @Test func resumePhrasesAreFiveProquintsAndNormalise() {
        let phrase = ResumePhrase.generate()
        let words = phrase.split(separator: "-")
        #expect(words.count == 5 && words.allSatisfy { $0.count == 5 })
        #expect(ResumePhrase.normalise(phrase.uppercased().replacingOccurrences(of: "-", with: "  ")) == words.map(String.init))
        #expect(ResumePhrase.normalise("hello world") == nil)
        #expect(ResumePhrase.normalise("babab babab babab babab") == nil)
        #expect(ResumePhrase.normalise("aaaaa-babab-babab-babab-babab") == nil)
        #expect(Set((0..<200).map { _ in ResumePhrase.generate() }).count == 200)
    }

    @Test func keywordsMatchTheWholeBodyInAnyCase() {
        let settings = RelaySettings()
        #expect(SMSKeyword.match(" erase ", settings: settings) == .erase)
        #expect(SMSKeyword.match("Borrar", settings: settings) == .erase)
        #expect(SMSKeyword.match("please erase my messages", settings: settings) == nil)
        #expect(SMSKeyword.match("stop", settings: settings) == .optOut)
        #expect(SMSKeyword.match("UNSTOP", settings: settings) == .optIn)
        #expect(SMSKeyword.match("HELP", settings: settings) == nil)
    }
}

import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
@testable import RelayCore
import RelayModel
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// The webchat page in a real headless Chromium: "Delete this conversation" says only what the
/// server confirmed — it retries a failed erase, says plainly when it could not finish, and deletes
/// when asked again.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WebchatPageTests {
    @Test(.enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files")) func deleteThisConversationTellsTheTruthAndCanBeRetried() async throws {
        try await RelayTestServer.run { server in
            let browser = try await WebDriver.start()
            // Whatever happens, the browser goes within two minutes: a hung page fails the test
            // (every WebDriver call then errors) instead of holding the suite.
            let watchdog = Task {
                try await Task.sleep(for: .seconds(120))
                await browser.quit()
            }
            defer { watchdog.cancel() }
            do {
                try await browser.open("http://127.0.0.1:\(server.client.port!)/chat")
                _ = try await browser.script("document.documentElement.lang = 'en'")
                try await browser.click("#begin")
                try await browser.wait("the chat to open") { try await browser.script("return !document.getElementById('chat').hidden") as? Bool == true }
                try await browser.type("PAGE-CANARY please help", into: "#text")
                try await browser.click("#send-form button[type=submit]")
                try await browser.wait("the message to show") { try await browser.text("#messages").contains("PAGE-CANARY") }
                let thread = try #require(try await server.store.read { reader in
                    try await reader.openThreads(limit: 10).first { $0.channel == .webchat }?.id
                })

                // The store refuses to delete the contact: every erase attempt fails with a 500.
                let database = try DatabaseQueue(path: server.sqlite!.path, configuration: .patient)
                try await database.write { db in
                    try db.execute(sql: "CREATE TRIGGER refuse_erase BEFORE DELETE ON contact BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
                }
                _ = try await browser.script("window.confirm = () => true")
                try await browser.click("#erase")
                try await browser.wait("the page to say it could not delete", timeout: 30) {
                    try await browser.text("#status").contains("could not be deleted yet")
                }
                #expect(try await !browser.text("#status").contains("was deleted"))
                #expect(try await server.relay.sealing.decryptedMessages(threadID: thread).map(\.body) == ["PAGE-CANARY please help"])

                // The trouble passes; pressing the button again deletes, and only now does the page say so.
                try await database.write { db in try db.execute(sql: "DROP TRIGGER refuse_erase") }
                try database.close()
                try await browser.click("#erase")
                try await browser.wait("the page to confirm the deletion") { try await browser.text("#status").contains("The conversation was deleted.") }
                await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: thread) }
                #expect(try await browser.script("return document.getElementById('messages').children.length") as? Int == 0)
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }
}

/// A stream refused (one client's streams are capped) is retried with backoff, and once it opens
/// the page catches up on what was written while it was away.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WebchatPageStreamTests {
    @Test func aRefusedStreamIsRetriedAndCatchesUp() async throws {
        try await RelayTestServer.run(configure: { $0.maximumStreamsPerClient = 2 }) { server in
            let port = server.client.port!
            // This machine (the browser's client address too) already holds its two streams.
            let others = try await [server.startChat(), server.startChat()]
            let held = try await [LiveStream.open(port: port, token: others[0]), LiveStream.open(port: port, token: others[1])]
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let browser = try await WebDriver.start()
            let watchdog = Task {
                try await Task.sleep(for: .seconds(150))
                await browser.quit()
            }
            defer { watchdog.cancel() }
            do {
                try await browser.open("http://127.0.0.1:\(port)/chat")
                _ = try await browser.script("document.documentElement.lang = 'en'")
                try await browser.click("#begin")
                try await browser.wait("the chat to open") { try await browser.script("return !document.getElementById('chat').hidden") as? Bool == true }
                try await browser.type("STREAM-CANARY hello", into: "#text")
                try await browser.click("#send-form button[type=submit]")
                try await browser.wait("the message to show") { try await browser.text("#messages").contains("STREAM-CANARY") }
                let thread = try #require(try await server.store.read { reader in
                    try await reader.openThreads(limit: 10).first { $0.channel == .webchat }?.id
                })
                #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
                // The page's stream was refused: a reply now does not reach it live.
                #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/replies", token: advocate, json: #"{"text":"REPLY-ONE while away"}"#).0 == .created)
                try await Task.sleep(for: .seconds(1))
                #expect(try await !browser.text("#messages").contains("REPLY-ONE"))
                // A slot frees; the page's next try gets a stream, catches up, and hears what follows live.
                // (Its retries back off: 6, 12, 24 s … so on a loaded machine the next may be most of a minute away.)
                #expect(try await server.chat(.post, "/chat/exit", token: others[0]).0 == .noContent)
                try await browser.wait("the missed reply to show", timeout: 75) { try await browser.text("#messages").contains("REPLY-ONE while away") }
                #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/replies", token: advocate, json: #"{"text":"REPLY-TWO live"}"#).0 == .created)
                try await browser.wait("the live reply to show", timeout: 10) { try await browser.text("#messages").contains("REPLY-TWO live") }
            } catch {
                await browser.quit()
                for stream in held { await stream.close() }
                throw error
            }
            await browser.quit()
            for stream in held { await stream.close() }
        }
    }
}

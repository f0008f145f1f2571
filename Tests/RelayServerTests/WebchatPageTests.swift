import Foundation
import GRDB
import HummingbirdTesting
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// The webchat page in a real headless Chromium: "Delete this conversation" says only what the
/// server confirmed — it retries a failed erase, says plainly when it could not finish, and deletes
/// when asked again.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WebchatPageTests {
    @Test func deleteThisConversationTellsTheTruthAndCanBeRetried() async throws {
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
                    try reader.openThreads(limit: 10).first { $0.channel == .webchat }?.id
                })

                // The store refuses to delete the contact: every erase attempt fails with a 500.
                let database = try DatabaseQueue(path: server.store.path)
                try await database.write { db in
                    try db.execute(sql: "CREATE TRIGGER refuse_erase BEFORE DELETE ON contact BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
                }
                _ = try await browser.script("window.confirm = () => true")
                try await browser.click("#erase")
                try await browser.wait("the page to say it could not delete", timeout: 30) {
                    try await browser.text("#status").contains("could not be deleted yet")
                }
                #expect(try await !browser.text("#status").contains("was deleted"))
                #expect(try await server.relay.decryptedMessages(threadID: thread).map(\.body) == ["PAGE-CANARY please help"])

                // The trouble passes; pressing the button again deletes, and only now does the page say so.
                try await database.write { db in try db.execute(sql: "DROP TRIGGER refuse_erase") }
                try database.close()
                try await browser.click("#erase")
                try await browser.wait("the page to confirm the deletion") { try await browser.text("#status").contains("The conversation was deleted.") }
                await #expect(throws: RelayError.threadErased) { try await server.relay.decryptedMessages(threadID: thread) }
                #expect(try await browser.script("return document.getElementById('messages').children.length") as? Int == 0)
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import RelayCore
import RelayModel
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// The advocates' console in a real headless Chromium, against the real server: a survivor writes
/// by webchat and by a signed SMS; the console shows both in the queue without a reload; the
/// advocate opens the webchat thread by keyboard, sees hostile text as text, claims, answers with a
/// canned response, records a referral and a do-not-contact flag, and closes with a disposition;
/// the survivor receives the reply; nothing lands in cookies or web storage; signing out leaves no
/// content in the page. Screenshots go to `.build/screenshots/`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ConsolePageTests {
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/screenshots").path

    @Test func anAdvocateAnswersANewContactFromTheConsole() async throws {
        try await RelayTestServer.run { server in
            let totp = try await StaffHardeningTests.enrol(server, "ana")
            let browser = try await WebDriver.start()
            let watchdog = Task {
                try await Task.sleep(for: .seconds(150))
                await browser.quit()
            }
            defer { watchdog.cancel() }
            do {
                let port = server.client.port!
                try await browser.open("http://127.0.0.1:\(port)/console")
                _ = try await browser.script("document.documentElement.lang = 'en'")
                try await browser.screenshot(to: Self.screenshots + "/console-sign-in.png")
                // Sign in: name, password, code; Enter submits (keystrokes counted from here on).
                try await browser.type("ana", into: "#si-name")
                try await browser.type(StaffAPITests.password, into: "#si-password")
                try await browser.type(StaffAPITests.code(totp, at: server.clock.now()) + "\n", into: "#si-code")
                try await browser.wait("the queue to show") { try await browser.script("return !document.getElementById('work').hidden") as? Bool == true }
                try await browser.wait("the live stream") { try await browser.text("#live") == "Live" }

                // A survivor writes by webchat (hostile text included) and another by SMS: both appear without a reload.
                let chat = try await server.startChat()
                let hostile = #"<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script> help me"#
                let body = try String(data: JSONSerialization.data(withJSONObject: ["text": hostile]), encoding: .utf8)!
                #expect(try await server.chat(.post, "/chat/messages", token: chat, json: body, headers: ["Idempotency-Key": "console-key-0001"]).0 == .created)
                #expect(try await server.inboundSMS(from: "+12025550199", body: "CONSOLE-SMS need help", sid: "SMconsole1").0 == .ok)
                try await browser.wait("both contacts in the queue", timeout: 10) {
                    try await browser.script("return document.querySelectorAll('#queue li').length") as? Int == 2
                }
                #expect(try await browser.script("return document.title") as? String == "2 waiting — SafeRelay")
                try await browser.screenshot(to: Self.screenshots + "/console-queue.png")

                // Open the webchat contact with the keyboard: move to it, Enter.
                let rows = try await browser.script("return Array.from(document.querySelectorAll('#queue li .channel')).map(e => e.textContent)") as? [String] ?? []
                let webchatRow = try #require(rows.firstIndex(of: "webchat"))
                var keys = 0
                _ = try await browser.script("document.activeElement.blur()")
                for _ in 0..<webchatRow { try await browser.keys("j"); keys += 1 }
                try await browser.keys("o"); keys += 1
                try await browser.wait("the thread to open") { try await browser.script("return !document.getElementById('thread-pane').hidden") as? Bool == true }
                // Survivor text is text: no element was made from it, and no script ran.
                #expect(try await browser.text("#messages").contains("<img src=x onerror="))
                #expect(try await browser.script("return document.querySelectorAll('#messages img, #messages script').length") as? Int == 0)
                #expect(try await browser.script("return document.title") as? String != "pwned")

                // Claim (c), pick a canned response, send.
                _ = try await browser.script("document.activeElement.blur()")
                try await browser.keys("c"); keys += 1
                try await browser.wait("the claim") {
                    try await server.store.read { try await $0.openThreads(limit: 10) }.contains { $0.channel == .webchat && $0.assignedTo != nil }
                }
                _ = try await browser.script("const s = document.getElementById('canned'); s.value = 'greeting'; s.dispatchEvent(new Event('change'))")
                keys += 1
                try await browser.click("#reply-send"); keys += 1
                try await browser.wait("the reply to reach the survivor") {
                    try await server.chat(.get, "/chat/messages", token: chat).1.contains("thank you for reaching out")
                }
                #expect(keys <= 5, "\(keys) key presses or clicks from a waiting contact to a first reply")
                try await browser.screenshot(to: Self.screenshots + "/console-thread.png")

                // A referral and a do-not-contact flag: the reply box then says no reply can go out.
                var caseSteps = 0
                try await browser.type("Legal aid clinic\n", into: "#referral-to"); caseSteps += 1
                try await browser.wait("the referral") { try await browser.text("#referrals").contains("Legal aid clinic") }
                try await browser.click("#dnc"); caseSteps += 1
                try await browser.click("#safety-form button[type=submit]"); caseSteps += 1
                try await browser.wait("the do-not-contact state") { try await browser.text("#reply-state").contains("do-not-contact") }
                #expect(try await browser.script("return document.getElementById('reply-send').disabled") as? Bool == true)

                // Nothing in cookies or web storage, at any point of this.
                #expect(try await browser.script("return document.cookie") as? String == "")
                #expect(try await browser.script("return localStorage.length + sessionStorage.length") as? Int == 0)

                // Close with a disposition (x, choose, OK): audited with it.
                try await browser.keys("x")
                try await browser.wait("the close dialog") { try await browser.script("return document.getElementById('ask').open") as? Bool == true }
                _ = try await browser.script("document.getElementById('ask-choice').value = 'conversation'")
                try await browser.click("#ask-ok")
                try await browser.wait("the thread to close") { try await browser.script("return document.getElementById('thread-pane').hidden") as? Bool == true }
                let lines = try await server.store.read { try await $0.audit(since: 0, until: .max, afterSeq: -1, limit: 1000) }.compactMap(\.line)
                let closes = lines.filter { $0.contains(#""action":"thread.close""#) }
                #expect(closes.count == 1 && closes[0].contains(#""x_disposition":"conversation""#), "\(closes)")

                // Signing out leaves no content in the page.
                try await browser.click("#sign-out")
                try await browser.wait("the sign-in form") { try await browser.script("return !document.getElementById('sign-in').hidden") as? Bool == true }
                let page = try await browser.script("return document.body.innerText") as? String ?? ""
                #expect(!page.contains("help me") && !page.contains("CONSOLE-SMS") && !page.contains("Legal aid"))
                #expect(try await browser.script("return document.getElementById('messages').children.length + document.getElementById('queue').children.length") as? Int == 0)
                print("console steps: \(keys) to a first reply, \(caseSteps) to record a referral and a safety flag")
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }
}

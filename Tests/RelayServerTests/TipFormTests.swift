import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import RelayCore
import RelayModel
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// The tip form over real HTTP: a no-trace page; a report lands in the queue as channel `webform`,
/// sealed, its fields in the thread view; a way back only if the person wants one (a resume phrase
/// for the webchat, or a number kept sealed for a text); filed once however often it is sent; bad
/// input refused with the field at fault, storing nothing.
@Suite(.timeLimit(.minutes(5)))
struct TipFormTests {
    static func report(
        _ server: RelayTestServer, _ json: String, key: String? = "report-key-0001"
    ) async throws -> (HTTPResponse.Status, String) {
        try await server.chat(.post, "/report", token: nil, json: json, headers: key.map { ["Idempotency-Key": $0] } ?? [:])
    }

    static func threads(_ server: RelayTestServer) async throws -> [ThreadRecord] {
        try await server.store.read { try await $0.queuePage(after: nil, limit: 100) }
    }

    @Test(.timeLimit(.minutes(2)))
    func thePageIsNoTraceAndBilingual() async throws {
        try await RelayTestServer.run { server in
            for path in ["/report", "/report/report.js", "/report/report.css"] {
                let response = try await server.client.execute(uri: path, method: .get) { $0 }
                #expect(response.status == .ok)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("form-action 'none'") == true)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.setCookie] == nil)
            }
            let (_, page) = try await server.chat(.get, "/report", token: nil)
            #expect(page.contains("weather.example.com") && !page.contains("<script>") && !page.contains("style="))
            let (_, script) = try await server.chat(.get, "/report/report.js", token: nil)
            #expect(!script.contains("localStorage") && !script.contains("sessionStorage") && !script.contains("document.cookie"))
        }
    }

    @Test func everyTextOfThePagesExistsInBothLanguages() throws {
        for (page, script) in [("report/index.html", "report/report.js"), ("webchat/index.html", "webchat/app.js")] {
            let source = try String(contentsOfFile: RepositoryFile.path("Sources/RelayServer/Pages/\(script)"), encoding: .utf8)
            let html = try String(contentsOfFile: RepositoryFile.path("Sources/RelayServer/Pages/\(page)"), encoding: .utf8)
            let english = try Self.keys(of: "en", in: source)
            let spanish = try Self.keys(of: "es", in: source)
            #expect(!english.isEmpty && english == spanish, "\(script): only in one language: \(english.symmetricDifference(spanish).sorted())")
            let used = Set(html.matches(of: /data-i18n="([A-Za-z_]+)"/).map { String($0.1) })
            #expect(used.isSubset(of: english), "\(page) uses texts \(used.subtracting(english).sorted()) that \(script) lacks")
        }
    }

    /// The keys of one language's object in a page's `texts` (`en: { key: "…", … }`).
    static func keys(of language: String, in source: String) throws -> Set<String> {
        guard let start = source.range(of: "\n    \(language): {") else { throw TestFailure("no \(language) texts") }
        var depth = 0
        var inString = false
        var end = start.upperBound
        for index in source[start.upperBound...].indices {
            let char = source[index]
            if char == "\"" { inString.toggle() }
            if inString { continue }
            if char == "{" { depth += 1 }
            if char == "}" {
                if depth == 0 { end = index; break }
                depth -= 1
            }
        }
        let body = String(source[start.upperBound..<end]).replacing(/"(?:[^"\\]|\\.)*"/, with: "\"\"")
        return Set(body.matches(of: /([A-Za-z_]+):/).map { String($0.1) })
    }

    @Test(.timeLimit(.minutes(2)))
    func aReportWithoutAWayBackIsQueuedSealedAndCannotBeAnswered() async throws {
        try await RelayTestServer.run(settings: try TriageTests.settings()) { server in
            let json = #"{"what":"TIPCANARY two men keep the workers locked in at night, they need help","city":"Springfield","region":"IL","when":"last night","situation":"forced_work","way_back":"none","language":"en"}"#
            let (status, answer) = try await Self.report(server, json)
            #expect(status == .created && answer.contains(#""resume_phrase":null"#))
            // Sent twice (a double click, a retry): filed once.
            let (again, duplicate) = try await Self.report(server, json)
            #expect(again == .ok && duplicate.contains(#""duplicate":true"#))
            let reports = try await Self.threads(server).filter { $0.channel == .webform }
            #expect(reports.count == 1)
            let thread = try #require(reports.first)
            #expect(thread.priority == 1 && thread.language == .en && thread.automaticAnswers.isEmpty)

            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread.id)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(thread.id)", token: advocate)
            #expect(view.contains(#""channel":"webform""#) && view.contains("Where: Springfield, IL") && view.contains("When: last night"))
            #expect(view.contains("agriculture-animal-husbandry") && view.contains(#""reply_refusal":"no_way_back""#))
            let (refused, why) = try await server.chat(.post, "/api/v1/threads/\(thread.id)/replies", token: advocate, json: #"{"text":"thank you"}"#)
            #expect(refused == .conflict && why.contains("no_way_back"))
            try await server.store.checkpointAndTruncate()
            if let sqlite = server.sqlite {
                #expect(try FileScan.hits(in: FileScan.databaseFiles(sqlite.path), needles: [Array("TIPCANARY".utf8), Array("Springfield".utf8)]).isEmpty)
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aPhraseLetsTheReporterReadAnswersInTheWebchat() async throws {
        try await RelayTestServer.run(settings: try TriageTests.settings()) { server in
            let json = #"{"what":"una niña trabaja en la casa de al lado y nunca sale","situation":"domestic_work","way_back":"phrase","language":"es"}"#
            let (status, answer) = try await Self.report(server, json, key: "report-key-0000000002")
            #expect(status == .created)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
            let phrase = try #require(object["resume_phrase"] as? String)
            let thread = try #require(try await Self.threads(server).first { $0.channel == .webform })
            #expect(thread.language == .es)
            // The reporter comes back in the webchat with the phrase: their report is there.
            // The answer was lost and the page sends the report again: filed once, and a new phrase replaces the first.
            let (again, repeated) = try await Self.report(server, json, key: "report-key-0000000002")
            #expect(again == .ok)
            let reissued = try #require((try JSONSerialization.jsonObject(with: Data(repeated.utf8)) as? [String: Any])?["resume_phrase"] as? String)
            #expect(reissued != phrase)
            #expect(try await server.chat(.post, "/chat/resume", token: nil, json: #"{"phrase":"\#(phrase)"}"#).0 == .unauthorized)
            let (resumed, session) = try await server.chat(.post, "/chat/resume", token: nil, json: #"{"phrase":"\#(reissued)"}"#)
            #expect(resumed == .created)
            let token = try JSONDecoder().decode([String: String].self, from: Data(session.utf8))["token"]!
            #expect(try await server.chat(.get, "/chat/messages", token: token).1.contains("nunca sale"))
            // With their session open, an advocate's answer reaches it.
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread.id)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(thread.id)", token: advocate)
            #expect(view.contains(#""reply_window_closes_at":null"#) && view.contains(#""reply_refusal":null"#))
            let (sent, _) = try await server.chat(.post, "/api/v1/threads/\(thread.id)/replies", token: advocate, json: #"{"text":"Gracias por avisarnos."}"#)
            #expect(sent == .created)
            #expect(try await server.chat(.get, "/chat/messages", token: token).1.contains("Gracias por avisarnos."))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aNumberLeftForATextIsSealedAndTextedOnlyWithinTheRules() async throws {
        try await RelayTestServer.run(settings: try TriageTests.settings()) { server in
            let json = #"{"what":"a van drops workers at the motel every night","situation":"unsure","way_back":"text","phone":"(202) 555-0177","language":"en"}"#
            #expect(try await Self.report(server, json, key: "report-key-0003").0 == .created)
            let thread = try #require(try await Self.threads(server).first { $0.channel == .webform })
            // No automatic text to a number left on a report unless the policy names the tip form.
            try await Task.sleep(for: .milliseconds(400))
            #expect(await server.twilio.received.isEmpty)
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread.id)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread.id)/replies", token: advocate, json: #"{"text":"Thank you, we are looking into it."}"#).0 == .created)
            #expect(try await server.eventually("the text") { await TriageTests.sent(server, to: "+12025550177") == ["Thank you, we are looking into it."] })
            // Three days on, the window the report opened has closed.
            server.clock.advance(by: 72 * 3600 + 60)
            let later = try await StaffAPITests.staff(server, "ben", .supervisor)
            let (closed, why) = try await server.chat(
                .post, "/api/v1/threads/\(thread.id)/replies", token: later, json: #"{"text":"one more thing"}"#, headers: ["X-Access-Purpose": "supervision"])
            #expect(closed == .conflict && why.contains("window_closed"))
            try await server.store.checkpointAndTruncate()
            if let sqlite = server.sqlite {
                #expect(try FileScan.hits(in: FileScan.databaseFiles(sqlite.path), needles: [Array("2025550177".utf8), Array("motel".utf8)]).isEmpty)
            }
            #expect(!server.logs.text.contains("2025550177") && !server.logs.text.contains("motel"))
            // A number a supervisor blocked: the form answers as for any report, and nothing is stored.
            let supervisor = try await StaffAPITests.staff(server, "sue", .supervisor)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread.id)/block", token: supervisor, json: #"{"reason":"abuse"}"#).0 == .ok)
            let count = try await server.store.read { try await $0.messages(threadID: thread.id).count }
            #expect(try await Self.report(server, json, key: "report-key-0004").0 == .created)
            #expect(try await server.store.read { try await $0.messages(threadID: thread.id).count } == count)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func badReportsAreRefusedWithTheFieldAtFaultAndStoreNothing() async throws {
        try await RelayTestServer.run { server in
            let good = #""situation":"unsure","way_back":"none""#
            let cases: [(String, String?, HTTPResponse.Status, String)] = [
                (#"{"what":"x",\#(good)"#, "report-key-0010", .badRequest, "malformed_json"),
                (#"{"what":"   ",\#(good)}"#, "report-key-0011", .badRequest, "invalid_what"),
                (#"{"what":"\#(String(repeating: "a", count: 4001))",\#(good)}"#, "report-key-0012", .badRequest, "invalid_what"),
                (#"{"what":"seen","situation":"aliens","way_back":"none"}"#, "report-key-0013", .badRequest, "invalid_situation"),
                (#"{"what":"seen","situation":"unsure","way_back":"text","phone":"not a number"}"#, "report-key-0014", .badRequest, "invalid_phone"),
                (#"{"what":"seen","situation":"unsure","way_back":"none","phone":"+12025550100"}"#, "report-key-0015", .badRequest, "invalid_phone"),
                (#"{"what":"seen","city":"\#(String(repeating: "c", count: 101))",\#(good)}"#, "report-key-0016", .badRequest, "invalid_city"),
                (#"{"what":"seen",\#(good)}"#, nil, .badRequest, "missing_idempotency_key"),
                (#"{"what":"seen",\#(good),"language":"fr"}"#, "report-key-0017", .badRequest, "invalid_language"),
                (#"{"what":"\#(String(repeating: "a", count: 40_000))",\#(good)}"#, "report-key-0018", .contentTooLarge, "payload_too_large"),
            ]
            for (json, key, status, code) in cases {
                let (answer, body) = try await Self.report(server, json, key: key)
                #expect(answer == status && body.contains(code), "\(code): \(answer) \(body.prefix(120))")
            }
            #expect(try await Self.threads(server).isEmpty)
        }
    }
}

/// The tip form in a real headless Chromium: a report goes in with the keyboard, the phrase is
/// shown once, nothing is left in the page or the browser's storage, Spanish reads as Spanish, and
/// Esc leaves at once.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TipFormPageTests {
    @Test func aReportIsSentInTheBrowserAndLeavesNothingBehind() async throws {
        try await RelayTestServer.run { server in
            let browser = try await WebDriver.start()
            let watchdog = Task {
                try await Task.sleep(for: .seconds(120))
                await browser.quit()
            }
            defer { watchdog.cancel() }
            do {
                try await browser.open("http://127.0.0.1:\(server.client.port!)/report")
                try await browser.click("#lang")
                #expect(try await browser.text("h1") == "Reporta lo que viste")
                try await browser.click("#lang")
                #expect(try await browser.text("h1") == "Report what you saw")
                // Nothing typed: the page says what is missing and sends nothing.
                try await browser.click("#submit")
                #expect(try await browser.text("#status").contains("say what you saw"))
                try await browser.type("PAGETIP a man takes the workers' passports", into: "#what")
                try await browser.type("Fresno", into: "#city")
                try await browser.click(#"input[name="situation"][value="forced_work"]"#)
                try await browser.click(#"input[name="way_back"][value="phrase"]"#)
                try await browser.click("#submit")
                try await browser.wait("the thanks") { try await browser.script("return !document.getElementById('done').hidden") as? Bool == true }
                let phrase = try await browser.text("#phrase-value")
                #expect(phrase.split(separator: "-").count + phrase.split(separator: " ").count >= 5)
                #expect(try await browser.script("return document.getElementById('what').value") as? String == "")
                #expect(try await browser.script("return localStorage.length + sessionStorage.length") as? Int == 0)
                #expect(try await browser.script("return document.cookie") as? String == "")
                let thread = try #require(try await server.store.read { try await $0.openThreads(limit: 10).first { $0.channel == .webform } })
                #expect(try await server.relay.sealing.decryptedMessages(threadID: thread.id).first?.body.contains("PAGETIP") == true)
                try await browser.keys("\u{E00C}")  // Escape
                // The page is emptied and left for the neutral site (which this offline machine cannot load).
                try await browser.wait("the quick exit") {
                    let here = try await browser.script("return location.href + ' ' + (document.body ? document.body.innerHTML.length : 0)") as? String
                    return here.map { !$0.contains("/report") || $0.hasSuffix(" 0") } ?? false
                }
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }
}

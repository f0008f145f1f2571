import Foundation
import HTTPTypes
import RelayChannels
import RelayCore
import RelayCrypto
import RelayModel
import RelayServer
import RelayTestSupport
import Testing

/// Real answers against `openapi.json`: a survivor's webchat, the SMS webhooks, the advocates'
/// API from enrolment to the audit read, and the errors between, each answer checked by
/// ``OpenAPIContract`` (status listed, JSON body matching its schema, nothing undocumented).
@Suite(.timeLimit(.minutes(5)))
struct OpenAPIConformanceTests {
    static let scrapeToken = "conformance-scrape-token-0123456789abcdef"
    static let password = StaffAPITests.password

    @Test func realAnswersMatchTheDocument() async throws {
        try await RelayTestServer.run(configure: {
            $0.metricsToken = Self.scrapeToken
            $0.voiceDialNumber = "+18885550100"
        }) { server in
            let api = try OpenAPIContract(server: server)
            try await Self.operations(api)
            try await Self.webchat(api)
            try await Self.sms(api, server)
            try await Self.staff(api, server)
            // Every operation the document describes was called at least once.
            let missing = api.documented.subtracting(api.seen.keys)
            #expect(missing.isEmpty, "never called: \(missing.sorted())")
        }
    }

    /// The checker refuses what the document does not describe: an undocumented member, a missing
    /// required one, a wrong type.
    @Test func theCheckerRefusesWhatTheDocumentDoesNotDescribe() throws {
        let validator = JSONSchemaValidator(document: try JSONValue.parse(OpenAPIDocument.json))
        let error = JSONValue.object(["$ref": .string("#/components/schemas/Error")])
        #expect(validator.problems(in: try JSONValue.parse(#"{"error":"not_found","message":"no such resource"}"#), against: error).isEmpty)
        #expect(!validator.problems(in: try JSONValue.parse(#"{"error":"not_found","message":"x","detail":"y"}"#), against: error).isEmpty)
        #expect(!validator.problems(in: try JSONValue.parse(#"{"error":"not_found"}"#), against: error).isEmpty)
        #expect(!validator.problems(in: try JSONValue.parse(#"{"error":1,"message":"x"}"#), against: error).isEmpty)
        let safety = JSONValue.object(["$ref": .string("#/components/schemas/Safety")])
        #expect(!validator.problems(in: try JSONValue.parse(#"{"phoneMayBeMonitored":true,"doNotContact":false}"#), against: safety).isEmpty)
    }

    // MARK: - Steps

    static func operations(_ api: OpenAPIContract) async throws {
        try await api.call(.get, "/healthz")
        try await api.call(.get, "/openapi.json")
        try await api.call(.get, "/chat")
        try await api.call(.get, "/chat/app.js")
        try await api.call(.get, "/chat/app.css")
        try await api.call(.get, "/chat/event-frames.js")
        try await api.call(.get, "/report")
        try await api.call(.get, "/report/report.js")
        try await api.call(.get, "/report/report.css")
        try await api.call(.get, "/console")
        for name in ["admin.js", "api.js", "console.css", "dialogs.js", "i18n.js", "main.js", "qr.js", "queue.js", "stream.js", "thread.js", "trends.js"] {
            try await api.call(.get, "/console/\(name)")
        }
        #expect(try await api.call(.get, "/metrics").status == 404)
        #expect(try await api.call(.get, "/metrics", token: scrapeToken).status == 200)
    }

    static func webchat(_ api: OpenAPIContract) async throws {
        let token = try OpenAPIContract.member(try await api.call(.post, "/chat/sessions").body, "token")
        let key = ["Idempotency-Key": UUID().uuidString]
        let sent = try await api.call(.post, "/chat/messages", token: token, json: #"{"text":"hello"}"#, headers: key)
        #expect(sent.status == 201)
        let id = try OpenAPIContract.member(sent.body, "id")
        #expect(try await api.call(.post, "/chat/messages", token: token, json: #"{"text":"no key"}"#).status == 400)
        #expect(try await api.call(.post, "/chat/messages", token: token, json: #"{"txt":1}"#, headers: key).status == 400)
        #expect(try await api.call(.post, "/chat/messages", token: token, json: #"{"text":"\#(String(repeating: "a", count: 4001))"}"#, headers: key).status == 413)
        #expect(try await api.call(.post, "/chat/messages", json: #"{"text":"x"}"#, headers: key).status == 401)
        #expect(try await api.call(.get, "/chat/messages", token: token).status == 200)
        #expect(try await api.call(.get, "/chat/events").status == 401)
        let phrase = try OpenAPIContract.member(try await api.call(.post, "/chat/resume-phrase", token: token).body, "phrase")
        #expect(try await api.call(.post, "/chat/resume", json: #"{"phrase":"not a phrase at all"}"#).status == 401)
        #expect(try await api.call(.post, "/chat/resume", json: "{").status == 400)
        let resumed = try OpenAPIContract.member(try await api.call(.post, "/chat/resume", json: #"{"phrase":"\#(phrase)"}"#).body, "token")
        #expect(try await api.call(.delete, "/chat/messages/{id}", path: "/chat/messages/\(id)", token: resumed).status == 204)
        #expect(try await api.call(.delete, "/chat/messages/{id}", path: "/chat/messages/\(id)", token: resumed).status == 404)
        #expect(try await api.call(.post, "/chat/exit", token: resumed).status == 204)
        #expect(try await api.call(.post, "/chat/exit", token: resumed).status == 401)
        let other = try OpenAPIContract.member(try await api.call(.post, "/chat/sessions").body, "token")
        _ = try await api.call(.post, "/chat/messages", token: other, json: #"{"text":"erase me"}"#, headers: key)
        #expect(try await api.call(.delete, "/chat/session", token: other).status == 204)
        #expect(try await api.call(.delete, "/chat/session").status == 401)
    }

    static func sms(_ api: OpenAPIContract, _ server: RelayTestServer) async throws {
        func signed(_ path: String, _ fields: [(String, String)]) -> [String: String] {
            ["X-Twilio-Signature": server.signer.signature(url: RelayTestServer.publicURL + path, parameters: fields)]
        }
        let sid = "SM" + String(format: "%032x", 77)
        let inbound = [("AccountSid", RelayTestServer.accountSID), ("MessageSid", sid), ("From", "+12025550177"), ("Body", "hello")]
        let form = FormEncoding.encode(inbound)
        #expect(try await api.call(.post, "/sms/twilio/inbound", form: form, headers: signed("/sms/twilio/inbound", inbound)).status == 200)
        #expect(try await api.call(.post, "/sms/twilio/inbound", form: form, headers: ["X-Twilio-Signature": "forged"]).status == 403)
        let noFrom = [("AccountSid", RelayTestServer.accountSID), ("MessageSid", sid)]
        #expect(try await api.call(.post, "/sms/twilio/inbound", form: FormEncoding.encode(noFrom), headers: signed("/sms/twilio/inbound", noFrom)).status == 400)
        let status = [("MessageSid", sid), ("MessageStatus", "delivered")]
        #expect(try await api.call(.post, "/sms/twilio/status", form: FormEncoding.encode(status), headers: signed("/sms/twilio/status", status)).status == 200)
        let report = #"{"what":"seen at the farm","situation":"forced_work","way_back":"phrase","language":"en"}"#
        #expect(try await api.call(.post, "/report", json: report, headers: ["Idempotency-Key": "conformance-report-1"]).status == 201)
        #expect(try await api.call(.post, "/report", json: report, headers: ["Idempotency-Key": "conformance-report-1"]).status == 200)
        #expect(try await api.call(.post, "/report", json: #"{"what":""}"#, headers: ["Idempotency-Key": "conformance-report-2"]).status == 400)
        let token = "conformance-token-0123456789abcdef", timestamp = String(Int(server.clock.now().timeIntervalSince1970))
        let email = [
            ("sender", "someone@example.org"), ("subject", "hi"), ("stripped-text", "hello"), ("Message-Id", "<c@example.org>"),
            ("timestamp", timestamp), ("token", token), ("signature", MailgunSignature(signingKey: RelayTestServer.mailgunSigningKey).signature(timestamp: timestamp, token: token)),
        ]
        #expect(try await api.call(.post, "/email/inbound", form: FormEncoding.encode(email)).status == 200)
        #expect(try await api.call(.post, "/email/inbound", form: FormEncoding.encode(email.dropLast() + [("signature", String(repeating: "0", count: 64))])).status == 403)
        let call = [("AccountSid", RelayTestServer.accountSID), ("CallSid", "CA" + String(format: "%032x", 77)), ("From", "+12025550178")]
        #expect(try await api.call(.post, "/voice/twilio/inbound", form: FormEncoding.encode(call), headers: signed("/voice/twilio/inbound", call)).status == 200)
        #expect(try await api.call(.post, "/voice/twilio/inbound", form: FormEncoding.encode(call), headers: ["X-Twilio-Signature": "forged"]).status == 403)
        let press = call + [("Digits", "2")]
        let menu = "/voice/twilio/menu?lang=en&attempt=1"
        #expect(try await api.call(.post, "/voice/twilio/menu", path: menu, form: FormEncoding.encode(press), headers: signed(menu, press)).status == 200)
    }

    static func staff(_ api: OpenAPIContract, _ server: RelayTestServer) async throws {
        let ana = try await login(api, server, "ana", .advocate)
        let sam = try await login(api, server, "sam", .supervisor)
        let cora = try await login(api, server, "cora", .compliance)
        _ = try await login(api, server, "ben", .advocate)
        try await accounts(api, server, advocate: ana)
        #expect(try await api.call(.post, "/api/v1/sessions", json: #"{"name":"ana","password":"wrong","code":"000000"}"#).status == 401)
        #expect(try await api.call(.post, "/api/v1/enrolment", json: #"{"name":"ana","secret":"x","password":"\#(password)"}"#).status == 401)
        #expect(try await api.call(.get, "/api/v1/queue", token: ana, headers: [:]).status == 200)
        #expect(try await api.call(.get, "/api/v1/queue", path: "/api/v1/queue?limit=0", token: ana).status == 400)
        #expect(try await api.call(.get, "/api/v1/queue").status == 401)
        let thread = try await StaffAPITests.smsThread(server, "+12025550188", "please help", sid: 88)
        let path = "/api/v1/threads/\(thread)"
        #expect(try await api.call(.get, "/api/v1/threads/{id}", path: path, token: ana).status == 403)
        #expect(try await api.call(.get, "/api/v1/threads/{id}", path: "/api/v1/threads/nothing", token: ana, headers: RelayTestServer.claimPurpose).status == 404)
        #expect(try await api.call(.post, "/api/v1/threads/{id}/claim", path: path + "/claim", token: ana, headers: RelayTestServer.claimPurpose).status == 204)
        #expect(try await api.call(.get, "/api/v1/threads/{id}", path: path, token: ana).status == 200)
        #expect(try await api.call(.post, "/api/v1/threads/{id}/replies", path: path + "/replies", token: ana, json: #"{"text":"we are here"}"#).status == 201)
        #expect(try await api.call(.post, "/api/v1/threads/{id}/replies", path: path + "/replies", token: ana, json: "[]").status == 400)
        #expect(try await api.call(.post, "/api/v1/threads/{id}/case/notes", path: path + "/case/notes", token: ana, json: #"{"text":"a note"}"#).status == 200)
        let record = try await api.call(.post, "/api/v1/threads/{id}/case/referrals", path: path + "/case/referrals", token: ana, json: #"{"to":"shelter","outcome":"unknown"}"#)
        #expect(record.status == 200)
        guard case .array(let referrals)? = try JSONValue.parse(record.body)["referrals"], let referral = referrals.first?["id"]?.string else {
            Issue.record("no referral id in \(record.body.prefix(200))")
            return
        }
        #expect(try await api.call(.put, "/api/v1/threads/{id}/case/referrals/{referral}", path: path + "/case/referrals/\(referral)", token: ana, json: #"{"outcome":"worked"}"#).status == 200)
        let safety = #"{"safe_to_text":true,"safe_times":"after 6pm","phone_may_be_monitored":false,"do_not_contact":false}"#
        #expect(try await api.call(.put, "/api/v1/threads/{id}/case/safety", path: path + "/case/safety", token: ana, json: safety).status == 200)
        #expect(try await api.call(.put, "/api/v1/threads/{id}/case/tags", path: path + "/case/tags", token: ana, json: #"{"tags":["construction"]}"#).status == 200)
        #expect(try await api.call(.put, "/api/v1/threads/{id}/case/tags", path: path + "/case/tags", token: cora, json: #"{"tags":[]}"#).status == 403)
        let profile = #"{"region":"TX","reached_out_by":"professional"}"#
        #expect(try await api.call(.put, "/api/v1/threads/{id}/case/profile", path: path + "/case/profile", token: ana, json: profile).status == 200)
        #expect(try await api.call(.put, "/api/v1/threads/{id}/case/profile", path: path + "/case/profile", token: ana, json: #"{"region":"Atlantis","reached_out_by":null}"#).status == 400)
        #expect(try await api.call(.get, "/api/v1/regions", token: ana).status == 200)
        #expect(try await api.call(.get, "/api/v1/trends", path: "/api/v1/trends?by=quarter,region,type", token: sam).status == 200)
        #expect(try await api.call(.get, "/api/v1/trends", path: "/api/v1/trends?by=region&from=2026-02&to=2026-05", token: cora).status == 400)
        #expect(try await api.call(.get, "/api/v1/trends", token: ana).status == 403)
        #expect(try await api.call(.get, "/api/v1/trends").status == 401)
        #expect(try await api.call(.post, "/api/v1/threads/{id}/transfer", path: path + "/transfer", token: ana, json: #"{"to":"nobody"}"#).status == 400)
        #expect(try await api.call(.post, "/api/v1/threads/{id}/transfer", path: path + "/transfer", token: ana, json: #"{"to":"ben"}"#).status == 204)
        #expect(try await api.call(.post, "/api/v1/threads/{id}/block", path: path + "/block", token: ana, json: #"{"reason":"abuse"}"#).status == 403)
        #expect(try await api.call(.post, "/api/v1/threads/{id}/block", path: path + "/block", token: sam, json: #"{"reason":"abuse","hours":1}"#).status == 200)
        #expect(try await api.call(.delete, "/api/v1/threads/{id}/block", path: path + "/block", token: sam).status == 204)
        #expect(try await api.call(.get, "/api/v1/canned-responses", token: ana).status == 200)
        #expect(try await api.call(.get, "/api/v1/dispositions", token: ana).status == 200)
        #expect(try await api.call(
            .post, "/api/v1/threads/{id}/close", path: path + "/close", token: sam, json: #"{"disposition":"no_such_code"}"#,
            headers: RelayTestServer.claimPurpose).status == 400)
        #expect(try await api.call(
            .post, "/api/v1/threads/{id}/close", path: path + "/close", token: sam, json: #"{"disposition":"conversation"}"#,
            headers: RelayTestServer.claimPurpose).status == 204)
        #expect(try await api.call(.get, "/api/v1/events", token: cora).status == 403)
        #expect(try await api.call(.get, "/api/v1/typology", token: ana).status == 200)
        #expect(try await api.call(.get, "/api/v1/purposes", token: ana).status == 200)
        #expect(try await api.call(.get, "/api/v1/stats", token: sam).status == 200)
        #expect(try await api.call(.get, "/api/v1/stats", token: ana).status == 403)
        #expect(try await api.call(.get, "/api/v1/audit", token: cora).status == 200)
        #expect(try await api.call(.get, "/api/v1/audit", path: "/api/v1/audit?since=yesterday", token: cora).status == 400)
        #expect(try await api.call(.delete, "/api/v1/sessions/current", token: ana).status == 204)
        #expect(try await api.call(.delete, "/api/v1/sessions/current", token: ana).status == 401)
    }

    /// Account administration: the admin's answers, and everyone else refused.
    static func accounts(_ api: OpenAPIContract, _ server: RelayTestServer, advocate: String) async throws {
        let adam = try await login(api, server, "adam", .admin)
        #expect(try await api.call(.get, "/api/v1/accounts", token: adam).status == 200)
        #expect(try await api.call(.get, "/api/v1/accounts", token: advocate).status == 403)
        #expect(try await api.call(.post, "/api/v1/accounts", token: adam, json: #"{"name":"dora","role":"advocate"}"#).status == 201)
        #expect(try await api.call(.post, "/api/v1/accounts", token: adam, json: #"{"name":"dora","role":"advocate"}"#).status == 400)
        #expect(try await api.call(.post, "/api/v1/accounts", token: advocate, json: #"{"name":"eve","role":"admin"}"#).status == 403)
        // Refused before the body is read: a broken body from a non-admin is still a 403.
        #expect(try await api.call(.post, "/api/v1/accounts", token: advocate, json: #"{"name":"#).status == 403)
        #expect(try await api.call(.post, "/api/v1/accounts/{name}/reset", path: "/api/v1/accounts/adam/reset", token: adam).status == 400)
        for action in ["reset", "disable", "enable", "unlock"] {
            let status = try await api.call(.post, "/api/v1/accounts/{name}/\(action)", path: "/api/v1/accounts/dora/\(action)", token: adam).status
            #expect(status == (action == "reset" ? 201 : 204), "\(action)")
            #expect(try await api.call(.post, "/api/v1/accounts/{name}/\(action)", path: "/api/v1/accounts/dora/\(action)", token: advocate).status == 403)
        }
        #expect(try await api.call(.post, "/api/v1/accounts/{name}/disable", path: "/api/v1/accounts/adam/disable", token: adam).status == 400)
        #expect(try await api.call(.post, "/api/v1/accounts/{name}/disable", path: "/api/v1/accounts/nobody/disable", token: adam).status == 400)
    }

    /// Enrols and logs in through the API (both answers checked) and returns the bearer token.
    static func login(_ api: OpenAPIContract, _ server: RelayTestServer, _ name: String, _ role: Role) async throws -> String {
        let secret = try await server.relay.staff.createAccount(name: name, role: role)
        let enrolled = try await api.call(.post, "/api/v1/enrolment", json: #"{"name":"\#(name)","secret":"\#(secret)","password":"\#(password)"}"#)
        let totp = try OpenAPIContract.member(enrolled.body, "totp_secret")
        let code = StaffAPITests.code(totp, at: server.clock.now())
        let login = try await api.call(.post, "/api/v1/sessions", json: #"{"name":"\#(name)","password":"\#(password)","code":"\#(code)"}"#)
        return try OpenAPIContract.member(login.body, "token")
    }
}

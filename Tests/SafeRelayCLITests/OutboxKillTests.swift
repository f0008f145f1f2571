import Foundation
import RelayCrypto
import RelayTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Invariant 7 a second, independent way: the real `saferelay serve` process, driven over HTTP like
/// Twilio and an advocate would, is killed with SIGKILL while the provider holds its reply request
/// open. After the restart the reply is `unknown` to the advocate and the provider never sees it again.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct OutboxKillTests {
    static let accountSID = "AC" + String(repeating: "c", count: 32)
    static let authToken = "kill-test-auth-token-0123456789"
    static let publicURL = "https://relay.example.org"

    static func request(
        _ port: Int, _ method: String, _ path: String, token: String? = nil, json: String? = nil, headers: [String: String] = [:]
    ) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func inboundSMS(_ port: Int, from phone: String, body: String, sid: String) async throws -> Int {
        let fields = [("AccountSid", accountSID), ("MessageSid", sid), ("From", phone), ("To", "+15005550006"), ("Body", body)]
        let signature = TwilioSignature(authToken: authToken).signature(url: publicURL + "/sms/twilio/inbound", parameters: fields)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/sms/twilio/inbound")!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue(signature, forHTTPHeaderField: "X-Twilio-Signature")
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        request.httpBody = Data(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    static func login(_ port: Int, totp: String, step offset: UInt64) async throws -> String {
        let totp = TOTP(secret: TOTP.decodeBase32(totp)!)
        let code = totp.code(step: totp.step(at: UInt64(Date().timeIntervalSince1970)) + offset)
        let (status, body) = try await request(port, "POST", "/api/v1/sessions", json: #"{"name":"ana","password":"violet-harbor-lamp-42","code":"\#(code)"}"#)
        guard status == 201 else { throw Failure("login: \(status)") }
        return try JSONDecoder().decode([String: String].self, from: Data(body.utf8))["token"]!
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func eventually(_ condition: () async -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    /// On a running server: adds and enrols the advocate `ana`, logs in, takes one signed inbound
    /// SMS, claims its thread (with a purpose) and replies `reply`. Returns the TOTP secret and the thread.
    static func replyToAnInboundSMS(
        on server: RunningServer, in directory: String, from phone: String, body: String, sid: String, reply: String
    ) async throws -> (totp: String, thread: String) {
        let added = try SafeRelayBinary.run(["advocates", "add", "ana", "--role", "advocate"], in: directory)
        let secret = try #require(added.stdout.split(whereSeparator: \.isWhitespace).map(String.init).first { $0.count == 43 }, "\(added.stdout)")
        let (enrolled, enrolment) = try await request(
            server.port, "POST", "/api/v1/enrolment", json: #"{"name":"ana","secret":"\#(secret)","password":"violet-harbor-lamp-42"}"#)
        #expect(enrolled == 201)
        let totp = try #require(try JSONDecoder().decode([String: String].self, from: Data(enrolment.utf8))["totp_secret"])
        let token = try await login(server.port, totp: totp, step: 0)
        #expect(try await inboundSMS(server.port, from: phone, body: body, sid: sid) == 200)
        let (_, queue) = try await request(server.port, "GET", "/api/v1/queue", token: token)
        let threads = (try JSONSerialization.jsonObject(with: Data(queue.utf8)) as? [String: Any])?["threads"] as? [[String: Any]]
        let thread = try #require(threads?.first?["thread"] as? String)
        #expect(try await request(server.port, "POST", "/api/v1/threads/\(thread)/claim", token: token, headers: ["X-Access-Purpose": "first_response"]).0 == 204)
        let (replied, _) = try await request(server.port, "POST", "/api/v1/threads/\(thread)/replies", token: token, json: #"{"text":"\#(reply)"}"#)
        #expect(replied == 201)
        return (totp, thread)
    }

    /// Runs `body` with a fresh directory holding a keyring, a stand-in provider that holds each
    /// request up to `hold` (until released), and the Twilio settings that point the relay at it.
    static func withKeysAndProvider(
        holding hold: Duration, _ body: @escaping @Sendable (TemporaryDirectory, StandInTwilio, [String: String]) async throws -> Void
    ) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(try SafeRelayBinary.run(["keys", "init"], in: dir.path).status == 0)
        let provider = StandInTwilio(holdingFor: hold)
        try await provider.run { providerPort in
            let environment = [
                "SAFERELAY_TWILIO_ACCOUNT_SID": accountSID, "SAFERELAY_TWILIO_AUTH_TOKEN": authToken,
                "SAFERELAY_TWILIO_FROM": "+15005550006", "SAFERELAY_TWILIO_API_BASE": "http://127.0.0.1:\(providerPort)",
                "SAFERELAY_PUBLIC_URL": publicURL,
            ]
            try await body(dir, provider, environment)
        }
    }

    @Test func aReplyInFlightWhenTheServerIsKilledIsUnknownAndNeverSentAgain() async throws {
        // The provider holds every request open (two minutes) until released.
        try await Self.withKeysAndProvider(holding: .seconds(120)) { dir, provider, environment in
            let first = try RunningServer(in: dir.path, environment: environment)
            #expect(first.waitUntilListening())
            let (totp, thread) = try await Self.replyToAnInboundSMS(
                on: first, in: dir.path, from: "+12025550500", body: "are you there", sid: "SM" + String(repeating: "1", count: 32),
                reply: "KILL-CANARY we are here")

            // The provider has the request and holds it open; the relay dies before hearing back.
            #expect(try await Self.eventually { await provider.received.count == 1 })
            #expect(first.stop(signal: SIGKILL) != nil, "the killed server did not exit")
            await provider.release()

            let second = try RunningServer(in: dir.path, environment: environment)
            #expect(second.waitUntilListening())
            // Several dispatcher polls (every 200 ms) pass: the reply must not go out again.
            try await Task.sleep(for: .seconds(2))
            let again = try await Self.login(second.port, totp: totp, step: 1)
            let (_, view) = try await Self.request(second.port, "GET", "/api/v1/threads/\(thread)", token: again)
            #expect(view.contains("KILL-CANARY we are here") && view.contains(#""delivery":"unknown""#))
            #expect(await provider.received.count == 1)
            #expect(second.stop() == 0)
        }
    }
}

import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RelayCore
import RelayCrypto
import RelayModel
import RelayProcess
import RelayStore
import RelayTestSupport

// Usage: CrashHarness SAFERELAY_BINARY [kills] [--postgres CLUSTER-URL]
// Runs mixed load (signed inbound SMS, retried deliveries, webchat, advocate replies) against the
// real server, kills it with SIGKILL at random moments, restarts it, and finally checks the store.
// With --postgres: two instances on one new database in that cluster share the load, and instance
// A is the one killed each round while B runs on (both dispatch replies).

var arguments = CommandLine.arguments
var clusterURL: String?
if let flag = arguments.firstIndex(of: "--postgres"), flag + 1 < arguments.count {
    clusterURL = arguments[flag + 1]
    arguments.removeSubrange(flag...(flag + 1))
}
guard arguments.count >= 2 else {
    print("usage: CrashHarness PATH-TO-saferelay [kills] [--postgres CLUSTER-URL]")
    exit(2)
}
let binary = arguments[1]
let kills = arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20
let database: TestDatabase? = if let clusterURL { try await TestDatabase.create(in: clusterURL) } else { nil }
/// Where the relay keeps its data: `SAFERELAY_DATABASE_URL` on PostgreSQL, nothing (SQLite under the folder) otherwise.
let storeEnvironment: [String: String] = database.map { ["SAFERELAY_DATABASE_URL": $0.url] } ?? [:]
let directory = NSTemporaryDirectory() + "saferelay-crash-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
let accountSID = "AC" + String(repeating: "c", count: 32)
let authToken = "crash-harness-token-0123456789"
let publicURL = "https://relay.crash.test"
let signer = TwilioSignature(authToken: authToken)
let http = HTTPClient.shared

/// Runs a `saferelay` command to completion in the scratch directory (on a thread of its own);
/// returns its status and output.
@Sendable func run(_ args: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
    let command = Command(executable: binary, arguments: args, directory: directory, environment: RelayEnvironment.child(environment))
    let result = try await command.runOnOwnThread(timeout: 600, combiningOutput: true)
    return (result.status, result.stdout)
}

/// Acknowledged work, to check against the store at the end.
actor Ledger {
    var inbound: [String: String] = [:]      // MessageSid -> body, acknowledged with 200
    var webchat: Set<String> = []            // bodies acknowledged with 201
    var replies: Set<String> = []            // reply texts acknowledged with 201
    var next = 0
    func number() -> Int { next += 1; return next }
    func ackSMS(_ sid: String, _ body: String) { inbound[sid] = body }
    func ackChat(_ body: String) { webchat.insert(body) }
    func ackReply(_ text: String) { replies.insert(text) }
    func someSID() -> (String, String)? { inbound.randomElement().map { ($0.key, $0.value) } }
}
let ledger = Ledger()

@Sendable func request(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil, timeout: TimeAmount = .seconds(5)) async -> (Int, String)? {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    do {
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    } catch {
        return nil
    }
}

@Sendable func form(_ pairs: [(String, String)]) -> String {
    let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*")
    return pairs.map { "\($0.0)=\(($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "").replacingOccurrences(of: "%20", with: "+"))" }
        .joined(separator: "&")
}

@Sendable func sendSMS(port: Int, sid: String, from phone: String, body: String) async -> Bool {
    let fields = [("AccountSid", accountSID), ("MessageSid", sid), ("From", phone), ("To", "+15005550006"), ("Body", body)]
    let signature = signer.signature(url: publicURL + "/sms/twilio/inbound", parameters: fields)
    let answer = await request(.POST, "http://127.0.0.1:\(port)/sms/twilio/inbound",
        headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)], body: form(fields))
    return answer?.0 == 200
}

// MARK: - Set-up: keyring, database, an advocate account enrolled with TOTP.

let provider = StandInTwilio()
let summary = try await provider.run { providerPort -> String in
    let providerURL = "http://127.0.0.1:\(providerPort)"
    _ = try await run(["keys", "init"])
    let environment = storeEnvironment.merging([
        "SAFERELAY_TWILIO_ACCOUNT_SID": accountSID, "SAFERELAY_TWILIO_AUTH_TOKEN": authToken, "SAFERELAY_TWILIO_FROM": "+15005550006",
        // Info, for the `listening … port=N` line the start waits for (the log is in the scratch directory).
        "SAFERELAY_TWILIO_API_BASE": providerURL, "SAFERELAY_PUBLIC_URL": publicURL, "SAFERELAY_LOG_LEVEL": "info",
        // Every request comes from this one machine: its session starts must not be limited as one client's.
        "SAFERELAY_SESSION_START_RATE": "1000000", "SAFERELAY_CLIENT_START_RATE": "1000000",
    ]) { $1 }

    /// Starts the server (instance `name`) on a free port and waits until it listens; exits the
    /// harness if it cannot.
    func start(_ name: String = "a") async throws -> (ServeProcess, Int) {
        let process = try ServeProcess(binary: binary, in: directory, environment: environment, logPath: directory + "/serve-\(name).log")
        guard let port = try? await process.waitForPortOnOwnThread(timeout: 60) else {
            FileHandle.standardError.write(Data("the server did not start (exit \(process.child.isRunning ? -1 : process.child.status))\n".utf8))
            process.stop(signal: SIGKILL)
            exit(1)
        }
        return (process, port)
    }

    // Start once to create the database, then add and enrol an advocate.
    var (server, port) = try await start()
    server.stop()
    let added = try await run(["advocates", "add", "crash", "--role", "supervisor"], environment: storeEnvironment)
    let secret = String(added.1.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    (server, port) = try await start()
    let enrolled = await request(.POST, "http://127.0.0.1:\(port)/api/v1/enrolment", headers: [("Content-Type", "application/json")],
        body: #"{"name":"crash","secret":"\#(secret)","password":"harness-violet-lamp-42"}"#)
    let totpSecret = (try? JSONSerialization.jsonObject(with: Data((enrolled?.1 ?? "{}").utf8)) as? [String: String])??["totp_secret"] ?? ""
    let totp = TOTP(secret: TOTP.decodeBase32(totpSecret) ?? [])
    let code = totp.code(step: totp.step(at: UInt64(Date().timeIntervalSince1970)))
    let login = await request(.POST, "http://127.0.0.1:\(port)/api/v1/sessions", headers: [("Content-Type", "application/json")],
        body: #"{"name":"crash","password":"harness-violet-lamp-42","code":"\#(code)"}"#)
    let token = (try? JSONSerialization.jsonObject(with: Data((login?.1 ?? "{}").utf8)) as? [String: String])??["token"] ?? ""
    precondition(!token.isEmpty, "advocate login failed: \(login?.1 ?? "no answer")")
    // On PostgreSQL a second instance, B, shares the load and is never killed.
    let other = database == nil ? nil : try await start("b")

    // MARK: - Rounds: load, then SIGKILL at a random moment.
    var duplicatesSent = 0
    for round in 1...kills {
        // The kill lands at a random moment while the workers are still sending (they go on half a
        // second longer; what they send to the dead instance meanwhile is not acknowledged).
        let killAt = Date().addingTimeInterval(Double.random(in: 0.3...1.5))
        let deadline = killAt.addingTimeInterval(0.5)
        let ports = [port] + (other.map { [$0.1] } ?? [])
        let victim = server
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: .milliseconds(max(0, Int(killAt.timeIntervalSinceNow * 1000))))
                victim.stop(signal: SIGKILL)
            }
            for worker in 0..<4 {
                let currentPort = ports[worker % ports.count]
                group.addTask {
                    while Date() < deadline {
                        let n = await ledger.number()
                        switch (n + worker) % 5 {
                        case 0, 1:
                            let sid = "SM" + String(format: "%032x", n)
                            let body = "crash-sms-\(n)"
                            if await sendSMS(port: currentPort, sid: sid, from: "+1202555\(String(format: "%04d", n % 40))", body: body) {
                                await ledger.ackSMS(sid, body)
                            }
                        case 2:
                            if let (sid, body) = await ledger.someSID() {
                                _ = await sendSMS(port: currentPort, sid: sid, from: "+12025550000", body: body)  // a redelivery
                            }
                        case 3:
                            guard let started = await request(.POST, "http://127.0.0.1:\(currentPort)/chat/sessions"), started.0 == 201,
                                let chatToken = (try? JSONSerialization.jsonObject(with: Data(started.1.utf8)) as? [String: String])??["token"]
                            else { continue }
                            let body = "crash-chat-\(n)"
                            let answer = await request(.POST, "http://127.0.0.1:\(currentPort)/chat/messages",
                                headers: [("Authorization", "Bearer \(chatToken)"), ("Content-Type", "application/json"), ("Idempotency-Key", "crash-key-\(n)")],
                                body: #"{"text":"\#(body)"}"#)
                            if answer?.0 == 201 { await ledger.ackChat(body) }
                        default:
                            guard let queue = await request(.GET, "http://127.0.0.1:\(currentPort)/api/v1/queue", headers: [("Authorization", "Bearer \(token)")]),
                                let object = try? JSONSerialization.jsonObject(with: Data(queue.1.utf8)) as? [String: Any],
                                let item = (object["threads"] as? [[String: Any]])?.filter({ $0["channel"] as? String == "sms" }).randomElement(),
                                let thread = item["thread"] as? String
                            else { continue }
                            // A thread no one has: claimed for a first response (a purpose from the list).
                            _ = await request(.POST, "http://127.0.0.1:\(currentPort)/api/v1/threads/\(thread)/claim",
                                headers: [("Authorization", "Bearer \(token)"), ("X-Access-Purpose", "first_response")])
                            let text = "crash-reply-\(n)"
                            let answer = await request(.POST, "http://127.0.0.1:\(currentPort)/api/v1/threads/\(thread)/replies",
                                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")], body: #"{"text":"\#(text)"}"#)
                            if answer?.0 == 201 { await ledger.ackReply(text) }
                        }
                    }
                }
            }
        }
        duplicatesSent += 1
        server.stop(signal: SIGKILL)
        (server, port) = try await start()
        FileHandle.standardError.write(Data("round \(round)/\(kills): killed and restarted\n".utf8))
    }
    // Let the outbox drain, then stop cleanly.
    try await Task.sleep(for: .seconds(3))
    server.stop(timeout: 60)
    other?.0.stop(timeout: 60)

    // MARK: - Checks, on the store itself.
    let keyring = try KeyringStore.load(path: directory + "/Keys/saferelay.keyring")
    let store: any RelayStore = if let database {
        try await PostgresStore(url: database.url)
    } else {
        try SQLiteStore(path: directory + "/data/saferelay.sqlite")
    }
    var logger = Logger(label: "harness")
    logger.logLevel = .critical
    let relay = Relay(store: store, keyring: keyring, logger: logger)
    // A supervisor of its own, enrolled and logged in as a person would be, reads every thread.
    let enrolmentSecret = try await relay.staff.createAccount(name: "crash-harness", role: .supervisor)
    let enrolment = try await relay.staff.enrol(name: "crash-harness", secret: enrolmentSecret, password: "harness-violet-lamp-93")
    let authenticator = TOTP(secret: TOTP.decodeBase32(enrolment.totpSecret)!)
    let totpCode = authenticator.code(step: authenticator.step(at: UInt64(Date().timeIntervalSince1970)))
    let inspector = try await relay.staff.login(name: "crash-harness", password: "harness-violet-lamp-93", code: totpCode).identity
    var inboundBodies: [String: Int] = [:]
    var outbound: [String: (Int, OutboxState?)] = [:]
    var cursor: Int64 = 0
    while true {
        let from = cursor
        let page = try await store.read { try await $0.threadSummaries(after: from, limit: 1_000) }
        guard !page.summaries.isEmpty else { break }
        cursor = page.lastRow
        for summary in page.summaries where summary.thread.key != nil {
            // Read the way an advocate reads (audited): this thread's own messages, each once.
            let view = try await relay.advocacy.viewThread(threadID: summary.thread.id, by: inspector, purpose: "supervision: crash harness check")
            for shown in view.messages {
                let message = shown.message
                if message.direction == .inbound {
                    inboundBodies[message.body, default: 0] += 1
                } else {
                    outbound[message.body] = ((outbound[message.body]?.0 ?? 0) + 1, shown.deliveryState)
                }
            }
        }
    }
    try store.close()
    let acknowledgedSMS = await ledger.inbound
    let acknowledgedChat = await ledger.webchat
    let acknowledgedReplies = await ledger.replies
    var problems: [String] = []
    for (_, body) in acknowledgedSMS where inboundBodies[body] != 1 { problems.append("SMS \(body) stored \(inboundBodies[body] ?? 0) times") }
    for body in acknowledgedChat where inboundBodies[body] != 1 { problems.append("webchat \(body) stored \(inboundBodies[body] ?? 0) times") }
    for text in acknowledgedReplies where outbound[text]?.0 != 1 { problems.append("reply \(text) stored \(outbound[text]?.0 ?? 0) times") }
    let sentTwice = await provider.bodyCounts.filter { $0.value > 1 }
    for (body, count) in sentTwice { problems.append("reply \(body) reached the provider \(count) times") }
    let unknown = outbound.values.filter { $0.1 == .unknown }.count
    let sent = outbound.values.filter { $0.1 == .sent || $0.1 == .delivered }.count
    let queued = outbound.values.filter { $0.1 == .queued }.count
    let sending = outbound.values.filter { $0.1 == .sending }.count
    let verify = try await run(["audit", "verify"], environment: storeEnvironment)
    if verify.0 != 0 { problems.append("audit verify failed: \(verify.1.prefix(200))") }
    for problem in problems.prefix(20) { FileHandle.standardError.write(Data("PROBLEM: \(problem)\n".utf8)) }
    let mode = database == nil ? "SQLite" : "PostgreSQL, two instances (A killed, B running)"
    return "crash-test (\(mode)): \(kills) kills; acknowledged \(acknowledgedSMS.count) SMS + \(acknowledgedChat.count) webchat messages, all present exactly once: \(problems.isEmpty ? "yes" : "NO"); "
        + "\(acknowledgedReplies.count) replies acknowledged: \(sent) sent, \(unknown) unknown (in flight at a kill), \(queued) still queued, \(sending) still sending (claimed by a killed instance; `unknown` once their two-minute lease runs out), \(sentTwice.count) sent twice; "
        + "audit verify: \(verify.0 == 0 ? "OK" : "FAILED"); \(problems.count) problems"
}
print(summary)
try? await database?.drop()
try? FileManager.default.removeItem(atPath: directory)
exit(summary.hasSuffix("; 0 problems") ? 0 : 1)

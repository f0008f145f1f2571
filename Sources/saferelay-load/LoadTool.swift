import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RelayCrypto
import Synchronization

/// `saferelay-load`: starts a `saferelay serve` in a scratch directory and drives it over HTTP on
/// loopback like its real clients — signed Twilio webhooks, webchat sessions with live event
/// streams, an advocate viewing threads and replying — then reports throughput, HdrHistogram
/// percentiles and the server's memory, phase by phase.
@main
struct LoadTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saferelay-load",
        abstract: "Load-test a saferelay binary over HTTP on 127.0.0.1 and report what it measured.")

    @Option(help: "The saferelay executable to start (a release build for figures).")
    var server: String

    @Option(help: "Seconds each timed phase runs.")
    var duration: Double = 10

    @Option(help: "Concurrent clients in closed-loop phases.")
    var connections: Int = 64

    @Option(help: "Inbound SMS a second offered in the open-loop phase; a comma-separated list runs one phase per rate.")
    var rate: String = "5000"

    /// The open-loop rates, in order.
    var rates: [Int] { rate.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    @Option(name: .customLong("view-threads"), help: "Threads of 20 messages seeded for the advocate thread-view phase.")
    var viewThreads: Int = 100

    @Option(help: "Webchat sessions held open (each with a live event stream) during the reply phase.")
    var sessions: Int = 1_000

    @Option(name: .customLong("reply-rate"), help: "Advocate replies a second in the reply phase.")
    var replyRate: Int = 100

    @Option(help: "Open event streams to hold for the memory phase (0 skips it).")
    var streams: Int = 0

    @Option(help: "Stored threads to reach before the memory phase.")
    var threads: Int = 0

    @Option(name: .customLong("fill-messages"), help: "Stored messages to reach before timing a restart (0: time it with what the run stored).")
    var fillMessages: Int = 0

    @Option(help: "An empty PostgreSQL database for the server (postgres://…); SQLite in the scratch folder without it.")
    var database: String?

    @Option(help: "Relay instances on the one --database, each its own process; requests and streams are spread over them in turn.")
    var instances: Int = 1

    @Flag(help: "Exit non-zero if any request failed or any reply did not reach its stream (for the smoke test).")
    var strict = false

    func validate() throws {
        guard FileManager.default.isExecutableFile(atPath: server) else { throw ValidationError("--server must name an executable") }
        guard duration > 0, duration <= 3_600 else { throw ValidationError("--duration must be 0 to 3600 seconds") }
        guard (1...5_000).contains(connections) else { throw ValidationError("--connections must be 1 to 5000") }
        guard !rates.isEmpty, rates.count == rate.split(separator: ",").count, rates.allSatisfy({ (1...100_000).contains($0) }),
            (1...10_000).contains(replyRate)
        else { throw ValidationError("rates must be 1 to 100000 a second") }
        guard (1...10_000).contains(viewThreads), (1...15_000).contains(sessions), (0...15_000).contains(streams) else {
            throw ValidationError("--view-threads, --sessions and --streams must be at most 10000, 15000 and 15000")
        }
        guard (0...10_000_000).contains(threads), (0...10_000_000).contains(fillMessages) else {
            throw ValidationError("--threads and --fill-messages must be at most 10000000")
        }
        guard (1...4).contains(instances) else { throw ValidationError("--instances must be 1 to 4") }
        guard instances == 1 || database != nil else { throw ValidationError("several --instances need a --database they share") }
        if let database, !database.hasPrefix("postgres://") && !database.hasPrefix("postgresql://") {
            throw ValidationError("--database must be a postgres:// URL")
        }
    }

    func run() async throws {
        let report = try await LoadRun(options: self).run()
        print(report.text)
        if strict && !report.clean { throw ExitCode(1) }
    }
}

/// One whole load run against one server process.
struct LoadRun {
    let options: LoadTool

    /// Everything measured, as printed.
    struct Report {
        var lines: [String] = []
        var clean = true
        var text: String { lines.joined(separator: "\n") }
        mutating func add(_ line: String) {
            lines.append(line)
            FileHandle.standardError.write(Data(("  " + line + "\n").utf8))
        }
    }

    func run() async throws -> Report {
        let accountSID = "AC" + String(repeating: "0", count: 24) + "10ad7e57"
        let authToken = RandomToken.bearer()
        let publicURL = "https://relay.load.test"
        let server = try ServerUnderTest(binary: options.server, instances: options.instances, environment: (options.database.map { ["SAFERELAY_DATABASE_URL": $0] } ?? [:]).merging([
            "SAFERELAY_TWILIO_ACCOUNT_SID": accountSID, "SAFERELAY_TWILIO_AUTH_TOKEN": authToken, "SAFERELAY_TWILIO_FROM": "+15005550006",
            // Replies in this run go to webchat; nothing should reach the provider, which is not there.
            "SAFERELAY_TWILIO_API_BASE": "http://127.0.0.1:9", "SAFERELAY_PUBLIC_URL": publicURL,
            "SAFERELAY_INBOUND_RATE": "1000000", "SAFERELAY_SENDER_RATE": "1000000", "SAFERELAY_SESSION_START_RATE": "1000000",
            "SAFERELAY_CLIENT_START_RATE": "1000000", "SAFERELAY_METRICS_TOKEN": Self.metricsToken,
            // Every load connection and stream comes from this one machine.
            "SAFERELAY_STREAMS_PER_CLIENT": "100000", "SAFERELAY_CONNECTIONS_PER_CLIENT": "100000",
            "SAFERELAY_LOG_LEVEL": "info",
        ]) { $1 })
        defer { server.remove() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: 40_000)
        configuration.timeout = .init(connect: .seconds(10))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let report = try await run(server: server, client: client, accountSID: accountSID, authToken: authToken, publicURL: publicURL)
            try? await client.shutdown()
            return report
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func run(server: ServerUnderTest, client: HTTPClient, accountSID: String, authToken: String, publicURL: String) async throws -> Report {

        var report = Report()
        let store = options.database == nil ? "SQLite" : "PostgreSQL, \(options.instances) instance\(options.instances == 1 ? "" : "s")"
        report.add("saferelay-load: \(store); \(ProcessInfo.processInfo.activeProcessorCount) cores, \(options.connections) connections, \(format(options.duration, 1)) s a phase")
        guard try server.command(["keys", "init"]).0 == 0 else { throw LoadError.setupFailed("keys init failed") }
        try server.start()
        defer { server.stop() }
        let driver = HTTPDriver(
            client: client, bases: server.ports.map { "http://127.0.0.1:\($0)" },
            webhook: WebhookSigner(accountSID: accountSID, publicURL: publicURL, signature: TwilioSignature(authToken: authToken)))
        let staffToken = try await StaffLogin.supervisorToken(server: server, driver: driver)
        let staffHeaders = [("Authorization", "Bearer \(staffToken)")]

        // The advocate dashboard's live stream: it names each thread a survivor writes in.
        let seenThreads = ThreadLog()
        let collecting = Switch()
        guard let dashboard = await EventStreamReader.open(driver, path: "/api/v1/events", token: staffToken, onEvent: { event, data in
            guard event == "thread.message", collecting.isOn,
                let thread = HTTPDriver.object(data)["thread"] as? String
            else { return }
            seenThreads.add(thread)
        }) else { throw LoadError.setupFailed("the advocate event stream did not open") }
        defer { dashboard.task.cancel() }
        let phaseDuration = Duration.milliseconds(Int(options.duration * 1000))
        var stored = 0
        func note(_ result: PhaseResult, strictFailures: Bool = true) {
            report.add(result.line)
            if strictFailures && result.failureCount > 0 { report.clean = false }
        }

        // 1. Seed the threads advocates will open: 20 messages each.
        collecting.set(true)
        let seeded = await LoadPattern.fixedCount("seed view threads", workers: options.connections, count: options.viewThreads * 20) { n in
            let status = await driver.inboundSMS(sid: Traffic.sid(1, n), from: Traffic.phone(20_000_000 + n % options.viewThreads), body: "load seed \(n)")
            return status == 200 ? nil : "\(status ?? 0)"
        }
        note(seeded)
        stored += seeded.count
        try await Task.sleep(for: .milliseconds(300))
        collecting.set(false)
        let viewThreadIDs = seenThreads.take()

        // 2. The HTTP stack's ceiling on this machine: /healthz, closed loop.
        let health = await LoadPattern.closedLoop("healthz (ceiling)", workers: options.connections, duration: phaseDuration) { _ in
            let answer = await driver.send(.GET, "/healthz")
            return answer?.status == 200 ? nil : "\(answer?.status ?? 0)"
        }
        note(health)

        // 3. Durable ingest of signed webhooks, as fast as they are acknowledged.
        let senderPool = 50_000
        let ingest = await LoadPattern.closedLoop("ingest SMS (closed loop)", workers: options.connections, duration: phaseDuration) { n in
            let status = await driver.inboundSMS(sid: Traffic.sid(2, n), from: Traffic.phone(n % senderPool), body: "load message \(n): are you safe to talk?")
            return status == 200 ? nil : "\(status ?? 0)"
        }
        note(ingest)
        stored += ingest.count
        report.add("  ingest / healthz ceiling = \(format(health.rate > 0 ? ingest.rate / health.rate : 0, 2))")

        // 4. The same at a fixed arrival rate: queueing delay counts.
        var openCount = 0
        for (index, rate) in options.rates.enumerated() {
            let open = await LoadPattern.openLoop("ingest SMS (open loop)", rate: rate, duration: phaseDuration) { n in
                let status = await driver.inboundSMS(
                    sid: Traffic.sid(3 + 16 * UInt32(index), n), from: Traffic.phone(senderPool + n % senderPool), body: "load paced \(n)")
                return status == 200 ? nil : "\(status ?? 0)"
            }
            note(open)
            openCount += open.count
            await settle(driver)
        }
        stored += openCount

        // 5. An advocate opening a thread of 20 messages: decrypt all, append an audit event.
        if viewThreadIDs.isEmpty { report.add("no thread ids arrived on the advocate stream"); report.clean = false }
        let viewHeaders = staffHeaders + [("X-Access-Purpose", "supervision")]
        let views = await LoadPattern.closedLoop("thread view (20 messages)", workers: options.connections, duration: phaseDuration) { n in
            guard !viewThreadIDs.isEmpty else { return "no-threads" }
            let answer = await driver.send(.GET, "/api/v1/threads/\(viewThreadIDs[n % viewThreadIDs.count])", headers: viewHeaders)
            guard answer?.status == 200 else { return "\(answer?.status ?? 0)" }
            return (answer?.body.components(separatedBy: "\"from\":\"survivor\"").count ?? 0) > 20 ? nil : "short-thread"
        }
        note(views)

        // 6. Webchat sessions, each with a message and an open event stream; advocates claim their threads.
        let replyClock = ReplyClock()
        let openStreams = StreamSet()
        collecting.set(true)
        let chats = await openSessions(count: options.sessions, offset: 0, driver: driver, replyClock: replyClock, streams: openStreams)
        note(chats)
        stored += chats.count
        try await Task.sleep(for: .milliseconds(300))
        collecting.set(false)
        _ = seenThreads.take()
        // The webchat threads, from the queue itself: with several instances, events of earlier
        // phases may still arrive on the advocate's stream while the sessions open.
        let chatThreads = await Self.queuedThreads(channel: "webchat", driver: driver, headers: staffHeaders)
        let claims = await LoadPattern.fixedCount("claim webchat threads", workers: min(options.connections, 16), count: chatThreads.count) { n in
            let answer = await driver.send(.POST, "/api/v1/threads/\(chatThreads[n])/claim", headers: staffHeaders + [("X-Access-Purpose", "first_response")])
            return answer?.status == 204 ? nil : "\(answer?.status ?? 0)"
        }
        note(claims)

        // 7. Replies while every session's stream is open: time from sending to arriving on the stream.
        let replyPosts = await LoadPattern.openLoop("reply (POST answered)", rate: options.replyRate, duration: phaseDuration) { n in
            guard !chatThreads.isEmpty else { return "no-threads" }
            replyClock.sent(n)
            let answer = await driver.send(
                .POST, "/api/v1/threads/\(chatThreads[n % chatThreads.count])/replies",
                headers: staffHeaders + [("Content-Type", "application/json")], body: #"{"text":"load-reply-\#(n)."}"#)
            guard answer?.status == 201 else { replyClock.forget(n); return "\(answer?.status ?? 0)" }
            replyClock.acknowledged(n)
            return nil
        }
        note(replyPosts)
        stored += replyPosts.count
        try await Task.sleep(for: .seconds(2))
        let delivered = replyClock.result("reply reaches stream (\(openStreams.count) open)", elapsed: replyPosts.seconds)
        note(delivered)
        var memory = server.memory()
        report.add("server memory\(options.instances > 1 ? " (first instance)" : "") after the reply phase: \(format(memory.current, 1)) MiB resident, peak \(format(memory.peak, 1)) MiB")

        // 8. Memory with many stored threads and open streams.
        if options.streams > 0 || options.threads > 0 {
            let existing = options.viewThreads + options.sessions + min(ingest.count, senderPool) + min(openCount, senderPool)
            let more = max(0, options.threads - existing)
            if options.threads > 0 {
                let filled = await LoadPattern.fixedCount("store more threads", workers: options.connections, count: more) { n in
                    let status = await driver.inboundSMS(sid: Traffic.sid(4, n), from: Traffic.phone(30_000_000 + n), body: "load thread \(n)")
                    return status == 200 ? nil : "\(status ?? 0)"
                }
                note(filled)
                stored += filled.count
            }
            let extra = max(0, options.streams - openStreams.count)
            if extra > 0 {
                let opened = await openSessions(count: extra, offset: options.sessions, driver: driver, replyClock: replyClock, streams: openStreams)
                note(opened)
                stored += opened.count
            }
            try await Task.sleep(for: .seconds(2))
            let metrics = await driver.send(.GET, "/metrics", headers: [("Authorization", "Bearer \(Self.metricsToken)")])?.body ?? ""
            memory = server.memory()
            report.add("server memory with \(Self.gauge(metrics, "saferelay_live_streams")) open streams and \(Self.gauge(metrics, "saferelay_queue_open_threads")) open threads (at most 100000 counted): "
                + "\(format(memory.current, 1)) MiB resident, peak \(format(memory.peak, 1)) MiB")
        }
        report.add("server peak memory over the run: \(format(server.memory().peak, 1)) MiB")

        // 9. Restart with everything stored: time to the first answer.
        if options.fillMessages > 0 {
            let fill = await LoadPattern.fixedCount("store more messages", workers: options.connections, count: max(0, options.fillMessages - stored)) { n in
                let status = await driver.inboundSMS(sid: Traffic.sid(5, n), from: Traffic.phone(n % 100_000), body: "load fill \(n): are you safe to talk?")
                return status == 200 ? nil : "\(status ?? 0)"
            }
            note(fill)
            stored += fill.count
        }
        for reader in openStreams.all { reader.task.cancel() }
        dashboard.task.cancel()
        server.stop()
        let launched = ContinuousClock.now
        try server.start()
        let restarted = HTTPDriver(client: driver.client, bases: ["http://127.0.0.1:\(server.port)"], webhook: driver.webhook)
        var answered = false
        while ContinuousClock.now - launched < .seconds(60) {
            if await restarted.send(.GET, "/healthz", timeout: .seconds(1))?.status == 200 { answered = true; break }
            try await Task.sleep(for: .milliseconds(2))
        }
        let startup = ContinuousClock.now - launched
        report.add("start-up with \(stored) messages stored: \(answered ? "\(format(startup.seconds * 1000, 0)) ms to the first /healthz answer" : "no answer within 60 s")")
        if !answered { report.clean = false }
        server.stop()
        return report
    }

    /// Starts `count` webchat sessions; each sends one message and opens its live stream, which
    /// times advocate replies as they arrive.
    private func openSessions(
        count: Int, offset: Int, driver: HTTPDriver, replyClock: ReplyClock, streams: StreamSet
    ) async -> PhaseResult {
        await LoadPattern.fixedCount("open webchat sessions + streams", workers: min(options.connections, 32), count: count) { n in
            guard let started = await driver.send(.POST, "/chat/sessions"), started.status == 201,
                let token = HTTPDriver.object(started.body)["token"] as? String
            else { return "session" }
            let sent = await driver.send(
                .POST, "/chat/messages",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"), ("Idempotency-Key", UUID().uuidString)],
                body: #"{"text":"load hello \#(offset + n)"}"#)
            guard sent?.status == 201 else { return "message-\(sent?.status ?? 0)" }
            guard let reader = await EventStreamReader.open(driver, path: "/chat/events", token: token, onEvent: { event, data in
                guard event == "message", let range = data.range(of: "load-reply-") else { return }
                let digits = data[range.upperBound...].prefix { $0.isNumber }
                if let n = Int(digits) { replyClock.arrived(n) }
            }) else { return "stream" }
            streams.add(reader)
            return nil
        }
    }

    /// Waits (up to two minutes) until an inbound message is acknowledged within 200 ms again, so
    /// that a backlog left by an overloaded phase does not count against the next one.
    private func settle(_ driver: HTTPDriver) async {
        let started = ContinuousClock.now
        var n = 0
        while ContinuousClock.now - started < .seconds(120) {
            let sent = ContinuousClock.now
            let status = await driver.inboundSMS(sid: Traffic.sid(6, n), from: Traffic.phone(40_000_000), body: "load settle \(n)")
            if status == 200 && ContinuousClock.now - sent < .milliseconds(200) { return }
            n += 1
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Every thread of `channel` in the queue, page by page.
    static func queuedThreads(channel: String, driver: HTTPDriver, headers: [(String, String)]) async -> [String] {
        var threads: [String] = []
        var after: String?
        for _ in 0..<10_000 {
            let cursor = after.flatMap { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) }.map { "&after=\($0)" } ?? ""
            guard let page = await driver.send(.GET, "/api/v1/queue?limit=100" + cursor, headers: headers), page.status == 200 else { break }
            let object = HTTPDriver.object(page.body)
            for item in object["threads"] as? [[String: Any]] ?? [] where item["channel"] as? String == channel {
                if let thread = item["thread"] as? String, !threads.contains(thread) { threads.append(thread) }
            }
            guard let next = object["next"] as? String else { break }
            after = next
        }
        return threads
    }

    /// The run's scrape token for `/metrics` (a throwaway server on loopback).
    static let metricsToken = "load-run-metrics-token-0123456789abcdef"

    static func gauge(_ metrics: String, _ name: String) -> String {
        // Prometheus writes a gauge as a float (`16.0`); a count reads better whole.
        guard let text = metrics.split(separator: "\n").first(where: { $0.hasPrefix(name + " ") }).map({ String($0.dropFirst(name.count + 1)) }) else { return "?" }
        guard let value = Double(text), value.rounded() == value, abs(value) < 1e15 else { return text }
        return String(Int64(value))
    }
}

/// When each reply was sent and when it reached a survivor's stream.
final class ReplyClock: Sendable {
    private struct State {
        var sent: [Int: ContinuousClock.Instant] = [:]
        var acknowledged: Set<Int> = []
        var arrived: Set<Int> = []
    }

    private let state = Mutex(State())
    private let recorder = LatencyRecorder()

    func sent(_ n: Int) { state.withLock { $0.sent[n] = .now } }
    func forget(_ n: Int) { _ = state.withLock { $0.sent.removeValue(forKey: n) } }
    func acknowledged(_ n: Int) { _ = state.withLock { $0.acknowledged.insert(n) } }

    func arrived(_ n: Int) {
        let now = ContinuousClock.now
        let sent = state.withLock { state -> ContinuousClock.Instant? in
            guard state.arrived.insert(n).inserted else { return nil }
            return state.sent[n]
        }
        if let sent { recorder.record(now - sent) }
    }

    /// Arrival latencies; an acknowledged reply that never arrived counts as "not-delivered".
    func result(_ name: String, elapsed seconds: Double) -> PhaseResult {
        let missing = state.withLock { $0.acknowledged.subtracting($0.arrived).count }
        for _ in 0..<missing { recorder.fail("not-delivered") }
        return recorder.result(name, elapsed: .milliseconds(Int(seconds * 1000)))
    }
}

/// The survivors' open streams.
final class StreamSet: Sendable {
    private let readers = Mutex<[EventStreamReader]>([])
    func add(_ reader: EventStreamReader) { readers.withLock { $0.append(reader) } }
    var count: Int { readers.withLock { $0.count } }
    var all: [EventStreamReader] { readers.withLock { $0 } }
}

/// Thread ids in the order the advocate stream named them.
final class ThreadLog: Sendable {
    private let ids = Mutex<(list: [String], seen: Set<String>)>(([], []))
    func add(_ id: String) { ids.withLock { if $0.seen.insert(id).inserted { $0.list.append(id) } } }
    /// The ids named so far; starts a new list.
    func take() -> [String] { ids.withLock { state in defer { state = ([], []) }; return state.list } }
}

/// A shared on/off switch.
final class Switch: Sendable {
    private let atomic = Atomic<Bool>(false)
    func set(_ on: Bool) { atomic.store(on, ordering: .relaxed) }
    var isOn: Bool { atomic.load(ordering: .relaxed) }
}

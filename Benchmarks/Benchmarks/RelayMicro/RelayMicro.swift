import Benchmark
import Foundation
import Logging
import RelayCore
import RelayCrypto
import RelayStore
import Synchronization

// Microbenchmarks of the relay's hot paths. Run with `scripts/bench-micro` (release build).
//
// Crypto and hashing run 1,000 operations per sample (scalingFactor .kilo), so their figures are
// per operation. Store benchmarks use a real SQLite file (WAL, synchronous=FULL) in a fresh temporary
// folder, so every durable write pays an fsync: put it on the disk you care about with
// SAFERELAY_BENCH_DIR (default: the system temporary folder).

// MARK: - Fixtures

/// A store, keyring and relay in a temporary folder, with one open SMS thread.
final class StoreFixture: Sendable {
    let directory: String
    let store: SQLiteStore
    let relay: Relay
    let threadID: String
    let threadKey: DataKey
    /// The relay's envelope (the same keyring), to seal fixtures as the relay would.
    let envelope: Envelope

    init() async throws {
        let base = ProcessInfo.processInfo.environment["SAFERELAY_BENCH_DIR"] ?? NSTemporaryDirectory()
        directory = (base as NSString).appendingPathComponent("saferelay-micro-" + UUID().uuidString)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory + "/saferelay.sqlite")
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let keyring = Keyring.generate(now: Date().rfc3339)
        relay = Relay(store: store, keyring: keyring, logger: logger)
        self.envelope = Envelope(keyring: keyring)
        let envelope = self.envelope
        let now = Date().storeTime
        let contactID = RandomToken.timeOrderedIdentifier(milliseconds: UInt64(now))
        let threadID = RandomToken.timeOrderedIdentifier(milliseconds: UInt64(now))
        let (contactKey, contactWrapped) = envelope.newDataKey(owner: contactID)
        let (threadKey, threadWrapped) = envelope.newDataKey(owner: threadID)
        self.threadID = threadID
        self.threadKey = threadKey
        try await store.write { writer in
            let sealedAddress = envelope.seal(
                Array("+14155550199".utf8), with: contactKey,
                context: SealContext(threadID: contactID, messageID: "address", direction: "contact"))
            try await writer.insert(ContactRecord(
                id: contactID, channel: .sms, addressIndex: Data(keyring.blindIndex(.contactAddress).index("sms:+14155550199")),
                sealedAddress: Data(sealedAddress), key: storedKey(contactWrapped), pseudonym: "Bench", createdAt: now))
            try await writer.insert(ThreadRecord(
                id: threadID, contactID: contactID, channel: .sms, state: .open, key: storedKey(threadWrapped),
                openedAt: now, lastActivityAt: now))
        }
    }

    func close() {
        try? store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `count` inbound message records for the fixture's thread, each sealed under its own id.
    func messages(_ count: Int, body: [UInt8]) -> [MessageRecord] {
        let now = Date().storeTime
        let envelope = self.envelope
        return (0..<count).map { _ in
            let id = RandomToken.timeOrderedIdentifier(milliseconds: UInt64(now))
            let sealed = envelope.seal(body, with: threadKey, context: SealContext(threadID: threadID, messageID: id, direction: "inbound"))
            return MessageRecord(id: id, threadID: threadID, direction: .inbound, sealedBody: Data(sealed), deliveryIndex: nil, createdAt: now)
        }
    }
}

/// Holds a benchmark's fixture from its setup to its teardown.
final class FixtureSlot: Sendable {
    private let slot = Mutex<StoreFixture?>(nil)

    func open() async throws {
        let fixture = try await StoreFixture()
        slot.withLock { $0 = fixture }
    }

    var fixture: StoreFixture { slot.withLock { $0! } }

    func close() {
        slot.withLock { fixture in
            fixture?.close()
            fixture = nil
        }
    }
}

func storedKey(_ wrapped: WrappedKey) -> StoredKey {
    StoredKey(kekVersion: wrapped.kekVersion, keyVersion: wrapped.dataKeyVersion, sealed: Data(wrapped.sealed))
}

/// A message body of `count` bytes of plain text (160: one SMS segment; 1,600: the longest SMS).
func body(_ count: Int) -> [UInt8] {
    let text = Array("Please help, I am at the bus station and he has my passport. ".utf8)
    return (0..<count).map { text[$0 % text.count] }
}

func auditEvent() -> AuditEvent {
    AuditEvent(actor: "advocate-7", role: "advocate", action: "thread.view", threadID: RandomToken.identifier(), purpose: "follow-up")
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.throughput, .wallClock, .mallocCountTotal]
    let perOperation = Benchmark.Configuration(metrics: metrics, scalingFactor: .kilo, maxDuration: .seconds(2), maxIterations: 1_000)
    let perWrite = Benchmark.Configuration(metrics: metrics, warmupIterations: 3, maxDuration: .seconds(5), maxIterations: 2_000)

    // MARK: Envelope: seal and open with a thread's data key

    let keyring = Keyring.generate(now: Date().rfc3339)
    let envelope = Envelope(keyring: keyring)
    let threadID = RandomToken.timeOrderedIdentifier(milliseconds: 1_800_000_000_000)
    let (threadKey, wrappedThreadKey) = envelope.newDataKey(owner: threadID)
    let context = SealContext(
        threadID: threadID, messageID: RandomToken.timeOrderedIdentifier(milliseconds: 1_800_000_000_000), direction: "inbound")

    for size in [160, 1_600] {
        let plaintext = body(size)
        let sealed = envelope.seal(plaintext, with: threadKey, context: context)
        Benchmark("Envelope.seal \(size) B", configuration: perOperation) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(envelope.seal(plaintext, with: threadKey, context: context))
            }
        }
        Benchmark("Envelope.open \(size) B", configuration: perOperation) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try envelope.open(sealed, with: threadKey, context: context))
            }
        }
    }

    // MARK: Keyring: blind index of a phone number, unwrap of a data key

    Benchmark("Blind index (phone number)", configuration: perOperation) { benchmark in
        // What Relay.ingest computes for an SMS sender: keyed BLAKE2b of "sms:" + E.164.
        for _ in benchmark.scaledIterations {
            blackHole(keyring.blindIndex(.contactAddress).index("sms:+14155550100"))
        }
    }

    Benchmark("Envelope.unwrap data key", configuration: perOperation) { benchmark in
        // Every ingest into an existing thread unwraps its key: AEAD open into sodium_malloc memory.
        for _ in benchmark.scaledIterations {
            blackHole(try envelope.unwrap(wrappedThreadKey, owner: threadID))
        }
    }

    // MARK: Audit: Merkle leaf hashing

    let auditLine = auditEvent().line(seq: 123_456, at: Date(timeIntervalSince1970: 1_800_000_000))
    Benchmark("Merkle leaf hash (\(auditLine.utf8.count) B line)", configuration: perOperation) { benchmark in
        // As in Relay.audit(_:): the line's bytes copied into an array, hashed into an array.
        for _ in benchmark.scaledIterations {
            blackHole(MerkleTree.leafHash(Array(auditLine.utf8)))
        }
    }
    Benchmark("Merkle leaf digest (no allocation)", configuration: perOperation) { benchmark in
        // As in Relay.audit(batch:): hashed in place into a Digest32.
        var line = auditLine
        for _ in benchmark.scaledIterations {
            blackHole(line.withUTF8 { MerkleTree.leafDigest(UnsafeRawBufferPointer($0)) })
        }
    }

    // MARK: Store: durable writes (SQLite, WAL, synchronous=FULL: one fsync per transaction)

    let insertBatch = FixtureSlot()
    Benchmark(
        "Store: 1,000 message inserts, one write",
        configuration: .init(metrics: metrics, warmupIterations: 2, scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 200)
    ) { benchmark in
        let fixture = insertBatch.fixture
        let records = fixture.messages(benchmark.scaledIterations.count, body: body(160))
        benchmark.startMeasurement()
        try await fixture.store.write { writer in
            for record in records { try await writer.insert(record) }
        }
        benchmark.stopMeasurement()
    } setup: {
        try await insertBatch.open()
    } teardown: {
        insertBatch.close()
    }

    let insertOne = FixtureSlot()
    Benchmark("Store: 1 message insert, one write", configuration: perWrite) { benchmark in
        let fixture = insertOne.fixture
        let record = fixture.messages(1, body: body(160))[0]
        benchmark.startMeasurement()
        try await fixture.store.write { writer in try await writer.insert(record) }
        benchmark.stopMeasurement()
    } setup: {
        try await insertOne.open()
    } teardown: {
        insertOne.close()
    }

    let ingest = FixtureSlot()
    let sender = try! ContactAddress.phone("+1 (415) 555-0100")
    let smsBody = String(decoding: body(160), as: UTF8.self)
    Benchmark("Relay.ingest 160 B SMS (existing thread)", configuration: perWrite) { benchmark in
        // Delivery-id and address blind indexes, de-duplication, contact and thread lookup, key
        // unwrap, seal, insert, reply-window touch: one durable transaction. The warmup creates the
        // contact and thread.
        let message = InboundMessage(address: sender, body: smsBody, deliveryID: "SM" + RandomToken.identifier())
        benchmark.startMeasurement()
        blackHole(try await ingest.fixture.relay.intake.ingest(message))
        benchmark.stopMeasurement()
    } setup: {
        try await ingest.open()
    } teardown: {
        ingest.close()
    }

    let auditOne = FixtureSlot()
    Benchmark("Relay.audit: 1 event", configuration: perWrite) { benchmark in
        let event = auditEvent()
        benchmark.startMeasurement()
        blackHole(try await auditOne.fixture.relay.auditLog.record(event))
        benchmark.stopMeasurement()
    } setup: {
        try await auditOne.open()
    } teardown: {
        auditOne.close()
    }

    let auditBatch = FixtureSlot()
    Benchmark("Relay.audit(batch:) 100 events", configuration: perWrite) { benchmark in
        let events = (0..<100).map { _ in auditEvent() }
        benchmark.startMeasurement()
        blackHole(try await auditBatch.fixture.relay.auditLog.record(batch: events))
        benchmark.stopMeasurement()
    } setup: {
        try await auditBatch.open()
    } teardown: {
        auditBatch.close()
    }

    // MARK: Trend reports: the whole lattice and its suppression, at a national hotline's size

    let nationalCounts = trendCounts(cases: 30_000)
    let quarters = (2024...2026).flatMap { year in (1...4).map { TrendPeriod(TrendQuarter(year: year, quarter: $0)!) } }
    let byQuarter = quarters.map { TrendSnapshot(period: $0, counters: nationalCounts, policy: .builtIn) }
    let byYear = (2024...2026).map { TrendSnapshot(period: TrendPeriod(year: $0)!, counters: nationalCounts, policy: .builtIn) }
    let perReport = Benchmark.Configuration(metrics: metrics, warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 20)
    Benchmark("Trends: suppress 30,000 cases frozen by quarter (12 × 58 regions × 27 types)", configuration: perReport) { benchmark in
        benchmark.startMeasurement()
        for snapshot in byQuarter { blackHole(TrendTable(snapshot)) }
        benchmark.stopMeasurement()
    }
    Benchmark("Trends: suppress 30,000 cases frozen by year (3 × 58 regions × 27 types)", configuration: perReport) { benchmark in
        benchmark.startMeasurement()
        for snapshot in byYear { blackHole(TrendTable(snapshot)) }
        benchmark.stopMeasurement()
    }
}

/// `cases` cases over 2024-2026, skewed as a national hotline's are: a few regions and types hold
/// most of them (each draw the smallest of two or three uniform ones), deterministic (SplitMix64).
func trendCounts(cases: Int) -> [TrendCount] {
    var state: UInt64 = 11
    func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
    let regions = TrendPolicy.builtIn.regions
    let types = TrendKey.typeCodes
    var merged: [String: TrendCount] = [:]
    for _ in 0..<cases {
        let ordinal = next(36)
        let month = TrendMonth(year: 2024 + ordinal / 12, month: ordinal % 12 + 1)!.description
        let region = regions[min(next(regions.count), next(regions.count))]
        let type = types[min(next(types.count), next(types.count), next(types.count))]
        merged[month + region + type, default: TrendCount(month: month, region: region, type: type, channel: "sms", who: "survivor", count: 0)].count += 1
    }
    return merged.keys.sorted().map { merged[$0]! }
}

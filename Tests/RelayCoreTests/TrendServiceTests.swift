import Foundation
import RelayCrypto
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayCore

/// The trend counters follow case records in their own transaction and outlive purges; reports
/// are for supervisors and compliance, audited before they are made.
struct TrendServiceTests {
    static let supervisor = StaffIdentity(accountID: "s1", name: "sam", role: .supervisor)

    static func counts(_ harness: RelayHarness) async throws -> [TrendCount] {
        try await harness.store.read { try await $0.trendCounts() }
    }

    @Test func aCaseCountsOnceAndItsFieldsMoveTheCountInTheSameTransaction() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let relay = harness.relay
        let thread = try await relay.intake.ingest(harness.sms("+12025550140", "hello", sid: "SMt1"))
        let month = TrendMonth(of: harness.clock.now()).description
        let purpose = "first_response"
        #expect(try await Self.counts(harness).isEmpty)

        // A note alone does not count the case: none of the report's fields is recorded.
        _ = try await relay.caseRecords.change(threadID: thread.threadID, .note("first call"), by: Self.supervisor, purpose: purpose)
        #expect(try await Self.counts(harness).isEmpty)

        _ = try await relay.caseRecords.change(threadID: thread.threadID, .profile(region: "TX", reachedOutBy: "survivor"), by: Self.supervisor, purpose: purpose)
        #expect(try await Self.counts(harness) == [TrendCount(month: month, region: "TX", type: "not-recorded", channel: "sms", who: "survivor", count: 1)])

        _ = try await relay.caseRecords.change(threadID: thread.threadID, .tags(["domestic-work"]), by: Self.supervisor, purpose: purpose)
        #expect(try await Self.counts(harness) == [TrendCount(month: month, region: "TX", type: "domestic-work", channel: "sms", who: "survivor", count: 1)])

        // Two types: the case is one row of every count, under `several`.
        let record = try await relay.caseRecords.change(
            threadID: thread.threadID, .tags(["domestic-work", "construction"]), by: Self.supervisor, purpose: purpose)
        #expect(record.counted?.type == "several")
        #expect(try await Self.counts(harness) == [TrendCount(month: month, region: "TX", type: "several", channel: "sms", who: "survivor", count: 1)])

        // A refused change changes no count.
        await #expect(throws: RelayError.self) {
            _ = try await relay.caseRecords.change(threadID: thread.threadID, .profile(region: "Atlantis", reachedOutBy: nil), by: Self.supervisor, purpose: purpose)
        }
        await #expect(throws: RelayError.self) {
            _ = try await relay.caseRecords.change(threadID: thread.threadID, .profile(region: nil, reachedOutBy: "neighbour"), by: Self.supervisor, purpose: purpose)
        }
        #expect(try await Self.counts(harness).map(\.count) == [1])

        // A second person; then the first is erased: the counts, which hold no id, stay.
        let other = try await relay.intake.ingest(harness.sms("+12025550141", "hi", sid: "SMt2"))
        _ = try await relay.caseRecords.change(threadID: other.threadID, .profile(region: "TX", reachedOutBy: "professional"), by: Self.supervisor, purpose: purpose)
        _ = try await relay.erasure.eraseContact(id: thread.contactID)
        let left = try await Self.counts(harness)
        #expect(left.map(\.count).reduce(0, +) == 2)
        #expect(left.map(\.who).sorted() == ["professional", "survivor"])

        // Clearing every field takes the case out of the counts.
        _ = try await relay.caseRecords.change(threadID: other.threadID, .profile(region: nil, reachedOutBy: nil), by: Self.supervisor, purpose: purpose)
        #expect(try await Self.counts(harness).map(\.who) == ["survivor"])
    }

    @Test func advocatesAreRefusedAndEveryReportIsAuditedWithItsQuery() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let relay = harness.relay
        let query = try TrendQuery.parse(by: "quarter,region", from: "2026-01", to: "2026-06")
        await #expect(throws: AccessError.forbidden) {
            _ = try await relay.trends.report(query, by: StaffIdentity(accountID: "a1", name: "ana", role: .advocate))
        }
        await #expect(throws: AccessError.forbidden) {
            _ = try await relay.trends.report(query, by: StaffIdentity(accountID: "d1", name: "dee", role: .admin))
        }
        _ = try await relay.trends.report(query, by: Self.supervisor)
        _ = try await relay.trends.report(query, actor: "cli:cora")
        let page = try await relay.auditLog.events(
            by: StaffIdentity(accountID: "c1", name: "cora", role: .compliance), since: .distantPast, until: .distantFuture, actor: nil,
            threadID: nil, after: nil, limit: 100)
        let reports = page.events.map(\.line).filter { $0.contains(#""action":"trends.report""#) }
        #expect(reports.count == 2)
        #expect(reports.allSatisfy { $0.contains(#""x_by":"quarter,region""#) && $0.contains(#""x_from":"2026-01""#) && $0.contains(#""x_to":"2026-06""#) })
        #expect(reports.allSatisfy { $0.contains(#""x_threshold":"11""#) && $0.contains(#""x_policy":"built-in""#) })
        #expect(reports.contains { $0.contains(#""actor":"sam""#) && $0.contains(#""role":"supervisor""#) })
        #expect(reports.contains { $0.contains(#""actor":"cli:cora""#) && $0.contains(#""role":"compliance""#) })
        // The refused ones were not reports.
        #expect(!page.events.map(\.line).contains { $0.contains(#""actor":"ana""#) })
    }

    /// The report path reads the counters and writes its audit event, and nothing else: no
    /// message, note, address, thread, contact or account — the audit event committed first.
    @Test func aReportReadsOnlyTheCountersAfterItsAuditEventCommitted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = AuditOrderTests.StatementLog()
        let store = try SQLiteStore(path: directory.file("saferelay.sqlite")) { connection, sql in log.append(connection, sql) }
        defer { try? store.close() }
        let relay = Relay(store: store, keyring: .generate(now: "2026-11-23T20:00:00Z"), logger: CapturedLogs().logger())
        let thread = try await relay.intake.ingest(InboundMessage(address: .phone("+12025550402"), body: "TREND-CANARY", deliveryID: "SMr1"))
        _ = try await relay.caseRecords.change(threadID: thread.threadID, .profile(region: "TX", reachedOutBy: "survivor"), by: Self.supervisor, purpose: "first_response")
        // A quarter that is over, to report on.
        let closed = TrendQuarter(of: TrendMonth(of: Date())).previous.months[0].description
        try await store.write { try await $0.adjustTrendCount(TrendCount(month: closed, region: "TX", type: "construction", channel: "sms", who: "other", count: 1), by: 12) }
        log.clear()
        let view = try await relay.trends.report(try TrendQuery.parse(by: "month,region,type", from: nil, to: nil), by: Self.supervisor)
        #expect(!view.cells.isEmpty)
        let lines = log.all
        let commit = try #require(lines.firstIndex { $0.sql.hasPrefix("COMMIT") }, "the report was not audited")
        let read = try #require(lines.firstIndex { $0.sql.contains("FROM trend_count") }, "the counters were not read")
        #expect(commit < read)
        for table in ["message", "case_record", "contact", "thread", "account", "outbox", "webchat_session", "resume_phrase"] {
            #expect(!lines.contains { $0.sql.contains("FROM \(table) ") || $0.sql.contains("FROM \(table)\n") || $0.sql.hasSuffix("FROM \(table)") }, "read \(table)")
        }
    }

    @Test func queriesAreBoundedAndRefusedWithAReason() throws {
        for (by, from, to, code) in [
            ("", nil, nil, "invalid_by"), ("month,month", nil, nil, "invalid_by"), ("month,quarter", nil, nil, "invalid_by"),
            ("region,phone", nil, nil, "invalid_by"), (String(repeating: "region,", count: 20), nil, nil, "invalid_by"),
            ("month", "2026-13", nil, "invalid_month"), ("month", "26-01", nil, "invalid_month"), ("month", "2026-06", "2026-01", "invalid_range"),
            ("quarter", "2026-02", nil, "invalid_range"), ("year", nil, "2026-11", "invalid_range"), ("year", "2026-04", nil, "invalid_range"),
            ("region", "2026-02", "2026-05", "invalid_range"), ("month", "2026-02", nil, "invalid_range"), ("type", nil, "2026-05", "invalid_range"),
        ] as [(String, String?, String?, String)] {
            #expect(throws: TrendQuery.Invalid.self) { _ = try TrendQuery.parse(by: by, from: from, to: to) }
            do {
                _ = try TrendQuery.parse(by: by, from: from, to: to)
            } catch {
                #expect(error.code == code, "\(by) \(from ?? "-") \(to ?? "-")")
            }
        }
        #expect(try TrendQuery.parse(by: "region", from: "2026-04", to: "2026-06").byRegion)
        #expect(try TrendQuery.parse(by: "month,type", from: "2025-10", to: "2026-03").byType)
        #expect(try TrendQuery.parse(by: "year,type", from: "2025-01", to: "2026-12").period == .year)
    }

    /// A quarter is frozen the first time it is reported: a count added to it later is in no later
    /// report, and the quarter still open is in none.
    @Test func aReportedQuarterNeverChangesAndTheOpenOneIsNotShown() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let now = TrendMonth(of: harness.clock.now())
        let closed = TrendQuarter(of: now).previous
        let month = closed.months[1].description
        let key = TrendCount(month: month, region: "TX", type: "construction", channel: "sms", who: "survivor", count: 1)
        let open = TrendCount(month: now.description, region: "TX", type: "construction", channel: "sms", who: "survivor", count: 1)
        try await harness.store.write { writer in
            try await writer.adjustTrendCount(key, by: 30)
            try await writer.adjustTrendCount(open, by: 40)
        }
        let query = try TrendQuery.parse(by: "quarter", from: nil, to: nil)
        let first = try await harness.relay.trends.report(query, by: Self.supervisor)
        #expect(first.cells.first { $0.period == closed.description }?.count == 30)
        #expect(!first.cells.contains { $0.period == TrendQuarter(of: now).description })
        #expect(first.cells.first { $0.period == "total" }?.count == 30)
        try await harness.store.write { try await $0.adjustTrendCount(key, by: 1) }
        let second = try await harness.relay.trends.report(query, by: Self.supervisor)
        #expect(second.cells == first.cells)
        #expect(try await harness.store.read { try await $0.trendSnapshots() }.map(\.period) == [closed.description])
    }

    /// Two relays freezing at the same moment under different units (one by quarter, one by
    /// year: a command-line run beside the server) store no two periods that overlap; and of two
    /// that overlap in a store (a restored copy), only the first frozen is ever shown.
    @Test func periodsFrozenAtOnceNeverOverlapAndAnOverlapIsNeverShown() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let generated = TrendSample.counts()
        try await harness.store.write { writer in for count in generated { try await writer.adjustTrendCount(count, by: count.count) } }
        func relay(_ unit: TrendPolicy.Unit) -> Relay {
            var settings = RelaySettings()
            settings.trends = TrendPolicy(name: unit.rawValue, sha256: "", threshold: 11, regions: TrendSample.regions, frozenBy: unit)
            // 2026-02-10: 2025 is over.
            return Relay(store: harness.store, keyring: .generate(now: "2026-02-10T00:00:00Z"), clock: ManualClock(start: Date(timeIntervalSince1970: 1_770_681_600)),
                settings: settings, logger: harness.logs.logger())
        }
        async let byQuarter = relay(.quarter).trends.currentReport()
        async let byYear = relay(.year).trends.currentReport()
        _ = try await (byQuarter, byYear)
        let stored = try await harness.store.read { try await $0.trendSnapshots() }.compactMap { TrendPeriod($0.period) }
        let months = stored.flatMap(\.months)
        #expect(Set(months).count == months.count, "\(stored)")
        #expect(Set(months.map(\.description)) == Set((1...12).map { String(format: "2025-%02d", $0) }))
        // A copy written over later freezes: a year frozen after its quarters is never shown.
        let year = TrendSnapshot(period: TrendPeriod(year: 2025)!, counters: generated, policy: .builtIn)
        try await harness.store.write { try await $0.insertTrendSnapshot(TrendSnapshotRecord(period: "2025", body: try year.encoded(), madeAt: .max)) }
        let shown = try await relay(.quarter).trends.currentReport().tables.map(\.period)
        #expect(shown == stored.sorted())
    }

    /// A period frozen under a lower threshold than today's shows nothing but its zeros; a frozen
    /// period's decisions are applied as stored, and a damaged one hides every count.
    @Test func aLowerFrozenThresholdShowsNothingAndDamagedDecisionsHideEverything() async throws {
        let counts = TrendSample.counts()
        var lax = TrendPolicy.builtIn
        lax.threshold = 3
        lax.regions = TrendSample.regions
        let quarter = TrendPeriod(TrendQuarter(year: 2025, quarter: 1)!)
        let frozen = TrendSnapshot(period: quarter, counters: counts, policy: lax)
        let sealed = await TrendSuppressionTests.offPool { frozen.sealed(by: TrendTable(frozen)) }
        let table = TrendTable(sealed)
        #expect(table.count(time: nil, region: "west", type: nil) != nil)
        let strict = TrendReport(tables: [table], policy: .builtIn, through: TrendMonth("2025-03"))
        let view = strict.view(try TrendQuery.parse(by: "month,region,type", from: nil, to: nil))
        #expect(!view.cells.isEmpty && view.cells.allSatisfy { $0.count == nil || $0.count == 0 })
        // The stored decisions are the ones applied.
        #expect(TrendTable(sealed).suppressionMask() == table.suppressionMask())
        var damaged = sealed
        damaged.suppressed = "AAAA"
        let hidden = TrendTable(damaged)
        #expect(hidden.count(time: nil, region: nil, type: nil) == nil)
    }

    /// A case whose fields are cleared, then set again months later, counts in the month it was
    /// first counted: never in two.
    @Test func aCaseClearedAndRecordedAgainCountsInItsFirstMonth() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let relay = harness.relay
        let thread = try await relay.intake.ingest(harness.sms("+12025550142", "hello", sid: "SMt3"))
        let first = TrendMonth(of: harness.clock.now()).description
        _ = try await relay.caseRecords.change(threadID: thread.threadID, .tags(["construction"]), by: Self.supervisor, purpose: "first_response")
        _ = try await relay.caseRecords.change(threadID: thread.threadID, .tags([]), by: Self.supervisor, purpose: "first_response")
        #expect(try await Self.counts(harness).isEmpty)
        harness.clock.advance(by: 120 * 86_400)
        _ = try await relay.caseRecords.change(threadID: thread.threadID, .tags(["construction"]), by: Self.supervisor, purpose: "first_response")
        #expect(try await Self.counts(harness).map(\.month) == [first])
    }

    @Test func theShippedPolicyIsTheBuiltInOneAndBadFilesAreRefusedWithTheirLine() throws {
        let shipped = try TrendPolicy.load(path: RepositoryFile.path("Policies/trends.yaml"))
        #expect(shipped.threshold == 11 && shipped.regions == TrendPolicy.builtIn.regions && shipped.name == "us-states-k11")
        #expect(shipped.frozenBy == .quarter)
        #expect(try TrendPolicy.parse("frozen_by: year\n", file: "t.yaml").frozenBy == .year)
        for (text, line) in [
            ("version: 2\n", 1), ("threshold: 2\n", 1), ("threshold: eleven\n", 1), ("version: 1\nregions: [TX, TX]\n", 2),
            ("regions: [not-recorded]\n", 1), ("regions: [all]\n", 1), ("regions: [total]\n", 1), ("regions: [\"-TX\"]\n", 1), ("regions: []\n", 1),
            ("frozen_by: month\n", 1), ("regions: [\"Texas state\"]\n", 1), ("colour: red\n", 1),
            ("version: 1\nregions:\n  - TX\n  - {a: b}\n", 4),
        ] as [(String, Int)] {
            #expect(throws: PolicyError.self) { _ = try TrendPolicy.parse(text, file: "t.yaml") }
            do {
                _ = try TrendPolicy.parse(text, file: "t.yaml")
            } catch let error as PolicyError {
                #expect(error.line == line, "\(text)")
            }
        }
    }

}

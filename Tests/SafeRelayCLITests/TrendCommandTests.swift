import Foundation
import RelayStore
import RelayTestSupport
import Testing

/// `saferelay trends`, the real binary, over a database the server created and the generated
/// sample's counters: the three formats, the quiet region's small count suppressed everywhere,
/// the report audited under the actor's name, bad options (64) and a bad policy (65) refused.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TrendCommandTests {
    static let policyText = "version: 1\nname: sample\nthreshold: 11\nregions: [north, south, east, west]\n"

    /// A folder with a keyring, a database the server made and the sample's counters.
    static func populated() async throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        let server = try RunningServer(in: dir.path)
        guard server.waitUntilListening() else { throw ServerDidNotStart(log: server.log) }
        _ = server.stop()
        let store = try SQLiteStore(path: dir.file("data/saferelay.sqlite"))
        defer { try? store.close() }
        let counts = TrendSample.counts()
        try await store.write { writer in for count in counts { try await writer.adjustTrendCount(count, by: count.count) } }
        try policyText.write(toFile: dir.file("trends.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    struct ServerDidNotStart: Error { let log: String }

    @Test func reportsInThreeFormatsSuppressTheQuietRegionAndAreAudited() async throws {
        let dir = try await Self.populated()
        defer { dir.remove() }
        let base = ["trends", "--trends", dir.file("trends.yaml"), "--actor", "cora"]
        let json = try SafeRelayBinary.run(base + ["--by", "region,type", "--format", "json"], in: dir.path)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["threshold"] as? Int == 11 && object["policy"] as? String == "sample" && object["by"] as? String == "region,type")
        let cells = try #require(object["cells"] as? [[String: Any]])
        let quiet = try #require(cells.first { $0["region"] as? String == "west" && $0["type"] as? String == TrendSample.small })
        #expect(quiet["count"] is NSNull && quiet["suppressed"] as? Bool == true)
        let everyone = try #require(cells.first { $0["region"] as? String == "all" && $0["type"] as? String == "all" })
        #expect((everyone["count"] as? Int ?? 0) > 1_000)
        // No count from 1 to 10 anywhere.
        #expect(cells.compactMap { $0["count"] as? Int }.allSatisfy { $0 == 0 || $0 >= 11 })

        let csv = try SafeRelayBinary.run(base + ["--by", "quarter,region", "--from", "2025-01", "--to", "2025-12", "--format", "csv"], in: dir.path)
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "period,region,count,suppressed")
        #expect(lines.contains { $0.hasPrefix("2025-Q1,north,") } && lines.contains { $0.hasPrefix("total,all,") })

        let table = try SafeRelayBinary.run(base + ["--by", "year,type"], in: dir.path)
        #expect(table.status == 0 && table.stdout.contains("Trends by year,type") && table.stdout.contains("suppressed"), "\(table.stderr)")
        // Each report is in the audit log under the actor's name, with its query.
        let audit = try SafeRelayBinary.run(["audit", "export"], in: dir.path)
        let reports = audit.stdout.split(separator: "\n").filter { $0.contains(#""action":"trends.report""#) }
        #expect(reports.count == 3, "\(audit.stderr)")
        #expect(reports.allSatisfy { $0.contains(#""actor":"cora""#) && $0.contains(#""role":"compliance""#) })
        #expect(reports.contains { $0.contains(#""x_by":"quarter,region""#) && $0.contains(#""x_from":"2025-01""#) })
        // The README's sample report: `SAFERELAY_TREND_SAMPLE=FILE swift test --filter TrendCommandTests`.
        if let sample = ProcessInfo.processInfo.environment["SAFERELAY_TREND_SAMPLE"] {
            let quarters = try SafeRelayBinary.run(base + ["--by", "quarter,region", "--from", "2026-01", "--to", "2026-09"], in: dir.path)
            // The same cases in a database whose policy freezes whole years.
            let yearly = try await Self.populated()
            defer { yearly.remove() }
            try (Self.policyText + "frozen_by: year\n").write(toFile: yearly.file("trends.yaml"), atomically: true, encoding: .utf8)
            let year = try SafeRelayBinary.run(
                ["trends", "--trends", yearly.file("trends.yaml"), "--actor", "cora", "--by", "region,type", "--from", "2025-01", "--to", "2025-12"], in: yearly.path)
            try ("$ saferelay trends --by quarter,region --from 2026-01 --to 2026-09\n" + quarters.stdout
                + "\n$ saferelay trends --by region,type --from 2025-01 --to 2025-12     # with frozen_by: year\n" + year.stdout)
                .write(toFile: sample, atomically: true, encoding: .utf8)
        }

    }

    @Test func badOptionsAndABadPolicyAreRefusedWithoutAReport() async throws {
        let dir = try await Self.populated()
        defer { dir.remove() }
        for arguments in [
            ["--by", "phone"], ["--by", "month,year"], ["--from", "2026-13"], ["--by", "quarter", "--from", "2026-02"],
            ["--by", "region", "--from", "2026-02", "--to", "2026-05"], ["--format", "xml"],
        ] {
            let result = try SafeRelayBinary.run(["trends"] + arguments, in: dir.path)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
        try "version: 1\nthreshold: 1\n".write(toFile: dir.file("bad.yaml"), atomically: true, encoding: .utf8)
        let refused = try SafeRelayBinary.run(["trends", "--trends", dir.file("bad.yaml")], in: dir.path)
        #expect(refused.status == 65 && refused.stderr.contains("bad.yaml:2:"), "\(refused.stderr)")
        let audit = try SafeRelayBinary.run(["audit", "export"], in: dir.path)
        #expect(!audit.stdout.contains("trends.report"))
    }
}

import Foundation
import HTTPTypes
@testable import RelayCore
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// The console's trend screen and the case record's report fields, in Chromium.
extension ConsolePageTests {
    /// A supervisor records a case's region and who reached out from the case pane (the counter
    /// moves); then runs a report: the chart's bars and the table match what the API publishes,
    /// suppressed cells are drawn and written as suppressed, never as a number. An advocate has no
    /// trends screen.
    @Test func aSupervisorRecordsReportFieldsAndReadsTrendsWithSuppressedCellsMarked() async throws {
        try await RelayTestServer.run { server in
            let supervisorTOTP = try await StaffHardeningTests.enrol(server, "sam", role: .supervisor)
            let advocateTOTP = try await StaffHardeningTests.enrol(server, "ana", role: .advocate)
            try await server.store.write { writer in
                for count in TrendSample.counts() { try await writer.adjustTrendCount(count, by: count.count) }
            }
            _ = try await StaffAPITests.smsThread(server, "+12025550146", "TREND-CANARY hello", sid: 147)
            try await Self.withConsole(server) { browser in
                try await Self.signIn(browser, server, "sam", totp: supervisorTOTP)
                try await browser.wait("the queue") { try await browser.script("return document.querySelectorAll('#queue li').length") as? Int == 1 }
                try await browser.click("#queue li button")
                try await browser.wait("the thread or the purpose question") {
                    try await browser.script("return document.getElementById('ask').open || !document.getElementById('thread-pane').hidden") as? Bool == true
                }
                if try await browser.script("return document.getElementById('ask').open") as? Bool == true {
                    _ = try await browser.script("document.getElementById('ask-choice').value = 'supervision'")
                    try await browser.click("#ask-ok")
                }
                try await browser.wait("the region choices") { try await browser.script("return document.getElementById('case-region').options.length") as? Int ?? 0 > 50 }
                _ = try await browser.script("document.getElementById('case-region').value = 'TX'; document.getElementById('case-who').value = 'community-member'")
                try await browser.click("#profile-form button")
                try await browser.wait("the counter") {
                    try await server.store.read { try await $0.trendCounts() }.contains { $0.region == "TX" && $0.who == "community-member" && $0.count == 1 }
                }

                try await browser.click("#nav-trends")
                _ = try await browser.script("""
                    document.getElementById('trends-period').value = 'quarter';
                    document.getElementById('trends-region').checked = true;
                    document.getElementById('trends-from').value = '2026-01';
                    document.getElementById('trends-to').value = '2026-09';
                    """)
                try await browser.click("#trends-form button")
                try await browser.wait("the chart") { try await browser.script("return document.querySelectorAll('#trends-chart svg g.bar').length") as? Int == 3 }
                let query = try TrendQuery.parse(by: "quarter,region", from: "2026-01", to: "2026-09")
                let published = try await server.relay.trends.report(query, by: StaffIdentity(accountID: "x", name: "sam", role: .supervisor))
                let titles = try await browser.script("return Array.from(document.querySelectorAll('#trends-chart svg g.bar title')).map(t => t.textContent)") as? [String]
                let expected = published.cells.filter { $0.region == "all" && $0.period != "total" }.map { "\($0.period!): \($0.count.map(String.init) ?? "suppressed")" }
                #expect(titles == expected)
                // Every suppressed cell is written as suppressed; no number from 1 to 10 is on the screen.
                let suppressedRows = try await browser.script("return document.querySelectorAll('#trends-table td.suppressed').length") as? Int
                #expect(suppressedRows == published.cells.filter { $0.count == nil }.count)
                #expect((suppressedRows ?? 0) > 0)
                let numbers = try await browser.script("return Array.from(document.querySelectorAll('#trends-table td.number')).map(t => Number(t.textContent))") as? [Int] ?? []
                #expect(!numbers.isEmpty && numbers.allSatisfy { $0 >= 11 })
                try await browser.screenshot(to: Self.screenshots + "/console-trends.png")
                // A whole-range view by region draws suppressed regions hatched, marked S; a month
                // chosen stands for its quarter (May: the second quarter).
                _ = try await browser.script("""
                    document.getElementById('trends-period').value = '';
                    document.getElementById('trends-from').value = '2026-05';
                    document.getElementById('trends-to').value = '2026-05';
                    """)
                try await browser.click("#trends-form button")
                let month = try await server.relay.trends.report(
                    try TrendQuery.parse(by: "region", from: "2026-04", to: "2026-06"), by: StaffIdentity(accountID: "x", name: "sam", role: .supervisor))
                let hidden = month.cells.filter { $0.region != "all" && $0.count == nil }.count
                try await browser.wait("the month's bars") {
                    try await browser.script("return document.querySelectorAll('#trends-chart svg g.bar.suppressed').length") as? Int == hidden
                }
                #expect(hidden > 0)
                let lines = try await server.store.read { try await $0.audit(since: 0, until: .max, afterSeq: -1, limit: 1000) }.compactMap(\.line)
                #expect(lines.filter { $0.contains(#""action":"trends.report""#) && $0.contains(#""actor":"sam""#) }.count >= 2)

                try await browser.click("#sign-out")
                try await browser.wait("the sign-in form") { try await browser.script("return !document.getElementById('sign-in').hidden") as? Bool == true }
                #expect(try await browser.script("return document.querySelectorAll('#trends-table tbody tr').length") as? Int == 0)
                try await Self.signIn(browser, server, "ana", totp: advocateTOTP)
                try await browser.wait("the advocate's queue") { try await browser.script("return !document.getElementById('work').hidden") as? Bool == true }
                #expect(try await browser.script("return document.getElementById('nav-trends').hidden") as? Bool == true)
            }
        }
    }
}

import ArgumentParser
import Foundation
import RelayCore

/// `saferelay trends`: counts by month, quarter or year, region and type, small cells suppressed,
/// as a table, CSV or JSON (audited as `trends.report`, attributed to `--actor`).
struct Trends: AsyncParsableCommand {
    /// How a report is written.
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    static let configuration = CommandConfiguration(
        commandName: "trends",
        abstract: "Trend report: cases by period, region and type, with small cells suppressed (no content, no ids).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var policy: TrendsPolicyOption
    @Option(help: ArgumentHelp("Grouping: one of month, quarter, year; region; type; comma-separated.", valueName: "list"))
    var by = "month"
    @Option(help: ArgumentHelp("First month (YYYY-MM; with quarters or years, the first month of one).", valueName: "month"))
    var from: String?
    @Option(help: ArgumentHelp("Last month (YYYY-MM; with quarters or years, the last month of one).", valueName: "month"))
    var to: String?
    @Option(help: "table (rows with no cases left out), csv or json (every cell).") var format: Format = .table
    @OptionGroup var actor: ActorOption

    func validate() throws {
        do {
            _ = try TrendQuery.parse(by: by, from: from, to: to)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        await runReportingFailures {
            let query: TrendQuery
            do {
                query = try TrendQuery.parse(by: by, from: from, to: to)
            } catch let invalid as TrendQuery.Invalid {
                throw CLIFailure(message: invalid.message, code: CLIFailure.usage)
            }
            let trends = try policy.load()
            let (relay, database) = try await store.openRelay(label: "saferelay.trends") { $0.trends = trends }
            defer { try? database.close() }
            let view: TrendView
            do {
                view = try await relay.trends.report(query, actor: actor.name)
            } catch AccessError.auditUnavailable {
                throw CLIFailure(message: "the audit log cannot be written: no report was made", code: CLIFailure.temporaryFailure)
            }
            FileHandle.standardOutput.write(Data(try TrendWriter.write(view, as: format).utf8))
        }
    }
}

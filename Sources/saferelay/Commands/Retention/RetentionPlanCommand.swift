import ArgumentParser
import Foundation
import RelayCore

/// `saferelay retention plan`: a dry run.
struct RetentionPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Dry run: what a policy would close, purge and keep, and why. Changes nothing.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var options: PolicyOptions
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        await runReportingFailures {
            let (policy, asOf) = try options.load()
            let (relay, database) = try await store.openRelay(label: "saferelay.retention")
            defer { try? database.close() }
            let plan = try await relay.retention.plan(policy: policy, asOf: asOf)
            let holds = try await relay.retention.holds()
            if json {
                print(try RetentionReport.json(plan: plan, holds: holds.count))
            } else {
                print(RetentionReport.text(plan: plan, holds: holds))
            }
        }
    }
}

import ArgumentParser
import Foundation
import RelayCore

/// `saferelay retention`: policies as code.
struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan, apply and summarise retention policies (YAML files in Policies/).",
        subcommands: [RetentionPlanCommand.self, RetentionApplyCommand.self, RetentionStatusCommand.self])
}

import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `saferelay advocates`: staff accounts.
struct Advocates: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list, disable, enable and reset staff accounts (advocate, supervisor, compliance, admin).",
        subcommands: [AdvocatesAdd.self, AdvocatesList.self, AdvocatesDisable.self, AdvocatesEnable.self, AdvocatesUnlock.self, AdvocatesReset.self])
}

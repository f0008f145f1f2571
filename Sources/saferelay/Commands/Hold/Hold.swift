import ArgumentParser
import Foundation
import RelayCore

/// `saferelay hold`: legal holds.
struct Hold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Place, list and release legal holds: held threads are never purged. Every change is audited.",
        subcommands: [HoldAdd.self, HoldList.self, HoldRelease.self])
}

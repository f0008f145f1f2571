import ArgumentParser
import Foundation
import RelayCore

/// `saferelay hold list`: every standing hold.
struct HoldList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List standing holds.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try await store.openRelay(label: "saferelay.hold")
            defer { try? database.close() }
            let holds = try await relay.retention.holds()
            if holds.isEmpty { print("no holds") }
            for hold in holds {
                print("\(hold.threadID)  since \(hold.placedAt.rfc3339)  by \(hold.placedBy)  reason: \(hold.reason)")
            }
        }
    }
}

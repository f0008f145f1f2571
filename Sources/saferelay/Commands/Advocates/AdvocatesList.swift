import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `saferelay advocates list`: every account with its role and state.
struct AdvocatesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts and their state.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try await store.openRelay(label: "saferelay.advocates")
            defer { try? database.close() }
            let now = Date()
            for account in try await relay.staff.accounts() {
                print("\(account.name)  \(account.role.rawValue)  \(account.state(at: now))")
            }
        }
    }
}

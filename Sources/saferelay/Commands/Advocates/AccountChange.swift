import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// Opens the store, applies one change to the account `name`, and says it is done: an unknown name
/// is exit 66.
func changeAccount(_ store: StoreOptions, _ name: String, done: String, _ change: (Relay, String) async throws -> Void) async {
    await runReportingFailures {
        let (relay, database) = try await store.openRelay(label: "saferelay.advocates")
        defer { try? database.close() }
        do {
            try await change(relay, name)
        } catch RelayError.invalidInput(let why) {
            throw CLIFailure(message: why, code: CLIFailure.noInput)
        }
        print("\(done) \(name)")
    }
}

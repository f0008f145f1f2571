import ArgumentParser
import Foundation
import RelayCrypto
import RelayStore

/// `saferelay keys status`: versions and fingerprints, never secrets.
struct KeysStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show key versions, fingerprints and how many data keys each version wraps. Never prints a secret.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        await runReportingFailures {
            let loaded = try store.loadKeyring()
            var counts: [UInt32: Int]? = nil
            if store.databaseURL != nil || FileManager.default.fileExists(atPath: store.databasePath) {
                let database = try await store.openExistingStore()
                counts = try await database.read { try await $0.wrappedKeyCounts() }
                try database.close()
            }
            print("source \(loaded.path ?? "$\(KeyringStore.environmentVariable)")")
            print(KeyringReport(keyring: loaded.keyring, wrappedCounts: counts).text)
        }
    }
}

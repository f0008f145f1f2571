import ArgumentParser
import Foundation
import RelayCore

/// `saferelay retention status`: what is held, by age and state.
struct RetentionStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "What the relay holds, by state and age, and what is on hold.")

    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try await store.openRelay(label: "saferelay.retention")
            defer { try? database.close() }
            let status = try await relay.retention.status(at: Date())
            print(json ? try status.json() : status.text)
        }
    }
}

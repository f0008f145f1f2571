import ArgumentParser
import Foundation
import RelayCore

/// `saferelay hold release THREAD`: ends a hold (audited).
struct HoldRelease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "release", abstract: "Release a thread's hold.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The thread id.") var thread: String
    @OptionGroup var actor: ActorOption

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try await store.openRelay(label: "saferelay.hold")
            defer { try? database.close() }
            do {
                try await relay.retention.releaseHold(threadID: thread, actor: actor.name)
            } catch RelayError.threadNotFound {
                throw CLIFailure(message: "no hold on thread \(thread.prefix(64))", code: CLIFailure.noInput)
            }
            print("hold released on \(thread)")
        }
    }
}

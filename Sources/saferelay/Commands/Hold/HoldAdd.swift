import ArgumentParser
import Foundation
import RelayCore

/// `saferelay hold add THREAD --reason TEXT`: a legal hold (audited).
struct HoldAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Hold a thread.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The thread id.") var thread: String
    @Option(help: "Why (an order or case reference; no personal data).") var reason: String
    @OptionGroup var actor: ActorOption

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try await store.openRelay(label: "saferelay.hold")
            defer { try? database.close() }
            do {
                try await relay.retention.addHold(threadID: thread, reason: reason, actor: actor.name)
            } catch RelayError.threadNotFound {
                throw CLIFailure(message: "no thread \(thread.prefix(64))", code: CLIFailure.noInput)
            } catch RelayError.invalidInput(let why) {
                throw CLIFailure(message: why, code: 64)
            }
            print("hold placed on \(thread)")
        }
    }
}

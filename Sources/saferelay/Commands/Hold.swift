import ArgumentParser
import Foundation
import RelayCore

/// `saferelay hold`: legal holds.
struct Hold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Place, list and release legal holds: held threads are never purged. Every change is audited.",
        subcommands: [HoldAdd.self, HoldList.self, HoldRelease.self])
}

struct HoldAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Hold a thread.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The thread id.") var thread: String
    @Option(help: "Why (an order or case reference; no personal data).") var reason: String
    @Option(help: ArgumentHelp("Name recorded in the audit log (default cli:$USER).", valueName: "name")) var actor: String?

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try store.openRelay(label: "saferelay.hold")
            defer { try? database.close() }
            do {
                try await relay.retention.addHold(threadID: thread, reason: reason, actor: try CLIActor.resolve(actor))
            } catch RelayError.threadNotFound {
                throw CLIFailure(message: "no thread \(thread.prefix(64))", code: CLIFailure.noInput)
            } catch RelayError.invalidInput(let why) {
                throw CLIFailure(message: why, code: 64)
            }
            print("hold placed on \(thread)")
        }
    }
}

struct HoldList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List standing holds.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try store.openRelay(label: "saferelay.hold")
            defer { try? database.close() }
            let holds = try await relay.retention.holds()
            if holds.isEmpty { print("no holds") }
            for hold in holds {
                print("\(hold.threadID)  since \(hold.placedAt.rfc3339)  by \(hold.placedBy)  reason: \(hold.reason)")
            }
        }
    }
}

struct HoldRelease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "release", abstract: "Release a thread's hold.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The thread id.") var thread: String
    @Option(help: ArgumentHelp("Name recorded in the audit log (default cli:$USER).", valueName: "name")) var actor: String?

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try store.openRelay(label: "saferelay.hold")
            defer { try? database.close() }
            do {
                try await relay.retention.releaseHold(threadID: thread, actor: try CLIActor.resolve(actor))
            } catch RelayError.threadNotFound {
                throw CLIFailure(message: "no hold on thread \(thread.prefix(64))", code: CLIFailure.noInput)
            }
            print("hold released on \(thread)")
        }
    }
}

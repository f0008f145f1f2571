import ArgumentParser
import Foundation

/// `--actor`: who a CLI action is attributed to in the audit log, checked before the command runs
/// (a usage error, exit 64).
struct ActorOption: ParsableArguments {
    @Option(help: ArgumentHelp("Name recorded in the audit log (default cli:$USER).", valueName: "name")) var actor: String?

    func validate() throws {
        _ = try CLIActor.resolve(actor)
    }

    /// The name to record (valid once `validate()` passed).
    var name: String { (try? CLIActor.resolve(actor)) ?? "cli:operator" }
}

/// Who a CLI action is attributed to in the audit log: `--actor`, else `cli:` and the login name.
enum CLIActor {
    static func resolve(_ flag: String?) throws -> String {
        let name = flag ?? ProcessInfo.processInfo.environment["USER"] ?? "operator"
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || "._-@".contains($0) }) else {
            throw ValidationError("--actor must be 1 to 64 letters, digits or . _ - @")
        }
        return flag == nil ? "cli:\(name)" : name
    }
}

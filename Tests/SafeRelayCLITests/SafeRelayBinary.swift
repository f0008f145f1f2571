import Foundation
import RelayProcess

/// Runs the real `saferelay` executable that `swift build` put beside the test bundle.
struct SafeRelayBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable, found next to the test runner (the same build folder).
    static let path: String = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("saferelay").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/saferelay").path
    }()

    /// The test process's environment without any SAFERELAY_* setting, plus `extra`.
    static func environment(_ extra: [String: String]) -> [String: String] {
        RelayEnvironment.child(extra)
    }

    /// Runs a command to completion (at most `timeout` seconds) in `directory`.
    static func run(_ arguments: [String], in directory: String, environment extra: [String: String] = [:], timeout: TimeInterval = 60) throws -> Result {
        let result = try Command(executable: path, arguments: arguments, directory: directory, environment: environment(extra)).run(timeout: timeout)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}

import Foundation

/// A program to run: what, with which arguments, where and with which environment.
///
/// ```swift
/// let keys = Command(executable: binary, arguments: ["keys", "init"], directory: scratch,
///                    environment: RelayEnvironment.child())
/// let result = try keys.run(timeout: 60)
/// guard result.status == 0 else { … }
/// ```
public struct Command: Sendable {
    /// The executable's path.
    public var executable: String
    /// The arguments after the executable.
    public var arguments: [String]
    /// The working directory; nil for this process's.
    public var directory: String?
    /// The whole environment; nil for this process's, unchanged.
    public var environment: [String: String]?

    /// Describes a command; nothing runs until ``run(timeout:combiningOutput:)`` or ``start(output:)``.
    public init(executable: String, arguments: [String] = [], directory: String? = nil, environment: [String: String]? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.directory = directory
        self.environment = environment
    }

    /// Launches the command with standard input from /dev/null.
    /// - Parameters:
    ///   - output: Where standard output goes (a `FileHandle` or a `Pipe`).
    ///   - error: Where standard error goes; nil for the same place as `output`.
    public func start(output: Any, error: Any? = nil) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        process.standardOutput = output
        process.standardError = error ?? output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return ChildProcess(launched: process)
    }

    /// Runs the command to completion, blocking this thread (polling); kills it with SIGKILL if
    /// `timeout` seconds pass.
    /// - Parameters:
    ///   - timeout: The time limit in seconds.
    ///   - combiningOutput: Whether standard error goes with standard output into `stdout`, in the
    ///     order written (`stderr` is then empty).
    public func run(timeout: TimeInterval = 60, combiningOutput: Bool = false) throws -> CommandResult {
        let out = Pipe()
        let err = combiningOutput ? nil : Pipe()
        let child = try start(output: out, error: err)
        let stdout = PipeDrain(out.fileHandleForReading)
        let stderr = err.map { PipeDrain($0.fileHandleForReading) }
        let exited = child.wait(timeout: timeout)
        if !exited { child.stop(signal: SIGKILL, timeout: 10) }
        return CommandResult(status: child.status, stdout: stdout.text(within: 5), stderr: stderr?.text(within: 5) ?? "", timedOut: !exited)
    }

    /// Runs the command to completion on a `Thread` of its own (never the cooperative pool); the
    /// same as the blocking ``run(timeout:combiningOutput:)`` otherwise.
    public func runOnOwnThread(timeout: TimeInterval = 60, combiningOutput: Bool = false) async throws -> CommandResult {
        let command = self
        return try await OwnThread.run { try command.run(timeout: timeout, combiningOutput: combiningOutput) }
    }
}

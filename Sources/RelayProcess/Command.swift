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
    ///   - output: Where standard output goes (a `FileHandle` or a `Pipe`, whose writing end this
    ///     process then closes, so that the reader sees the end when the child's ends).
    ///   - error: Where standard error goes; nil for the same place as `output`.
    public func start(output: Any, error: Any? = nil) throws -> ChildProcess {
        // Foundation's `FileHandle.nullDevice` has no descriptor of its own on Linux: open one.
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw Spawn.Failure(operation: "open /dev/null", code: errno) }
        defer { close(null) }
        let stdout = Self.descriptor(output, null: null)
        let stderr = error.map { Self.descriptor($0, null: null) } ?? stdout
        // This process's copy of a pipe's writing end closes whatever happens, so a reader sees the end.
        defer { for handle in [output, error].compactMap({ $0 as? Pipe }) { try? handle.fileHandleForWriting.close() } }
        let pid = try Spawn.start(
            executable: executable, arguments: arguments, environment: environment ?? ProcessInfo.processInfo.environment, directory: directory,
            stdin: null, stdout: stdout, stderr: stderr)
        return ChildProcess(pid: pid)
    }

    /// The descriptor a child gets for a `FileHandle` (`null` for the null device), or a `Pipe`'s writing end.
    static func descriptor(_ target: Any, null: Int32) -> Int32 {
        switch target {
        case let pipe as Pipe: pipe.fileHandleForWriting.fileDescriptor
        case let handle as FileHandle where handle !== FileHandle.nullDevice && handle.fileDescriptor >= 0: handle.fileDescriptor
        default: null
        }
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

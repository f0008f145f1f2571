/// How a command run to completion ended, and what it wrote.
public struct CommandResult: Sendable {
    /// The exit status, or the signal's number when a signal ended it.
    public var status: Int32
    /// Standard output (with standard error too when the output was combined).
    public var stdout: String
    /// Standard error; empty when the output was combined.
    public var stderr: String
    /// Whether the time limit passed and the command was killed.
    public var timedOut: Bool

    /// A result as a command would report it.
    public init(status: Int32, stdout: String, stderr: String, timedOut: Bool = false) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
    }
}

import Foundation

/// A started child process, known by its own pid: waited for by polling, stopped by a signal to
/// that pid (never by name).
public final class ChildProcess: Sendable {
    private let exit: ExitWatch

    /// The child's process id.
    public var pid: Int32 { exit.pid }

    /// Wraps a child that has just been started.
    init(pid: pid_t) {
        exit = ExitWatch(pid: pid)
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { exit.poll() == nil }

    /// The exit status, or the number of the signal that ended it (only meaningful once exited).
    public var status: Int32 { exit.poll() ?? 0 }

    /// Waits (polling) until the child exits or `timeout` seconds pass.
    /// - Returns: Whether it exited.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline { usleep(10_000) }
        return !isRunning
    }

    /// Sends `signal` to the child's pid, waits up to `timeout` seconds for it to exit, and kills it
    /// with SIGKILL if it has not.
    /// - Parameters:
    ///   - signal: The first signal (SIGTERM for a clean stop, SIGKILL for a crash).
    ///   - timeout: How long to wait before SIGKILL.
    /// - Returns: The exit status, or nil if SIGKILL was needed. A child that had already exited
    ///   gives its status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) -> Int32? {
        if isRunning { kill(pid, signal) }
        if wait(timeout: timeout) { return status }
        kill(pid, SIGKILL)
        while isRunning { usleep(10_000) }
        return nil
    }
}

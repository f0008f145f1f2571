/// Why a started `saferelay serve` did not come up.
public enum RelayProcessError: Error, Sendable, CustomStringConvertible {
    /// The process exited before its log named a port.
    case exited(status: Int32)
    /// The log named no port within the time limit (the process is still running).
    case notListening(seconds: Double)

    /// What went wrong, in words for a log or a report.
    public var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .notListening(let seconds): "did not start within \(Int(seconds)) s"
        }
    }
}

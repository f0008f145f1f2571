import Foundation

/// A process's resident memory, read from `/proc/PID/status` (Linux).
public struct ResidentMemory: Sendable {
    /// Resident now (`VmRSS`), in MiB.
    public var current: Double
    /// Resident at the peak so far (`VmHWM`), in MiB.
    public var peak: Double

    /// The memory of process `pid`, or nil where /proc has no such process.
    public static func of(pid: Int32) -> ResidentMemory? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let lines = status.split(separator: "\n")
        func mebibytes(_ name: String) -> Double {
            guard let line = lines.first(where: { $0.hasPrefix(name + ":") }),
                let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            else { return 0 }
            return kilobytes / 1024
        }
        return ResidentMemory(current: mebibytes("VmRSS"), peak: mebibytes("VmHWM"))
    }
}

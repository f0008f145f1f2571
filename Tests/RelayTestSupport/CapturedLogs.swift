import Foundation
import Logging

/// Collects every log line a logger writes, formatted with its metadata, for canary scans.
public final class CapturedLogs: @unchecked Sendable {
    // Safety: `lines` is guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    /// Creates an empty capture.
    public init() {}

    /// A logger at `trace` level that writes into this capture.
    public func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { label in CapturingHandler(label: label, sink: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Everything captured so far, one entry per line.
    public var all: [String] { lock.withLock { lines } }

    /// Everything captured, joined.
    public var text: String { all.joined(separator: "\n") }

    fileprivate func append(_ line: String) {
        lock.withLock { lines.append(line) }
    }
}

private struct CapturingHandler: LogHandler {
    let label: String
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.append("\(event.level) \(label) \(event.message) \(rendered) \(event.source)")
    }
}

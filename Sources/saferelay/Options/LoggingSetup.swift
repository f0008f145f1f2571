import Foundation
import Logging

/// One logging setup for every command: plain lines on standard error, level from SAFERELAY_LOG_LEVEL.
enum LoggingSetup {
    private static let bootstrapped: Bool = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["SAFERELAY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = level ?? .info
            return handler
        }
        return true
    }()

    /// A logger for `label`, after bootstrapping once.
    static func logger(_ label: String) -> Logger {
        _ = bootstrapped
        return Logger(label: label)
    }
}

import Foundation
import Histogram
import Synchronization

/// Latencies (in microseconds) and failures of one phase, safe to record from many tasks.
final class LatencyRecorder: Sendable {
    private struct State {
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var failures: [String: Int] = [:]
    }

    private let state = Mutex(State())

    /// Records one success that took `duration`.
    func record(_ duration: Duration) {
        let micros = max(1, duration.microseconds)
        state.withLock { _ = $0.histogram.record(UInt64(min(micros, 120_000_000))) }
    }

    /// Records one failure, by a short reason (a status code or an error kind; never content).
    func fail(_ reason: String) {
        state.withLock { $0.failures[reason, default: 0] += 1 }
    }

    /// The phase's figures over `elapsed`.
    func result(_ name: String, elapsed: Duration) -> PhaseResult {
        state.withLock { state in
            PhaseResult(
                name: name, count: Int(state.histogram.totalCount), failures: state.failures, seconds: elapsed.seconds,
                p50: state.histogram.valueAtPercentile(50), p99: state.histogram.valueAtPercentile(99),
                p999: state.histogram.valueAtPercentile(99.9), max: state.histogram.max)
        }
    }
}

/// What one phase measured.
struct PhaseResult: Sendable {
    var name: String
    var count: Int
    var failures: [String: Int]
    var seconds: Double
    var p50: UInt64
    var p99: UInt64
    var p999: UInt64
    var max: UInt64

    var failureCount: Int { failures.values.reduce(0, +) }
    var rate: Double { seconds > 0 ? Double(count) / seconds : 0 }

    /// One line: name, throughput, percentiles in milliseconds, failures by reason.
    var line: String {
        let failed = failures.isEmpty ? "0" : failures.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ",")
        return "\(name.padding(toLength: 36, withPad: " ", startingAt: 0)) \(format(rate, 0).leftPad(9))/s  n=\(count)  "
            + "p50 \(millis(p50)) ms  p99 \(millis(p99)) ms  p99.9 \(millis(p999)) ms  max \(millis(max)) ms  failed \(failed)"
    }

    private func millis(_ micros: UInt64) -> String { format(Double(micros) / 1000, 2) }
}

func format(_ value: Double, _ decimals: Int) -> String {
    var text = String(Int((value * pow10(decimals)).rounded()))
    guard decimals > 0 else { return text }
    while text.count <= decimals { text = "0" + text }
    text.insert(".", at: text.index(text.endIndex, offsetBy: -decimals))
    return text
}

private func pow10(_ exponent: Int) -> Double { (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

extension Duration {
    var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

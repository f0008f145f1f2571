import Foundation
import RelayProcess
import RelayTestSupport
import Testing

/// A few seconds of the load tool against the real server: every phase runs, every request is
/// answered, every reply reaches its survivor's stream (`--strict`), and the report names them.
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct LoadToolSmokeTests {
    @Test func theLoadToolDrivesEveryPhaseWithoutAFailure() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let loadTool = URL(fileURLWithPath: SafeRelayBinary.path).deletingLastPathComponent().appendingPathComponent("saferelay-load").path
        let scratch = { Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []).filter { $0.hasPrefix("saferelay-load-") } }
        let before = scratch()
        let run = try Command(
            executable: loadTool,
            arguments: [
                "--server", SafeRelayBinary.path, "--duration", "1", "--connections", "8", "--rate", "100", "--view-threads", "5",
                "--sessions", "10", "--reply-rate", "20", "--streams", "15", "--threads", "400", "--fill-messages", "600", "--strict",
            ],
            environment: SafeRelayBinary.environment([:])
        ).run(timeout: 270)
        let report = run.stdout
        #expect(run.status == 0, "\(report)")
        for phase in [
            "healthz (ceiling)", "ingest SMS (closed loop)", "ingest SMS (open loop) @100/s", "thread view (20 messages)",
            "reply reaches stream (10 open)", "store more threads", "store more messages", "server memory with 16 open streams",
        ] {
            #expect(report.contains(phase), "no \(phase) in the report")
        }
        #expect(report.range(of: #"start-up with \d+ messages stored: \d+ ms"#, options: .regularExpression) != nil)
        // The run's scratch directory (keys, database) is removed.
        #expect(scratch().subtracting(before).isEmpty)
    }
}

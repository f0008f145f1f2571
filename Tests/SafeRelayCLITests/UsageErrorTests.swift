import Foundation
import RelayTestSupport
import Testing

/// Usage errors come from the commands' `validate()`: exit 64 with ArgumentParser's usage line,
/// before anything is opened — an empty folder stays empty.
struct UsageErrorTests {
    @Test(arguments: [
        ["hold", "add", "t1", "--reason", "order 7", "--actor", "two words"],
        ["hold", "release", "t1", "--actor", String(repeating: "a", count: 65)],
        ["retention", "apply", "--yes", "--actor", "semi;colon"],
        ["retention", "plan", "--as-of", "yesterday"],
        ["audit", "export", "--since", "2026-13-45"],
    ])
    func aBadOptionIsAUsageErrorBeforeAnythingIsOpened(arguments: [String]) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try SafeRelayBinary.run(arguments, in: dir.path)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("Usage: saferelay"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "\(arguments) touched the folder")
    }
}

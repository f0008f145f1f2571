import Foundation
import HTTPTypes
import RelayStore
import RelayTestSupport
import Testing

/// Another process holding the database's write lock past the busy timeout is a "try again" (503
/// `unavailable`, in the error envelope), not an internal error; once it lets go, the same request works.
struct StoreBusyTests {
    @Test(.timeLimit(.minutes(1)), .enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files")) func aWriteRefusedByABusyStoreIsA503NotA500() async throws {
        // A write waits three seconds for the lock (ten in production): well inside the client's timeout.
        try await RelayTestServer.run(writeLockPatience: .seconds(3)) { server in
            // The server writes at start (its first checkpoint): take the lock once it is free.
            #expect(try await server.chat(.get, "/healthz", token: nil).0 == .ok)
            var holder: WriteLockHolder?
            for _ in 0..<100 where holder == nil {
                holder = try? await WriteLockHolder(path: server.sqlite!.path)
                if holder == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let lock = try #require(holder, "the write lock never came free")
            // Starting a chat writes a contact and a session: it waits out the busy timeout, then gives up.
            let (status, body) = try await server.chat(.post, "/chat/sessions", token: nil)
            await lock.release()
            #expect(status == .serviceUnavailable, "\(body)")
            #expect(body.contains(#""error":"unavailable""#))
            #expect(try await server.chat(.post, "/chat/sessions", token: nil).0 == .created)
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RelayServer
import Testing

/// The server's connections under abuse: headers and bodies that trickle in, one client opening
/// connection after connection, or stream after stream.
@Suite(.timeLimit(.minutes(3)))
struct ConnectionLimitTests {
    static func configure(_ configuration: inout ServerConfiguration) {
        configuration.idleTimeout = .seconds(1)
        configuration.requestTimeout = .seconds(1)
        configuration.maximumConnectionsPerClient = 4
        configuration.maximumStreamsPerClient = 2
    }

    @Test func aHeaderOrABodyThatTricklesInIsCutOff() async throws {
        try await RelayTestServer.run(configure: Self.configure) { server in
            let port = server.client.port!
            let slowHeader = try RawConnection.open(port: port, from: "127.0.0.2")
            slowHeader.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            let slowBody = try RawConnection.open(port: port, from: "127.0.0.3")
            slowBody.send("POST /chat/resume HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"phr")
            let idle = try RawConnection.open(port: port, from: "127.0.0.4")
            #expect(await slowHeader.closedByServer(within: 5))
            #expect(await slowBody.closedByServer(within: 5))
            // A body that keeps trickling (a byte every 0.3 s, in time for the idle timer) is cut off
            // by the request timeout all the same.
            let tricklingBody = try RawConnection.open(port: port, from: "127.0.0.9")
            tricklingBody.send("POST /chat/resume HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n")
            #expect(await tricklingBody.trickleUntilClosed(every: 0.3, within: 6))
            #expect(await idle.closedByServer(within: 5))
            // A request that arrives at once is served as before.
            #expect(try await RawHTTP.status("GET", "/healthz", port: port, from: "127.0.0.5") == 200)
        }
    }

    @Test func oneClientCannotHoldMoreThanItsConnections() async throws {
        try await RelayTestServer.run(configure: {
            Self.configure(&$0)
            $0.idleTimeout = .seconds(30)
        }) { server in
            let port = server.client.port!
            var opened = try (0..<5).map { _ in try RawConnection.open(port: port, from: "127.0.0.6") }
            // Accepted on several event loops, in no set order: whichever came fifth is closed.
            var closed: [Bool] = []
            for connection in opened { closed.append(await connection.closedByServer(within: 2)) }
            #expect(closed.filter { $0 }.count == 1, "\(closed)")
            var held = zip(opened, closed).filter { !$0.1 }.map(\.0)
            opened = []
            // Another client is not affected…
            #expect(try await RawHTTP.status("GET", "/healthz", port: port, from: "127.0.0.7") == 200, "another client")
            let sixth = try RawConnection.open(port: port, from: "127.0.0.6")
            #expect(await sixth.closedByServer(within: 2), "a fifth connection at once from one client stays open")
            // …and once one of the four closes, the first client may connect again.
            held.removeLast()
            var status = 0
            for _ in 0..<30 where status != 200 {
                try await Task.sleep(for: .milliseconds(100))
                status = (try? await RawHTTP.status("GET", "/healthz", port: port, from: "127.0.0.6")) ?? 0
            }
            #expect(status == 200)
            withExtendedLifetime(held) {}
        }
    }

    @Test func oneClientCannotHoldMoreThanItsStreams() async throws {
        try await RelayTestServer.run(configure: {
            Self.configure(&$0)
            $0.idleTimeout = .seconds(30)
            $0.requestTimeout = .seconds(30)
        }) { server in
            let port = server.client.port!
            let tokens = try await [server.startChat(), server.startChat(), server.startChat()]
            let first = try await LiveStream.open(port: port, token: tokens[0])
            let second = try await LiveStream.open(port: port, token: tokens[1])
            let (status, _) = try await server.chat(.get, "/chat/events", token: tokens[2])
            #expect(status == .tooManyRequests)
            // The slot comes back when a stream ends (here by a quick exit).
            #expect(try await server.chat(.post, "/chat/exit", token: tokens[0]).0 == .noContent)
            await first.close()
            var reopened: LiveStream?
            for _ in 0..<50 where reopened == nil {
                try await Task.sleep(for: .milliseconds(100))
                reopened = try? await LiveStream.open(port: port, token: tokens[2])
            }
            #expect(reopened != nil)
            await reopened?.close()
            await second.close()
            // Streams end with the server's shutdown; give the closes a moment to reach it first.
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    @Test func theFrameworksOwnBadRequestCarriesTheSecurityHeaders() async throws {
        try await RelayTestServer.run { server in
            let connection = try RawConnection.open(port: server.client.port!, from: "127.0.0.8")
            connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n")
            let answer = await connection.received(within: 5).lowercased()
            #expect(answer.hasPrefix("http/1.1 400"), "\(answer)")
            #expect(answer.contains("cache-control: no-store") && answer.contains("x-content-type-options: nosniff"), "\(answer)")
            #expect(answer.contains("x-frame-options: deny") && answer.contains("content-security-policy: default-src 'none'"), "\(answer)")
        }
    }
}

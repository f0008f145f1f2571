import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One open server-sent-events stream (a webchat survivor's or an advocate's), read in the
/// background; every complete event goes to `onEvent` as (event name, data line).
struct EventStreamReader: Sendable {
    let task: Task<Void, Never>

    /// Opens the stream and returns once the server has answered 200 and sent its first bytes,
    /// or `nil` if it refused.
    static func open(
        _ driver: HTTPDriver, path: String, token: String, onEvent: @escaping @Sendable (String, String) -> Void
    ) async -> EventStreamReader? {
        var request = HTTPClientRequest(url: driver.base + path)
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response: HTTPClientResponse
        do {
            response = try await driver.client.execute(request, timeout: .hours(2))
        } catch {
            return nil
        }
        guard response.status == .ok else { return nil }
        let (connected, signal) = AsyncStream.makeStream(of: Void.self)
        let task = Task {
            var pending: [UInt8] = []
            var event = ""
            var signalled = false
            do {
                for try await chunk in response.body {
                    pending.append(contentsOf: chunk.readableBytesView)
                    if !signalled {
                        signalled = true
                        signal.yield()
                        signal.finish()
                    }
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: pending[..<newline], as: UTF8.self)
                        pending.removeSubrange(...newline)
                        if line.hasPrefix("event: ") {
                            event = String(line.dropFirst(7))
                        } else if line.hasPrefix("data: ") {
                            onEvent(event, String(line.dropFirst(6)))
                        } else if line.isEmpty {
                            event = ""
                        }
                    }
                }
            } catch {
                // The stream ended: the server stopped or the run is over.
            }
            signal.finish()
        }
        for await _ in connected { break }
        return EventStreamReader(task: task)
    }
}

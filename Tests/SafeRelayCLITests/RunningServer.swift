import Foundation
import RelayProcess

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `saferelay serve` process on 127.0.0.1 with a free port, its log in `serve.log`.
final class RunningServer {
    let server: ServeProcess

    init(in directory: String, arguments: [String] = [], environment extra: [String: String] = [:]) throws {
        server = try ServeProcess(binary: SafeRelayBinary.path, in: directory, arguments: arguments, environment: extra)
    }

    /// The process id.
    var pid: Int32 { server.pid }
    /// The port, once ``waitUntilListening(timeout:)`` has seen it.
    var port: Int { server.port }
    var log: String { server.log }

    /// Waits until the log names the bound port, or the process exits.
    func waitUntilListening(timeout: TimeInterval = 30) -> Bool {
        (try? server.waitForPort(timeout: timeout)) != nil
    }

    /// GET a path, returning the status and body.
    func get(_ path: String) async throws -> (Int, String) {
        let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// POST an empty body to a path, returning the status and body.
    func post(_ path: String) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Sends a signal to its pid and waits for the exit status (nil if it took SIGKILL after `timeout`).
    func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) -> Int32? {
        server.stop(signal: signal, timeout: timeout)
    }
}

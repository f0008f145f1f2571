import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request over a socket bound to a chosen loopback address (127.0.0.2, …), so that a
/// test can be several clients on one machine. Runs on a thread of its own, never the cooperative pool or Dispatch's.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends `method path` to 127.0.0.1:`port` from `source` and returns the status code.
    static func status(
        _ method: String, _ path: String, port: Int, from source: String, body: String = "", headers: [String: String] = [:]
    ) async throws -> Int {
        // A thread of its own: Dispatch's pool is small on Linux and grows slowly, and the server
        // under test needs it for its database, so requests blocked in recv() must not hold it.
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try blockingStatus(method, path, port: port, from: source, body: body, headers: headers) })
            }.start()
        }
    }

    private static func blockingStatus(
        _ method: String, _ path: String, port: Int, from source: String, body: String, headers: [String: String]
    ) throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(socketFD) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, source, &local.sin_addr) == 1 else { throw Failure(description: "bad source address") }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw Failure(description: "bind to \(source) failed") }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw Failure(description: "connect failed") }
        let extra = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extra)Connection: close\r\n\r\n\(body)"
        let sent = request.withCString { send(socketFD, $0, strlen($0), 0) }
        guard sent == request.utf8.count else { throw Failure(description: "send failed") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !received.contains(13) {
            let count = recv(socketFD, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        let line = String(decoding: received, as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = line.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "no status line") }
        return status
    }
}

/// A raw TCP connection from a chosen loopback address, kept open for as long as a test likes:
/// for slow headers, slow bodies and connection caps. Blocking calls run on a thread of their own.
final class RawConnection: @unchecked Sendable {
    private let socketFD: Int32
    var descriptor: Int32 { socketFD }

    private init(socketFD: Int32) {
        self.socketFD = socketFD
    }

    deinit { close(socketFD) }

    /// Connects to 127.0.0.1:`port` from `source`.
    static func open(port: Int, from source: String) throws -> RawConnection {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw RawHTTP.Failure(description: "socket() failed") }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, source, &local.sin_addr) == 1 else { throw RawHTTP.Failure(description: "bad source address") }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, connected == 0 else {
            close(socketFD)
            throw RawHTTP.Failure(description: "connect from \(source) failed")
        }
        return RawConnection(socketFD: socketFD)
    }

    /// Sends `text` as it is (no framing added).
    func send(_ text: String) {
        _ = text.withCString { Glibc.send(socketFD, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Whether the server closed the connection within `timeout` (reading and dropping whatever it sent).
    func closedByServer(within timeout: TimeInterval) async -> Bool {
        let fd = socketFD
        return await withCheckedContinuation { continuation in
            Thread {
                let deadline = Date().addingTimeInterval(timeout)
                var buffer = [UInt8](repeating: 0, count: 4096)
                while Date() < deadline {
                    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
                    if ready <= 0 { continue }
                    let count = recv(fd, &buffer, buffer.count, 0)
                    if count <= 0 {
                        continuation.resume(returning: true)
                        return
                    }
                }
                continuation.resume(returning: false)
            }.start()
        }
    }
}

extension RawConnection {
    /// What the server sends until it closes the connection or `timeout` passes.
    func received(within timeout: TimeInterval) async -> String {
        let fd = descriptor
        return await withCheckedContinuation { continuation in
            Thread {
                let deadline = Date().addingTimeInterval(timeout)
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while Date() < deadline {
                    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
                    let count = recv(fd, &buffer, buffer.count, 0)
                    if count <= 0 { break }
                    bytes += buffer[0..<count]
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }.start()
        }
    }
}

extension RawConnection {
    /// Sends one byte every `interval` (a body trickling in, each byte in time for any idle timer)
    /// and says whether the server closed the connection within `timeout`.
    func trickleUntilClosed(every interval: TimeInterval, within timeout: TimeInterval) async -> Bool {
        let fd = descriptor
        return await withCheckedContinuation { continuation in
            Thread {
                let deadline = Date().addingTimeInterval(timeout)
                var buffer = [UInt8](repeating: 0, count: 4096)
                while Date() < deadline {
                    if "x".withCString({ Glibc.send(fd, $0, 1, Int32(MSG_NOSIGNAL)) }) < 0 {
                        continuation.resume(returning: true)
                        return
                    }
                    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    if poll(&poller, 1, Int32(interval * 1000)) > 0 {
                        let count = recv(fd, &buffer, buffer.count, 0)
                        if count <= 0 {
                            continuation.resume(returning: true)
                            return
                        }
                    }
                }
                continuation.resume(returning: false)
            }.start()
        }
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RelayProcess

/// A real headless Chromium driven through chromedriver's W3C WebDriver protocol (plain HTTP and
/// JSON on 127.0.0.1), for testing pages as a person would use them. Both processes are started by
/// the test and ended by `quit()`. `scripts/test` installs Debian's `chromium` and `chromium-driver`.
final class WebDriver: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let base: String
    let session: String
    private let driver: ChildProcess

    private init(base: String, session: String, driver: ChildProcess) {
        self.base = base
        self.session = session
        self.driver = driver
    }

    static let driverPaths = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
    static let browserPaths = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"]

    /// Whether chromedriver and Chromium are installed.
    static var isAvailable: Bool {
        driverPaths.contains { FileManager.default.isExecutableFile(atPath: $0) } && browserPaths.contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts chromedriver on a free loopback port and opens a headless browser session.
    static func start() async throws -> WebDriver {
        guard let driverPath = driverPaths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
            let browserPath = browserPaths.first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw Failure(description: "chromium and chromium-driver are not installed (scripts/test installs them)") }
        // The free port can be taken by another test's server between finding it and chromedriver
        // binding it (chromedriver then exits), and a loaded machine can start it slowly: three tries.
        var started: (ChildProcess, String)?
        for _ in 0..<3 where started == nil {
            let port = try freePort()
            let candidate = try Command(executable: driverPath, arguments: ["--port=\(port)", "--allowed-ips=127.0.0.1", "--log-level=OFF"])
                .start(output: FileHandle.nullDevice)
            let base = "http://127.0.0.1:\(port)"
            let deadline = Date().addingTimeInterval(20)
            var ready = false
            while !ready && candidate.isRunning && Date() < deadline {
                ready = ((try? await call(base, .GET, "/status", nil)) as? [String: Any])?["ready"] as? Bool ?? false
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            if ready { started = (candidate, base) } else { end(candidate) }
        }
        guard let (process, base) = started else { throw Failure(description: "chromedriver did not start (three tries)") }
        do {
            let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
                "browserName": "chrome",
                "goog:chromeOptions": [
                    "binary": browserPath,
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--lang=en-US"],
                ],
            ]]]
            let created = try await call(base, .POST, "/session", capabilities) as? [String: Any]
            guard let session = created?["sessionId"] as? String else { throw Failure(description: "no browser session") }
            return WebDriver(base: base, session: session, driver: process)
        } catch {
            end(process)
            throw error
        }
    }

    /// Ends the browser session and chromedriver.
    func quit() async {
        _ = try? await Self.call(base, .DELETE, "/session/\(session)", nil)
        Self.end(driver)
    }

    /// Ends chromedriver at once (it does not stop on SIGTERM while it has work). The browser was
    /// closed by the session's DELETE just before; nothing here waits on a cooperative thread.
    static func end(_ process: ChildProcess) {
        guard process.isRunning else { return }
        kill(process.pid, SIGKILL)
        // Reaped on a thread of its own: nothing waits on a cooperative thread.
        Thread { process.wait(timeout: 10) }.start()
    }

    func open(_ url: String) async throws {
        _ = try await command(.POST, "url", ["url": url])
    }

    /// The WebDriver id of the element matching a CSS selector.
    func element(_ selector: String) async throws -> String {
        let found = try await command(.POST, "element", ["using": "css selector", "value": selector]) as? [String: Any]
        guard let id = found?.values.first as? String else { throw Failure(description: "no element \(selector)") }
        return id
    }

    func click(_ selector: String) async throws {
        _ = try await command(.POST, "element/\(try await element(selector))/click", [:])
    }

    func type(_ text: String, into selector: String) async throws {
        _ = try await command(.POST, "element/\(try await element(selector))/value", ["text": text])
    }

    /// Runs a script in the page and returns its JSON result.
    func script(_ source: String) async throws -> Any? {
        try await command(.POST, "execute/sync", ["script": source, "args": []])
    }

    /// The text of the element matching a CSS selector.
    func text(_ selector: String) async throws -> String {
        try await command(.GET, "element/\(try await element(selector))/text", nil) as? String ?? ""
    }

    /// Presses and releases each character of `text` as keys, wherever the focus is (a shortcut).
    func keys(_ text: String) async throws {
        let presses: [[String: Any]] = text.flatMap { key -> [[String: Any]] in
            [["type": "keyDown", "value": String(key)], ["type": "keyUp", "value": String(key)]]
        }
        _ = try await command(.POST, "actions", ["actions": [["type": "key", "id": "keyboard", "actions": presses]]])
    }

    /// Sets the window's size (screenshots of a desk-sized screen).
    func resize(width: Int, height: Int) async throws {
        _ = try await command(.POST, "window/rect", ["width": width, "height": height])
    }

    /// Writes a PNG of the window to `path` (the screens the README shows).
    func screenshot(to path: String) async throws {
        guard let base64 = try await command(.GET, "screenshot", nil) as? String, let png = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// Waits (bounded) until `condition` holds on the page's state.
    func wait(_ what: String, timeout: TimeInterval = 20, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out waiting for \(what)")
    }

    private func command(_ method: HTTPMethod, _ path: String, _ body: [String: Any]?) async throws -> Any? {
        try await Self.call(base, method, "/session/\(session)/\(path)", body)
    }

    private static func call(_ base: String, _ method: HTTPMethod, _ path: String, _ body: [String: Any]?) async throws -> Any? {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let json = try JSONSerialization.jsonObject(with: Data(data.readableBytesView), options: [.fragmentsAllowed]) as? [String: Any]
        if let value = json?["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "webdriver \(path): \(error) \(value["message"] as? String ?? "")")
        }
        return json?["value"] ?? nil
    }

    private static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(socketFD, pointer, length) == 0 else { return -1 }
                return getsockname(socketFD, pointer, &length)
            }
        }
        guard bound == 0 else { throw Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}


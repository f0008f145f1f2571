import Foundation
import RelayProcess
import RelayTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The deployment guide: README.md shows exactly the files in deploy/, the tools that read those
/// files accept them (systemd, nginx, Caddy), and the unit's command line starts the real server.
/// `scripts/test` installs systemd, nginx, caddy and openssl when they are missing; without caddy
/// (a distribution that does not package it) the Caddy test is skipped, the others fail.
/// Every test here waits on a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct DeploymentGuideTests {
    static let deployFiles = ["deploy/saferelay.service", "deploy/Caddyfile", "deploy/nginx.conf"]

    // MARK: - The README shows the committed files

    @Test func theReadmeShowsEveryDeploymentFileByteForByte() throws {
        let readme = try String(contentsOfFile: RepositoryFile.path("README.md"), encoding: .utf8)
        let blocks = try Self.markedBlocks(in: readme)
        for name in Self.deployFiles {
            #expect(blocks.contains { $0.name == name }, "README.md has no block marked <!-- \(name) -->")
        }
        for block in blocks {
            let path = RepositoryFile.path(block.name)
            guard let file = try? String(contentsOfFile: path, encoding: .utf8) else {
                Issue.record("README.md shows \(block.name), which is not in the repository")
                continue
            }
            let committed = file.hasSuffix("\n") ? String(file.dropLast()) : file
            #expect(block.text == committed, "README.md's copy of \(block.name) differs from the file: \(Self.firstDifference(block.text, committed))")
        }
    }

    // MARK: - systemd

    @Test func systemdAnalyzeVerifyAcceptsTheUnit() async throws {
        let tool = try Self.require("systemd-analyze", package: "systemd")
        let unit = try String(contentsOfFile: RepositoryFile.path("deploy/saferelay.service"), encoding: .utf8)
        let command = try Self.execStart(of: unit)
        #expect(command.first == "/usr/local/bin/saferelay" && command.dropFirst().first == "serve")
        // What the guide promises about the command line and the service.
        #expect(Self.value(of: "--host", in: command) == "127.0.0.1")
        #expect(Self.value(of: "--keyring", in: command) == "${CREDENTIALS_DIRECTORY}/keyring")
        #expect(command.contains("--production"))
        #expect(Self.value(of: "--client-address-header", in: command) == "X-Forwarded-For")
        for line in [
            "User=saferelay", "StateDirectory=saferelay", "UMask=0077", "LoadCredential=keyring:/etc/saferelay/keyring",
            "EnvironmentFile=/etc/saferelay/secrets.env", "LimitCORE=0", "NoNewPrivileges=yes", "ProtectSystem=strict",
            "CapabilityBoundingSet=", "SystemCallFilter=@system-service", "KillSignal=SIGTERM", "TimeoutStopSec=30",
            "Restart=on-failure",
        ] {
            #expect(unit.split(separator: "\n").contains { $0 == line }, "the unit has no line \(line)")
        }
        #expect(!(Self.value(of: "--keyring", in: command) ?? "").hasPrefix(Self.value(of: "--data", in: command) ?? "/nonexistent"),
                "the keyring must not sit beside the data")

        // verify checks that ExecStart's program exists: point it at the built binary.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let binary = FileManager.default.isExecutableFile(atPath: SafeRelayBinary.path) ? SafeRelayBinary.path : "/bin/true"
        let copy = dir.file("saferelay.service")
        try unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/saferelay ", with: "ExecStart=\(binary) ")
            .write(toFile: copy, atomically: true, encoding: .utf8)
        let result = try await Tool.run(tool, ["verify", copy], timeout: 60)
        // verify exits 0 even for an unknown key or a value it cannot parse, but prints them as
        // "FILE:LINE: …" lines; anything about the unit itself is a failure. Lines about this host
        // (no bus, no systemd as PID 1) are not the unit's fault and are left alone.
        let hostNoise = ["Failed to connect to bus", "System has not been booted with systemd", "Failed to connect to system scope bus"]
        let lines = result.output.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let unitProblems = lines.filter { line in !hostNoise.contains { line.contains($0) } }
        #expect(unitProblems.isEmpty, "systemd-analyze verify complained about the unit:\n\(result.output)")
        #expect(result.status == 0 || (unitProblems.isEmpty && !lines.isEmpty),
                "systemd-analyze verify exited \(result.status):\n\(result.output)")
        #expect(!result.timedOut)
    }

    /// The unit's own ExecStart arguments (paths moved into a temporary folder, port 0) start the
    /// real server in production mode from a keyring that has a systemd credential's mode, 0400.
    @Test func theUnitsCommandLineStartsTheServerFromACredentialKeyring() async throws {
        let unit = try String(contentsOfFile: RepositoryFile.path("deploy/saferelay.service"), encoding: .utf8)
        let command = try Self.execStart(of: unit)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let credentials = dir.file("credentials")
        let keyring = credentials + "/keyring"
        let created = try SafeRelayBinary.run(["keys", "init", "--keyring", keyring], in: dir.path)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(chmod(keyring, 0o400) == 0 && chmod(credentials, 0o500) == 0)
        defer { chmod(credentials, 0o700) }
        let state = dir.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(atPath: RepositoryFile.path("Policies/default.yaml"), toPath: dir.file("retention.yaml"))

        var arguments: [String] = []
        var rest = Array(command.dropFirst(2))  // the program and "serve"
        while !rest.isEmpty {
            let argument = rest.removeFirst()
            if argument == "--host" || argument == "--port" {  // RunningServer passes 127.0.0.1 and port 0
                _ = rest.isEmpty ? "" : rest.removeFirst()
                continue
            }
            arguments.append(
                argument.replacingOccurrences(of: "${CREDENTIALS_DIRECTORY}", with: credentials)
                    .replacingOccurrences(of: "/var/lib/saferelay", with: state)
                    .replacingOccurrences(of: "/etc/saferelay/retention.yaml", with: dir.file("retention.yaml")))
        }
        var environment: [String: String] = [:]
        for line in unit.split(separator: "\n") where line.hasPrefix("Environment=") {
            let assignment = line.dropFirst("Environment=".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            environment[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        #expect(environment["SAFERELAY_PRODUCTION"] == "1")

        // What /etc/saferelay/secrets.env gives it: the metrics token.
        let metricsToken = String(repeating: "0123456789abcdef", count: 4)
        environment["SAFERELAY_METRICS_TOKEN"] = metricsToken

        let server = try RunningServer(in: dir.path, arguments: arguments, environment: environment)
        guard server.waitUntilListening() else {
            _ = server.stop(signal: SIGKILL, timeout: 5)
            Issue.record("the unit's command line did not start the server: \(arguments)\n\(server.log)")
            return
        }
        let (status, _) = try await server.get("/healthz")
        #expect(status == 200)
        // /metrics answers only to the bearer token.
        var scrape = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/metrics")!)
        #expect(try await Self.status(of: scrape) != 200)
        scrape.setValue("Bearer \(metricsToken)", forHTTPHeaderField: "Authorization")
        #expect(try await Self.status(of: scrape) == 200)
        #expect(server.stop(signal: SIGTERM, timeout: 30) == 0, "not stopped within TimeoutStopSec")
        let log = server.log
        #expect(!log.contains("DEVELOPMENT MODE"))
        #expect(!log.contains("no retention policy file"), "the unit's --policy was not loaded: \(log)")
        #expect(FileManager.default.fileExists(atPath: state + "/saferelay.sqlite"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: credentials) == ["keyring"])
    }

    // MARK: - nginx

    @Test func nginxAcceptsItsConfiguration() async throws {
        let nginx = try Self.require("nginx", package: "nginx")
        let openssl = try Self.require("openssl", package: "openssl")
        let config = try String(contentsOfFile: RepositoryFile.path("deploy/nginx.conf"), encoding: .utf8)
        for needed in [
            "access_log off;", "ssl_protocols TLSv1.2 TLSv1.3;", "client_max_body_size 64k;", "proxy_buffering off;",
            "proxy_set_header X-Forwarded-For $remote_addr;", "location = /metrics { return 404; }",
            #"add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;"#,
        ] {
            #expect(config.contains(needed), "nginx.conf lacks \(needed)")
        }
        #expect(!config.contains("$proxy_add_x_forwarded_for"), "a client could forge the X-Forwarded-For chain")

        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let made = try await Tool.run(openssl, [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hotline.example.org",
            "-keyout", dir.file("key.pem"), "-out", dir.file("cert.pem"),
        ])
        #expect(made.status == 0, "openssl: \(made.output)")
        // The certificate pair, the error log and the pid file move into the temporary folder; nothing
        // else changes. (`nginx -t` still binds ports 80 and 443, so this needs root, as CI has.)
        var replaced = 0
        let lines = config.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let indent = line.prefix { $0 == " " }
            for (directive, path) in [("ssl_certificate ", dir.file("cert.pem")), ("ssl_certificate_key ", dir.file("key.pem"))]
            where trimmed.hasPrefix(directive) {
                let original = trimmed.dropFirst(directive.count).trimmingCharacters(in: CharacterSet(charactersIn: " ;"))
                #expect(original.hasPrefix("/etc/ssl/") || original.hasPrefix("/etc/letsencrypt/"), "certificate path \(original)")
                replaced += 1
                return "\(indent)\(directive)\(path);"
            }
            if trimmed.hasPrefix("error_log ") { return "\(indent)error_log \(dir.file("error.log")) warn;" }
            if trimmed.hasPrefix("pid ") { return "\(indent)pid \(dir.file("nginx.pid"));" }
            return String(line)
        }
        #expect(replaced == 2, "expected one ssl_certificate and one ssl_certificate_key")
        try lines.joined(separator: "\n").write(toFile: dir.file("nginx.conf"), atomically: true, encoding: .utf8)
        let result = try await Tool.run(nginx, ["-t", "-q", "-p", dir.path + "/", "-c", dir.file("nginx.conf"), "-e", "stderr"])
        #expect(result.status == 0 && !result.timedOut, "nginx -t refused the configuration:\n\(result.output)")
        // Only warning tolerated: the `user` directive, ignored when the test does not run as root.
        let complaints = result.output.split(separator: "\n").filter { $0.contains("[") && !$0.contains("\"user\" directive") }
        #expect(complaints.isEmpty, "nginx -t:\n\(result.output)")
    }

    // MARK: - Caddy

    static let caddy = Tool.find("caddy")

    /// Skipped where there is no `caddy` binary (Debian packages it; scripts/test installs it).
    @Test(.enabled(if: DeploymentGuideTests.caddy != nil, "no caddy binary: apt-get install caddy"))
    func caddyAdaptsItsConfiguration() async throws {
        let caddy = try #require(Self.caddy)
        let file = try String(contentsOfFile: RepositoryFile.path("deploy/Caddyfile"), encoding: .utf8)
        for needed in [
            #"Strict-Transport-Security "max-age=63072000; includeSubDomains""#, "max_size 64KB", "flush_interval -1",
            "respond @metrics 404", "reverse_proxy 127.0.0.1:8080",
        ] {
            #expect(file.contains(needed), "Caddyfile lacks \(needed)")
        }
        let logLines = file.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first == "log" }
        #expect(logLines.isEmpty, "an access log would put client addresses on disk")
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Caddy keeps its state under HOME / XDG folders: keep them in the temporary folder.
        let result = try await Tool.run(
            caddy, ["adapt", "--config", RepositoryFile.path("deploy/Caddyfile"), "--adapter", "caddyfile", "--validate"],
            environment: ["HOME": dir.path, "XDG_DATA_HOME": dir.path, "XDG_CONFIG_HOME": dir.path])
        #expect(result.status == 0 && !result.timedOut, "caddy adapt refused the Caddyfile:\n\(result.output)")
        #expect(!result.output.contains(#""level":"warn""#), "caddy adapt warned:\n\(result.output)")
        #expect(result.output.contains(#""flush_interval": -1"#) || result.output.contains(#""flush_interval":-1"#))
    }

    // MARK: - Helpers

    struct MarkedBlock {
        var name: String
        var text: String
    }

    /// Every fenced block immediately after a `<!-- deploy/NAME -->` line.
    static func markedBlocks(in readme: String) throws -> [MarkedBlock] {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [MarkedBlock] = []
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            index += 1
            guard line.hasPrefix("<!-- deploy/"), line.hasSuffix(" -->") else { continue }
            let name = String(line.dropFirst("<!-- ".count).dropLast(" -->".count))
            guard index < lines.count, lines[index].hasPrefix("```") else {
                Issue.record("the line after <!-- \(name) --> does not open a fenced block")
                continue
            }
            let fence = String(lines[index].prefix { $0 == "`" })
            index += 1
            var body: [String] = []
            while index < lines.count, lines[index] != fence {
                body.append(lines[index])
                index += 1
            }
            guard index < lines.count else {
                Issue.record("the block of \(name) is never closed")
                break
            }
            index += 1
            blocks.append(MarkedBlock(name: name, text: body.joined(separator: "\n")))
        }
        return blocks
    }

    /// Where two texts first differ, for the failure message.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let left = a.split(separator: "\n", omittingEmptySubsequences: false)
        let right = b.split(separator: "\n", omittingEmptySubsequences: false)
        for number in 0..<max(left.count, right.count) {
            let x = number < left.count ? String(left[number]) : "(end)"
            let y = number < right.count ? String(right[number]) : "(end)"
            if x != y { return "line \(number + 1): README \"\(x)\", file \"\(y)\"" }
        }
        return "no line differs"
    }

    /// ExecStart's words, continuation lines joined.
    static func execStart(of unit: String) throws -> [String] {
        let joined = unit.replacingOccurrences(of: "\\\n", with: " ")
        let line = try #require(joined.split(separator: "\n").first(where: { $0.hasPrefix("ExecStart=") }), "the unit has no ExecStart=")
        return line.dropFirst("ExecStart=".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    /// The status code of one request.
    static func status(of request: URLRequest) async throws -> Int {
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// The word after `flag`.
    static func value(of flag: String, in command: [String]) -> String? {
        guard let index = command.firstIndex(of: flag), index + 1 < command.count else { return nil }
        return command[index + 1]
    }

    /// The path of a tool the test needs, or a failure that says how to get it.
    static func require(_ name: String, package: String) throws -> String {
        try #require(Tool.find(name), "\(name) is not installed: apt-get install \(package) (scripts/test does)")
    }
}

/// Runs an outside program to completion with a time limit, on a thread of its own (never the
/// cooperative pool), standard output and error together.
enum Tool {
    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var timedOut: Bool
    }

    /// `name` on PATH or in the usual system folders (sbin is often missing from PATH).
    static func find(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for folder in path + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] where !folder.isEmpty {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:], timeout: TimeInterval = 60)
        async throws -> Outcome
    {
        let command = Command(executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment.merging(extra) { $1 })
        let result = try await command.runOnOwnThread(timeout: timeout, combiningOutput: true)
        return Outcome(status: result.status, output: result.stdout, timedOut: result.timedOut)
    }
}

import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RelayChannels
import RelayCore
import RelayCrypto
import RelayServer
import RelayStore

/// `saferelay serve`: runs the relay on embedded defaults.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the relay: HTTP on 127.0.0.1:8080, SQLite under ./data (or PostgreSQL with --database), keys in Keys/.",
        discussion: """
            Every flag has a SAFERELAY_* environment variable of the same meaning; the flag wins. \
            Stops gracefully on SIGINT or SIGTERM: in-flight requests finish, the WAL is \
            checkpointed, the database is closed.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Address to listen on (env SAFERELAY_HOST; default 127.0.0.1).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on; 0 picks a free one (env SAFERELAY_PORT; default 8080).", valueName: "port"))
    var port: String?

    @Option(name: .customLong("public-url"), help: ArgumentHelp(
        "The public URL Twilio signs webhook requests for (env SAFERELAY_PUBLIC_URL; default http://HOST:PORT).", valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp(
        "Retention policy file for the scheduler (env SAFERELAY_POLICY; default Policies/default.yaml).", valueName: "file"))
    var policy: String?

    @Option(help: ArgumentHelp(
        "The purposes staff may give for opening a thread not assigned to them (env SAFERELAY_PURPOSES; default Policies/access-purposes.yaml "
            + "if present, else the built-in list).", valueName: "file"))
    var purposes: String?

    @Option(name: .customLong("console-texts"), help: ArgumentHelp(
        "The console's canned responses and wrap-up dispositions (env SAFERELAY_CONSOLE_TEXTS; default Policies/console.yaml "
            + "if present, else the built-in texts).", valueName: "file"))
    var consoleTexts: String?

    @Option(help: ArgumentHelp(
        "Triage rules: automatic answers, language, urgency words, redirects, opening hours (env SAFERELAY_TRIAGE; default "
            + "Policies/triage.yaml if present, else built-in urgency words and no automatic answers).", valueName: "file"))
    var triage: String?

    @OptionGroup var trends: TrendsPolicyOption

    @Option(name: .customLong("voice-dial"), help: ArgumentHelp(
        "The hotline's phone line the voice menu puts callers through to, E.164 (env SAFERELAY_VOICE_DIAL; unset: no voice menu).",
        valueName: "number"))
    var voiceDial: String?

    @Option(name: .customLong("exit-url"), help: ArgumentHelp(
        "Neutral site the webchat's quick exit opens (env SAFERELAY_EXIT_URL; default a weather search).", valueName: "url"))
    var exitURL: String?

    @Option(name: .customLong("erase-keywords"), help: ArgumentHelp(
        "Comma-separated SMS words that erase the sender's conversation (env SAFERELAY_ERASE_KEYWORDS; default ERASE,BORRAR). "
            + "Carrier words (STOP, START, HELP and kin) are refused.", valueName: "words"))
    var eraseKeywords: String?

    @Option(name: .customLong("inbound-rate"), help: ArgumentHelp(
        "Most inbound messages a second, all channels together; bursts of twice that (env SAFERELAY_INBOUND_RATE; default 5000).",
        valueName: "per-second"))
    var inboundRate: String?

    @Option(name: .customLong("sender-rate"), help: ArgumentHelp(
        "Most messages a second from one SMS sender or webchat session; bursts of 20 (env SAFERELAY_SENDER_RATE; default 1).",
        valueName: "per-second"))
    var senderRate: String?

    @Option(name: .customLong("session-start-rate"), help: ArgumentHelp(
        "Most webchat session starts a second, and apart from them most resume attempts; bursts of five times that (env SAFERELAY_SESSION_START_RATE; default 20).",
        valueName: "per-second"))
    var sessionStartRate: String?

    @Option(name: .customLong("client-start-rate"), help: ArgumentHelp(
        "Most webchat session starts and resume attempts a second from one client address; bursts of fifty times that "
            + "(env SAFERELAY_CLIENT_START_RATE; default 0.2). The address is held only as a keyed hash in memory.",
        valueName: "per-second"))
    var clientStartRate: String?

    @Option(name: .customLong("client-address-header"), help: ArgumentHelp(
        "Behind a reverse proxy: the header whose last address is the client's, e.g. X-Forwarded-For (env SAFERELAY_CLIENT_ADDRESS_HEADER). "
            + "Used only for per-client admission; never stored or logged.", valueName: "name"))
    var clientAddressHeader: String?

    @Option(name: .customLong("trusted-proxies"), help: ArgumentHelp(
        "Comma-separated addresses of the reverse proxies whose --client-address-header is believed (env SAFERELAY_TRUSTED_PROXIES; "
            + "default 127.0.0.1,::1).", valueName: "addresses"))
    var trustedProxies: String?

    @Option(name: .customLong("connections-per-client"), help: ArgumentHelp(
        "Most connections one client address (an IPv6 /64) may hold at once; behind a proxy named in --trusted-proxies with "
            + "--client-address-header, the proxy is not capped (env SAFERELAY_CONNECTIONS_PER_CLIENT; default 64).", valueName: "count"))
    var connectionsPerClient: String?

    @Option(name: .customLong("streams-per-client"), help: ArgumentHelp(
        "Most webchat live streams one client address may hold open (env SAFERELAY_STREAMS_PER_CLIENT; default 8).", valueName: "count"))
    var streamsPerClient: String?

    /// A count from flag or environment, 1 to 100,000.
    func count(_ flag: String?, _ variable: String, default fallback: Int) throws -> Int {
        guard let text = Setting.resolveOptional(flag, environment: variable) else { return fallback }
        guard let value = Int(text), (1...100_000).contains(value) else { throw ValidationError("\(variable) must be a number from 1 to 100000") }
        return value
    }

    @Flag(help: ArgumentHelp(
        "Production mode: never create a missing keyring, refuse to start instead (env SAFERELAY_PRODUCTION=1)."))
    var production = false

    /// Carrier keywords Twilio itself acts on; an erase keyword must not be one of them.
    static let carrierKeywords: Set<String> = RelaySettings.optOutKeywords.union(RelaySettings.optInKeywords).union(["HELP", "INFO"])

    var resolvedEraseKeywords: Set<String> {
        let text = Setting.resolve(eraseKeywords, environment: "SAFERELAY_ERASE_KEYWORDS", default: "ERASE,BORRAR")
        return Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty })
    }

    func validate() throws {
        let words = resolvedEraseKeywords
        guard !words.isEmpty, words.allSatisfy({ $0.count <= 16 && $0.allSatisfy(\.isLetter) }) else {
            throw ValidationError("erase keywords must be 1 to 16 letters each")
        }
        if let clash = words.first(where: Self.carrierKeywords.contains) {
            throw ValidationError("\(clash) is a carrier keyword that Twilio handles itself; choose another erase keyword")
        }
        if let url = Setting.resolveOptional(exitURL, environment: "SAFERELAY_EXIT_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ValidationError("exit URL must be an absolute http or https URL")
            }
        }
        if let number = Setting.resolveOptional(voiceDial, environment: "SAFERELAY_VOICE_DIAL") {
            guard (try? ContactAddress.phone(number)) != nil else { throw ValidationError("the voice menu's phone line must be a phone number in E.164 form") }
        }
        let portText = Setting.resolve(port, environment: "SAFERELAY_PORT", default: "8080")
        guard let value = Int(portText), (0...65535).contains(value) else {
            throw ValidationError("port must be a number from 0 to 65535")
        }
        if let url = Setting.resolveOptional(publicURL, environment: "SAFERELAY_PUBLIC_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ValidationError("public URL must be an absolute http or https URL")
            }
        }
        _ = try resolvedRateLimits()
        _ = try count(connectionsPerClient, "SAFERELAY_CONNECTIONS_PER_CLIENT", default: 64)
        _ = try count(streamsPerClient, "SAFERELAY_STREAMS_PER_CLIENT", default: 8)
        if resolvedTrustedProxies == nil {
            throw ValidationError("trusted proxies must be a comma-separated list of IP addresses")
        }
        if let header = Setting.resolveOptional(clientAddressHeader, environment: "SAFERELAY_CLIENT_ADDRESS_HEADER") {
            guard (1...64).contains(header.count), header.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw ValidationError("client address header must be a header name of 1 to 64 letters, digits and dashes")
            }
        }
    }

    /// The trusted proxies from flag or environment; `nil` when one is not an IP address.
    var resolvedTrustedProxies: Set<String>? {
        let text = Setting.resolve(trustedProxies, environment: "SAFERELAY_TRUSTED_PROXIES", default: "127.0.0.1,::1")
        let addresses = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard addresses.allSatisfy({ $0.count <= 64 && ($0.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }) }) else { return nil }
        return Set(addresses)
    }

    /// The abuse limits from flags and environment, each a rate from 0.01 to 1,000,000 a second.
    func resolvedRateLimits() throws -> RateLimits {
        var limits = RateLimits()
        func rate(_ flag: String?, _ variable: String, _ name: String) throws -> Double? {
            guard let text = Setting.resolveOptional(flag, environment: variable) else { return nil }
            guard let value = Double(text), value.isFinite, (0.01...1_000_000).contains(value) else {
                throw ValidationError("\(name) must be a number of messages a second from 0.01 to 1000000")
            }
            return value
        }
        if let value = try rate(inboundRate, "SAFERELAY_INBOUND_RATE", "inbound rate") {
            limits.global = .init(perSecond: value, burst: value * 2)
        }
        if let value = try rate(senderRate, "SAFERELAY_SENDER_RATE", "sender rate") {
            limits.perSender = .init(perSecond: value, burst: max(20, value))
        }
        if let value = try rate(sessionStartRate, "SAFERELAY_SESSION_START_RATE", "session start rate") {
            limits.sessionStarts = .init(perSecond: value, burst: value * 5)
            limits.resumes = limits.sessionStarts
        }
        if let value = try rate(clientStartRate, "SAFERELAY_CLIENT_START_RATE", "client start rate") {
            limits.perClientStarts = .init(perSecond: value, burst: max(1, value * 50))
            limits.perClientResumes = limits.perClientStarts
        }
        return limits
    }

    func run() async throws {
        let logger = LoggingSetup.logger("saferelay")
        let host = Setting.resolve(host, environment: "SAFERELAY_HOST", default: "127.0.0.1")
        let port = Int(Setting.resolve(port, environment: "SAFERELAY_PORT", default: "8080")) ?? 8080
        let publicURL = Setting.resolveOptional(publicURL, environment: "SAFERELAY_PUBLIC_URL")
        let isProduction = Setting.flag(production, environment: "SAFERELAY_PRODUCTION")

        var settings = RelaySettings()
        settings.eraseKeywords = resolvedEraseKeywords
        settings.auditWitnessPath = store.auditWitnessPath
        let purposesPath = Setting.resolve(purposes, environment: "SAFERELAY_PURPOSES", default: "Policies/access-purposes.yaml")
        if Setting.resolveOptional(purposes, environment: "SAFERELAY_PURPOSES") != nil || FileManager.default.fileExists(atPath: purposesPath) {
            do {
                settings.accessPurposes = try AccessPurposes.load(path: purposesPath)
            } catch {
                CLIFailure(message: "purpose list refused: \(error)", code: CLIFailure.dataError).exit()
            }
        }
        let consoleTextsPath = Setting.resolve(consoleTexts, environment: "SAFERELAY_CONSOLE_TEXTS", default: "Policies/console.yaml")
        if Setting.resolveOptional(consoleTexts, environment: "SAFERELAY_CONSOLE_TEXTS") != nil || FileManager.default.fileExists(atPath: consoleTextsPath) {
            do {
                settings.consoleTexts = try ConsoleTexts.load(path: consoleTextsPath)
            } catch {
                CLIFailure(message: "console texts refused: \(error)", code: CLIFailure.dataError).exit()
            }
        }
        let triagePath = Setting.resolve(triage, environment: "SAFERELAY_TRIAGE", default: "Policies/triage.yaml")
        if Setting.resolveOptional(triage, environment: "SAFERELAY_TRIAGE") != nil || FileManager.default.fileExists(atPath: triagePath) {
            do {
                settings.triage = try TriagePolicy.load(path: triagePath)
            } catch {
                CLIFailure(message: "triage policy refused: \(error)", code: CLIFailure.dataError).exit()
            }
        }
        do {
            settings.trends = try trends.load()
        } catch let failure as CLIFailure {
            failure.exit()
        } catch {
            CLIFailure(message: "trends policy refused: \(error)", code: CLIFailure.dataError).exit()
        }
        var retentionPolicy: RetentionPolicy?
        let policyPath = Setting.resolve(policy, environment: "SAFERELAY_POLICY", default: "Policies/default.yaml")
        let policyExplicit = Setting.resolveOptional(policy, environment: "SAFERELAY_POLICY") != nil
        if policyExplicit || FileManager.default.fileExists(atPath: policyPath) {
            do {
                retentionPolicy = try RetentionPolicy.load(path: policyPath)
                settings.holdDefersSurvivorErase = retentionPolicy!.holdDefersSurvivorErase
            } catch let error as PolicyError {
                CLIFailure(message: "policy refused: \(error)", code: CLIFailure.dataError).exit()
            } catch {
                CLIFailure(message: "policy refused: \(policyPath)", code: CLIFailure.dataError).exit()
            }
        } else {
            logger.warning("no retention policy file; scheduled retention is off", metadata: ["policy.path": "\(policyPath)"])
        }
        var relay: Relay!
        var lock: StoreLock?
        let usesPostgres = store.databaseURL != nil
        await runReportingFailures {
            let database: any RelayStore
            let keyring: Keyring
            if usesPostgres {
                // Several instances may share the database: no folder lock. The database first, so
                // that a bad address is the first thing said.
                let postgres = try await store.openPostgres()
                logger.notice("store: PostgreSQL", metadata: ["database": "\(postgres.redactedURL)"])
                database = postgres
                // No database file needs the data folder here, but the witness checkpoint does.
                let witnessFolder = URL(fileURLWithPath: store.auditWitnessPath).deletingLastPathComponent().path
                try? FileManager.default.createDirectory(atPath: witnessFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                do {
                    keyring = try loadOrCreateKeyring(production: isProduction, sharedDatabase: true, logger: logger)
                } catch {
                    try? database.close()
                    throw error
                }
            } else {
                lock = try StoreLock.acquire(dataDirectory: store.dataDirectory, purpose: "starting another server on it")
                // The keyring before the file: a missing keyring beside an existing database is refused.
                keyring = try loadOrCreateKeyring(production: isProduction, sharedDatabase: false, logger: logger)
                database = try SQLiteStore(path: store.databasePath)
            }
            relay = Relay(store: database, keyring: keyring, settings: settings, logger: logger)
            do {
                try await relay.keys.verifyKeyringOpensStore()
            } catch let mismatch as KeyringMismatch {
                try? database.close()
                throw CLIFailure(message: "refusing to start: \(mismatch)", code: CLIFailure.configuration)
            }
            try await relay.caseRecords.backfillContactSafety()
        }
        defer { withExtendedLifetime(lock) {} }
        var configuration = ServerConfiguration(host: host, port: port, publicURL: publicURL)
        configuration.rateLimits = (try? resolvedRateLimits()) ?? RateLimits()
        if let exit = Setting.resolveOptional(exitURL, environment: "SAFERELAY_EXIT_URL") { configuration.exitURL = exit }
        configuration.retentionPolicy = retentionPolicy
        configuration.clientAddressHeader = Setting.resolveOptional(clientAddressHeader, environment: "SAFERELAY_CLIENT_ADDRESS_HEADER")
        configuration.trustedProxies = resolvedTrustedProxies ?? configuration.trustedProxies
        configuration.maximumConnectionsPerClient = (try? count(connectionsPerClient, "SAFERELAY_CONNECTIONS_PER_CLIENT", default: 64)) ?? 64
        configuration.maximumStreamsPerClient = (try? count(streamsPerClient, "SAFERELAY_STREAMS_PER_CLIENT", default: 8)) ?? 8
        do {
            configuration.twilio = try TwilioConfiguration.fromEnvironment(ProcessInfo.processInfo.environment, publicURL: configuration.publicURL)
        } catch {
            CLIFailure(message: "\(error)", code: CLIFailure.configuration).exit()
        }
        do {
            configuration.mailgun = try MailgunConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            CLIFailure(message: "\(error)", code: CLIFailure.configuration).exit()
        }
        configuration.metricsToken = ProcessInfo.processInfo.environment["SAFERELAY_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let token = configuration.metricsToken, token.utf8.count < 32 {
            CLIFailure(message: "SAFERELAY_METRICS_TOKEN must be at least 32 characters (e.g. `openssl rand -base64 32`)", code: CLIFailure.configuration).exit()
        }
        // Secrets read once, then gone from the process environment (/proc/PID/environ).
        for secret in [
            "SAFERELAY_TWILIO_AUTH_TOKEN", "SAFERELAY_METRICS_TOKEN", "SAFERELAY_MAILGUN_API_KEY", "SAFERELAY_MAILGUN_SIGNING_KEY",
            KeyringStore.environmentVariable,
        ] {
            KeyringStore.clearEnvironmentValue(secret)
        }
        configuration.voiceDialNumber = Setting.resolveOptional(voiceDial, environment: "SAFERELAY_VOICE_DIAL")
            .flatMap { try? ContactAddress.phone($0).normalised }
        if configuration.twilio == nil {
            logger.notice("no SMS provider configured (SAFERELAY_TWILIO_ACCOUNT_SID, _AUTH_TOKEN, _FROM): SMS routes answer 503")
        }
        let app = buildApplication(relay: relay, configuration: configuration, logger: logger)
        do {
            try await app.runService()
        } catch {
            CLIFailure(message: "the server stopped with an error (\(String(reflecting: type(of: error))))", code: CLIFailure.software).exit()
        }
        logger.info("stopped")
    }

    private func loadOrCreateKeyring(production: Bool, sharedDatabase: Bool, logger: Logger) throws -> Keyring {
        do {
            return try store.loadKeyring().keyring
        } catch KeyringError.notFound(let path) where sharedDatabase {
            // A PostgreSQL database may already hold data another instance's keyring wraps.
            throw CLIFailure(
                message: "no keyring at \(path): instances on a PostgreSQL database must all use the same keyring; copy it here or pass --keyring",
                code: CLIFailure.noInput)
        } catch KeyringError.notFound(let path) where FileManager.default.fileExists(atPath: store.databasePath) {
            // A missing keyring beside an existing database is a mistake (a mistyped path, an
            // unmounted volume), never a reason to start afresh: a new keyring opens nothing in it.
            throw CLIFailure(
                message: "no keyring at \(path), but a database exists at \(store.databasePath): check --keyring (a new keyring would open nothing in it)",
                code: CLIFailure.noInput)
        } catch KeyringError.notFound(let path) where !production {
            let keyring = Keyring.generate(now: Date().rfc3339)
            try KeyringStore.create(keyring, path: path)
            logger.warning(
                "DEVELOPMENT MODE: created a new keyring because none existed. Back it up offline; in production create it with `saferelay keys init` and run with --production.",
                metadata: ["keyring.path": "\(path)"])
            return keyring
        }
    }
}

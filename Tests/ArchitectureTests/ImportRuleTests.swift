import Foundation
import Testing

/// The layers of docs/architecture.md, held by reading every source file's `import` lines: a file
/// that imports a module its layer must not fails here, so the rule outlives the people who wrote it.
@Suite struct ImportRuleTests {
    /// Our own modules, which the rules below allow one by one.
    static let ours: Set<String> = [
        "RelayModel", "RelayCrypto", "RelayStore", "RelayWire", "RelayCore", "RelayChannels", "RelayServer", "RelayProcess", "CSodium",
        "COpenSSL",
    ]

    /// One layer: the modules of ours it may import, and outside modules it must never import.
    struct Layer {
        var mayImport: Set<String>
        var neverOutside: Set<String> = []
        /// Files (paths inside the module's folder) allowed more of ours, and which.
        var exceptions: [String: Set<String>] = [:]
    }

    /// The table. Outside modules not named in `neverOutside` are the package manifest's business.
    static let layers: [String: Layer] = [
        "RelayModel": Layer(mayImport: [], neverOutside: ["GRDB", "Hummingbird", "NIOCore", "Logging"]),
        "RelayWire": Layer(mayImport: [], neverOutside: ["GRDB", "Hummingbird", "NIOCore"]),
        "RelayCrypto": Layer(mayImport: ["CSodium", "COpenSSL", "RelayModel"], neverOutside: ["GRDB", "Hummingbird", "NIOCore"]),
        "RelayStore": Layer(mayImport: ["RelayModel"], neverOutside: ["Hummingbird", "NIOHTTP1", "HTTPTypes", "Logging"]),
        "RelayCore": Layer(
            mayImport: ["RelayModel", "RelayCrypto", "RelayStore"],
            neverOutside: ["GRDB", "GRDBSQLite", "Hummingbird", "HTTPTypes", "NIOCore", "NIOHTTP1", "NIOPosix", "AsyncHTTPClient", "PostgresNIO"]),
        "RelayChannels": Layer(
            mayImport: ["RelayCore", "RelayModel", "RelayWire"], neverOutside: ["GRDB", "Hummingbird", "PostgresNIO"],
            // Provider signatures only.
            exceptions: ["TwilioWebhookValidator.swift": ["RelayCrypto"], "MailgunWebhookValidator.swift": ["RelayCrypto"]]),
        "RelayServer": Layer(
            mayImport: ["RelayCore", "RelayModel", "RelayChannels", "RelayWire"], neverOutside: ["GRDB", "GRDBSQLite", "PostgresNIO", "CSodium"]),
        // The command line works through the core's use cases; only its composition root opens the
        // store and the keyring (and maps their errors to exit codes).
        "saferelay": Layer(
            mayImport: ["RelayCore", "RelayModel", "RelayServer", "RelayChannels"], neverOutside: ["GRDB", "GRDBSQLite"],
            exceptions: [
                "CLIFailure.swift": ["RelayCrypto", "RelayStore"],
                "Commands/RelayOpening.swift": ["RelayCrypto", "RelayStore"],
                "Commands/KeyringLoading.swift": ["RelayCrypto", "RelayStore"],
                "Commands/KeyringReport.swift": ["RelayCrypto", "RelayStore"],
                "Commands/KeysInit.swift": ["RelayCrypto", "RelayStore"],
                "Commands/KeysRotate.swift": ["RelayCrypto", "RelayStore"],
                "Commands/KeysRetire.swift": ["RelayCrypto", "RelayStore"],
                "Commands/KeysStatus.swift": ["RelayCrypto", "RelayStore"],
                "Commands/Serve.swift": ["RelayCrypto", "RelayStore"],
                // Opens a SQLite store and a PostgreSQL one to copy the first into the second.
                "Commands/Store/StoreCopyCommand.swift": ["RelayCrypto", "RelayStore"],
                "Options/StoreOptions.swift": ["RelayCrypto", "RelayStore"],
            ]),
        // Starts and stops `saferelay` processes: Foundation only.
        "RelayProcess": Layer(mayImport: [], neverOutside: ["GRDB", "Hummingbird", "NIOCore", "Logging"]),
        // A client of the relay over HTTP: it signs like Twilio, nothing more; it runs the server
        // under test as a child process.
        "saferelay-load": Layer(mayImport: ["RelayCrypto", "RelayProcess"], neverOutside: ["GRDB", "Hummingbird"]),
    ]

    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
    }

    /// The modules a file imports (`import X`, `@testable import X`, `public import X`,
    /// `import struct X.Y`, several on one line after `;`, after a block comment, across a line break,
    /// with CRLF endings or a backticked name). Comments are removed first, then the text is read as
    /// tokens: every `import` keyword that starts a statement names the module after it.
    static func imports(of text: String) -> [String] {
        var code = ""
        var index = text.startIndex
        var inBlock = 0
        var inString = false
        while index < text.endIndex {
            let rest = text[index...]
            if inBlock > 0 {
                if rest.hasPrefix("*/") { inBlock -= 1; index = text.index(index, offsetBy: 2); continue }
                if rest.hasPrefix("/*") { inBlock += 1; index = text.index(index, offsetBy: 2); continue }
                index = text.index(after: index)
                continue
            }
            if !inString && rest.hasPrefix("/*") { inBlock = 1; code += " "; index = text.index(index, offsetBy: 2); continue }
            if !inString && rest.hasPrefix("//") {
                index = rest.firstIndex(where: { $0 == "\n" || $0 == "\r" }) ?? text.endIndex
                continue
            }
            if text[index] == "\"" { inString.toggle() }
            if text[index] == "\n" || text[index] == "\r" { inString = false }
            code.append(text[index])
            index = text.index(after: index)
        }
        let modifiers: Set<String> = ["public", "package", "internal", "private", "fileprivate"]
        let kinds: Set<String> = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"]
        var modules: [String] = []
        // A statement starts at the beginning, after `;`, or after a line break; `import` may follow attributes and an access level.
        var startsStatement = true
        var position = 0
        let statementTokens = code.replacingOccurrences(of: ";", with: " ; ").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: " \n ").replacingOccurrences(of: "\t", with: " ")
            .split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        while position < statementTokens.count {
            let token = statementTokens[position]
            if token == ";" || token == "\n" { startsStatement = true; position += 1; continue }
            if token == "import" && startsStatement {
                var next = position + 1
                while next < statementTokens.count, statementTokens[next] == "\n" { next += 1 }
                if next < statementTokens.count, kinds.contains(statementTokens[next]) {
                    next += 1
                    while next < statementTokens.count, statementTokens[next] == "\n" { next += 1 }
                }
                if next < statementTokens.count {
                    let name = statementTokens[next].replacingOccurrences(of: "`", with: "")
                    modules.append(String(name.split(separator: ".").first ?? ""))
                }
                position = next + 1
                startsStatement = false
                continue
            }
            if !(token.hasPrefix("@") || modifiers.contains(token)) { startsStatement = false }
            position += 1
        }
        return modules
    }

    /// Every Swift file under a module's folder, by its path inside that folder.
    static func files(of module: String) throws -> [(String, String)] {
        let root = sources.appendingPathComponent(module)
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return try walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().map { path in
            (path, try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8))
        }
    }

    @Test func everyModuleHasALayer() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path).filter { !$0.hasPrefix(".") }
        for folder in folders where !["CSodium", "COpenSSL"].contains(folder) {
            #expect(Self.layers[folder] != nil, "Sources/\(folder) has no row in the layer table")
        }
    }

    @Test func everyFileImportsOnlyWhatItsLayerMay() throws {
        var checked = 0
        for (module, layer) in Self.layers {
            let files = try Self.files(of: module)
            #expect(!files.isEmpty, "no sources found for \(module)")
            for (path, text) in files {
                checked += 1
                #expect(!text.contains("@_exported"), "Sources/\(module)/\(path) re-exports a module")
                let allowed = layer.mayImport.union(layer.exceptions[path] ?? [])
                for imported in Self.imports(of: text) {
                    if Self.ours.contains(imported) {
                        #expect(allowed.contains(imported), "Sources/\(module)/\(path) imports \(imported), which its layer must not")
                    }
                    #expect(!layer.neverOutside.contains(imported), "Sources/\(module)/\(path) imports \(imported), which its layer must not")
                }
            }
        }
        #expect(checked > 100)
    }

    @Test func theReaderSeesEveryFormOfImport() {
        let text = """
            import Foundation
            @testable import RelayCore
            public import RelayStore
            import struct RelayCrypto.Keyring
              import GRDB
            // import Hummingbird
            /* import NIOCore */
            let important = 1
            let text = "import Yams"
            import Logging; import RelayServer
            /* a note */ import RelayWire
            import
                RelayChannels
            import `RelayModel`
            """
        #expect(
            Self.imports(of: text)
                == ["Foundation", "RelayCore", "RelayStore", "RelayCrypto", "GRDB", "Logging", "RelayServer", "RelayWire", "RelayChannels", "RelayModel"])
        #expect(Self.imports(of: "import RelayStore\r\nimport RelayCrypto;\r\n") == ["RelayStore", "RelayCrypto"])
    }
}

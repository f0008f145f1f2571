import Foundation
import Yams

/// What a hotline words for its console (`Policies/console.yaml`): canned responses in English
/// and Spanish, and the wrap-up dispositions an advocate picks when closing a thread.
///
/// ```yaml
/// canned:
///   - id: greeting
///     title: { en: Greeting, es: Saludo }
///     text: { en: "Hi, …", es: "Hola, …" }
/// dispositions:
///   conversation: { en: Conversation, es: Conversación }
/// ```
public struct ConsoleTexts: Sendable, Equatable {
    /// Text in each of the console's languages.
    public struct Bilingual: Sendable, Equatable, Codable {
        public var en: String
        public var es: String

        public init(en: String, es: String) {
            self.en = en
            self.es = es
        }
    }

    /// A reply an advocate can start from.
    public struct CannedResponse: Sendable, Equatable, Codable {
        public var id: String
        public var title: Bilingual
        public var text: Bilingual

        public init(id: String, title: Bilingual, text: Bilingual) {
            self.id = id
            self.title = title
            self.text = text
        }
    }

    /// Canned responses, in the file's order.
    public var canned: [CannedResponse]
    /// Disposition code → its label, in the file's order.
    public var dispositions: [(code: String, label: Bilingual)]

    public static func == (lhs: ConsoleTexts, rhs: ConsoleTexts) -> Bool {
        lhs.canned == rhs.canned && lhs.dispositions.map(\.code) == rhs.dispositions.map(\.code)
            && lhs.dispositions.map(\.label) == rhs.dispositions.map(\.label)
    }

    /// Checks the lists: ids and codes 2 to 40 lower-case letters, digits or `_`, each once; titles
    /// and labels 1 to 80 characters, texts 1 to 1,600 (one reply); at most 200 responses and 30
    /// dispositions, and at least one disposition.
    public init(canned: [CannedResponse], dispositions: [(code: String, label: Bilingual)]) throws {
        guard canned.count <= 200 else { throw ConsoleTextsError("at most 200 canned responses") }
        guard (1...30).contains(dispositions.count) else { throw ConsoleTextsError("1 to 30 dispositions") }
        var seen = Set<String>()
        for response in canned {
            guard AccessPurposes.isCode(response.id), seen.insert(response.id).inserted else {
                throw ConsoleTextsError("canned response `\(response.id.prefix(40))`: an id is 2 to 40 lower-case letters, digits or _, used once")
            }
            for text in [response.title.en, response.title.es] where !(1...80).contains(text.count) {
                throw ConsoleTextsError("canned response \(response.id): a title is 1 to 80 characters")
            }
            for text in [response.text.en, response.text.es] where !(1...1600).contains(text.count) {
                throw ConsoleTextsError("canned response \(response.id): a text is 1 to 1,600 characters")
            }
        }
        seen = []
        for (code, label) in dispositions {
            guard AccessPurposes.isCode(code), seen.insert(code).inserted else {
                throw ConsoleTextsError("disposition `\(code.prefix(40))`: a code is 2 to 40 lower-case letters, digits or _, used once")
            }
            for text in [label.en, label.es] where !(1...80).contains(text.count) {
                throw ConsoleTextsError("disposition \(code): a label is 1 to 80 characters")
            }
        }
        self.canned = canned
        self.dispositions = dispositions
    }

    /// Whether `code` is one of the dispositions.
    public func isDisposition(_ code: String) -> Bool { dispositions.contains { $0.code == code } }

    /// The built-in texts, used when no file is given.
    public static let standard = try! ConsoleTexts(
        canned: [
            CannedResponse(
                id: "greeting", title: Bilingual(en: "Greeting", es: "Saludo"),
                text: Bilingual(
                    en: "Hi, thank you for reaching out. I'm an advocate and I'm here to listen. You don't have to give your name. Are you safe to talk right now?",
                    es: "Hola, gracias por escribir. Soy defensor/a y estoy aquí para escucharte. No tienes que dar tu nombre. ¿Es seguro hablar ahora?")),
            CannedResponse(
                id: "safety_check", title: Bilingual(en: "Safety check", es: "Seguridad"),
                text: Bilingual(
                    en: "Before we go on: is someone checking your phone? If you need to stop suddenly, you can delete this conversation at any time.",
                    es: "Antes de seguir: ¿alguien revisa tu teléfono? Si necesitas parar de repente, puedes borrar esta conversación en cualquier momento.")),
            CannedResponse(
                id: "closing", title: Bilingual(en: "Closing", es: "Despedida"),
                text: Bilingual(
                    en: "Thank you for talking with us. You can write again at any time, day or night.",
                    es: "Gracias por hablar con nosotros. Puedes escribir de nuevo cuando quieras, de día o de noche.")),
        ],
        dispositions: [
            ("conversation", Bilingual(en: "Conversation", es: "Conversación")),
            ("silent", Bilingual(en: "Silent", es: "Silencio")),
            ("abandoned", Bilingual(en: "Abandoned", es: "Abandonada")),
            ("abusive", Bilingual(en: "Abusive", es: "Abusiva")),
            ("out_of_scope", Bilingual(en: "Out of scope", es: "Fuera de alcance")),
            ("test", Bilingual(en: "Test", es: "Prueba")),
        ])

    /// Reads the texts from YAML; errors name the file and, where YAML says, the line.
    public static func load(path: String) throws -> ConsoleTexts {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 256 * 1024 else {
            throw ConsoleTextsError("cannot read \(path) (or it is over 256 KiB)")
        }
        struct File: Decodable {
            let canned: [CannedResponse]?
            let dispositions: [String: Bilingual]
        }
        let text = String(decoding: data, as: UTF8.self)
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: text)
        } catch let error as DecodingError {
            throw ConsoleTextsError("\(path): not console texts (`canned:` a list of id, title and text in en and es; `dispositions:` codes with en and es labels): \(Self.where(error))")
        } catch {
            throw ConsoleTextsError("\(path): not valid YAML: \(error)")
        }
        // Dispositions in the file's order: Yams' mapping keeps it; read the keys as they appear.
        let node = try? Yams.compose(yaml: text)
        let order = node?["dispositions"]?.mapping?.keys.compactMap(\.string) ?? file.dispositions.keys.sorted()
        do {
            return try ConsoleTexts(canned: file.canned ?? [], dispositions: order.compactMap { code in file.dispositions[code].map { (code, $0) } })
        } catch let error as ConsoleTextsError {
            throw ConsoleTextsError("\(path): \(error.description)")
        }
    }

    static func `where`(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "missing `\(key.stringValue)` at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): "at \(path(context))"
        @unknown default: "unreadable"
        }
    }

    static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

/// Console texts that cannot be used, with the reason.
public struct ConsoleTextsError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

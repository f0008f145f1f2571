import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// `Policies/console.yaml`: the shipped file loads; a file a hotline got wrong is refused with its
/// path and the reason, before the server starts.
struct ConsoleTextsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theShippedFileLoadsInItsOwnOrder() throws {
        let texts = try ConsoleTexts.load(path: Self.repository.appendingPathComponent("Policies/console.yaml").path)
        #expect(texts.canned.map(\.id).first == "greeting")
        #expect(texts.canned.allSatisfy { !$0.text.en.isEmpty && !$0.text.es.isEmpty })
        #expect(texts.dispositions.map(\.code) == ["conversation", "silent", "abandoned", "abusive", "out_of_scope", "test"])
        #expect(texts.isDisposition("abusive") && !texts.isDisposition("Abusive"))
    }

    @Test(arguments: [
        ("canned:\n  - id: a\n    title: {en: A, es: A}\n    text: {en: x, es: y}\ndispositions:\n  done: {en: Done, es: Hecho}\n", "an id is 2 to 40"),
        ("canned:\n  - id: hello\n    title: {en: Hi}\n    text: {en: x, es: y}\ndispositions:\n  done: {en: Done, es: Hecho}\n", "missing `es`"),
        ("canned: []\ndispositions: {}\n", "1 to 30 dispositions"),
        ("canned:\n  - id: dup\n    title: {en: A, es: A}\n    text: {en: x, es: y}\n  - id: dup\n    title: {en: B, es: B}\n    text: {en: x, es: y}\ndispositions:\n  done: {en: Done, es: Hecho}\n", "used once"),
        ("dispositions:\n  Done: {en: Done, es: Hecho}\n", "a code is 2 to 40"),
        ("dispositions: [", "console.yaml"),
    ])
    func aWrongFileIsRefusedWithItsPathAndTheReason(yaml: String, reason: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("console.yaml")
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ConsoleTextsError.self) { try ConsoleTexts.load(path: path) }
        #expect(error?.description.contains(path) == true, "\(String(describing: error))")
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func aTextLongerThanOneReplyIsRefused() throws {
        let long = String(repeating: "a", count: 1601)
        #expect(throws: ConsoleTextsError.self) {
            try ConsoleTexts(
                canned: [.init(id: "long", title: .init(en: "L", es: "L"), text: .init(en: long, es: "x"))],
                dispositions: [("done", .init(en: "Done", es: "Hecho"))])
        }
    }
}

import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `saferelay triage test`: which rules a message fires and what would be sent. Reads no store,
/// sends nothing.
struct TriageTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Show which triage rules a message fires and what would be sent. Sends nothing.")

    @OptionGroup var file: TriagePolicyOption

    @Argument(help: "The message text to try.") var text: String

    @Option(help: ArgumentHelp("The channel: sms, webchat, webform or email (default sms).", valueName: "channel"))
    var channel: String = "sms"

    @Option(help: ArgumentHelp("When it arrives (RFC 3339 or YYYY-MM-DD); default now.", valueName: "time"))
    var at: String?

    @Flag(help: "Try it as a later message in a conversation that has had the first answer (for menu answers).")
    var followUp = false

    @Option(help: ArgumentHelp("With --follow-up: the conversation's language so far (en or es).", valueName: "language"))
    var language: String?

    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        guard ChannelKind(rawValue: channel) != nil else { throw ValidationError("--channel must be sms, webchat, webform or email") }
        if let at { _ = try TimeArgument.parse(at) }
        if let language, ConversationLanguage(rawValue: language) == nil { throw ValidationError("--language must be en or es") }
        guard text.utf8.count <= InboundMessage.maximumBodyBytes else { throw ValidationError("the text is longer than a message may be") }
    }

    func run() async throws {
        await runReportingFailures {
            let policy = try TriageLoading.load(file.path)
            let when = try at.map(TimeArgument.parse) ?? Date()
            let kind = ChannelKind(rawValue: channel)!
            let thread = followUp ? TriageThreadState(language: language.flatMap(ConversationLanguage.init(rawValue:)), answered: [.firstAnswer]) : nil
            let decision = policy.evaluate(TriageInput(text: text, channel: kind, at: when, thread: thread))
            let open = policy.hours?.isOpen(at: when) ?? true
            if json {
                var object: [String: Any] = [
                    "policy": policy.name, "channel": kind.rawValue, "open": open, "language": decision.language.rawValue,
                    "urgent": decision.urgent, "fired": decision.fired,
                ]
                if let redirect = decision.redirect { object["redirect"] = redirect }
                if let answer = decision.answer { object["answer"] = ["kind": answer.kind.rawValue, "rule": answer.rule, "text": answer.text] }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("policy:   \(policy.name)")
            print("channel:  \(kind.rawValue), \(followUp ? "a later message" : "a new conversation"), \(open ? "within opening hours" : "outside opening hours")")
            print("language: \(decision.language.rawValue)")
            print("priority: \(decision.urgent ? "urgent" : "normal")")
            if let redirect = decision.redirect { print("redirect: \(redirect) (kept out of the waiting queue until the person writes again)") }
            print("rules fired:")
            for rule in decision.fired { print("  \(rule)") }
            if let answer = decision.answer {
                print("would send (\(answer.kind.rawValue), \(decision.language.rawValue)), if the reply rules allow (window, do-not-contact, opt-out, a monitored phone):")
                print("  " + answer.text.replacingOccurrences(of: "\n", with: "\n  "))
            } else {
                print("would send: nothing")
            }
        }
    }
}

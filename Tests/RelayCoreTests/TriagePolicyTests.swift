import Foundation
import RelayCore
import RelayModel
import RelayTestSupport
import Testing

/// The triage rules as code: the shipped file is valid and bilingual, a bad file is refused with
/// its line, and each rule decides what its users expect (never redirecting someone in danger).
struct TriagePolicyTests {
    static let sample = """
        version: 1
        name: test triage
        language:
          default: en
          keywords: { es: [ESPAÑOL, ESPANOL], en: [ENGLISH] }
        first_answer:
          default: { en: "Someone will answer soon.", es: "Alguien responderá pronto." }
          sms: { en: "Thanks. Reply OTHER for other help.", es: "Gracias. Responde OTRO para otra ayuda." }
        urgency: [help, "right now", ayuda]
        redirects:
          - id: wage_claims
            keywords: ["unpaid overtime"]
            menu: [OTHER, OTRO]
            reply:
              default: { en: "For wage claims, call the labor office.", es: "Para reclamos de salario, llama a la oficina laboral." }
        hours:
          time_zone: America/Chicago
          weekly:
            monday: "09:00-17:00"
            saturday: closed
          after_hours:
            default: { en: "We answer weekdays 9 to 5.", es: "Respondemos de lunes a viernes de 9 a 5." }
        blocks: { default: 12h, longest: 7d }
        """

    static func policy() throws -> TriagePolicy { try TriagePolicy.parse(sample, file: "test.yaml") }

    /// 2026-11-30 is a Monday; 15:00 UTC is 09:00 in Chicago (CST, UTC-6).
    static let mondayMorningChicago = Date(timeIntervalSince1970: 1_796_050_800 + 60)

    @Test func theShippedTriageFileIsValidAndEveryTextIsInBothLanguages() throws {
        let policy = try TriagePolicy.load(path: RepositoryFile.path("Policies/triage.yaml"))
        let texts = [policy.firstAnswer, policy.afterHours].compactMap { $0 } + policy.redirects.map(\.reply)
        #expect(!texts.isEmpty)
        for channelTexts in texts {
            for text in Array(channelTexts.byChannel.values) + [channelTexts.fallback].compactMap({ $0 }) {
                #expect(!text.en.isEmpty && !text.es.isEmpty && text.en != text.es)
            }
        }
        // A text message reaches the first answer's menu in either language.
        let menu = policy.evaluate(TriageInput(text: "otro", channel: .sms, at: Date(), thread: TriageThreadState(language: .es, answered: [.firstAnswer])))
        #expect(menu.answer?.kind == .redirect && menu.language == .es)
    }

    @Test func aBadFileIsRefusedWithItsLineAndReason() throws {
        let cases: [(String, Int, String)] = [
            ("first_answer:\n  default: { en: \"Hi\" }\n", 2, "Spanish"),
            ("language:\n  defualt: en\n", 2, "unknown key `defualt`"),
            ("redirects:\n  - id: Bad Id\n    menu: [X]\n    reply: { default: { en: a, es: b } }\n", 2, "redirect id"),
            ("hours:\n  time_zone: Mars/Olympus\n  weekly: {}\n  after_hours: { default: { en: a, es: b } }\n", 2, "not a known time zone"),
            ("hours:\n  time_zone: UTC\n  weekly:\n    monday: \"17:00-09:00\"\n  after_hours: { default: { en: a, es: b } }\n", 4, "monday"),
            ("blocks: { default: 40d, longest: 30d }\n", 1, "default <= longest"),
            ("language:\n  keywords: { es: [ESPAÑOL], en: [espanol] }\n", 2, "both languages"),
            ("unexpected: 1\n", 1, "unknown key"),
        ]
        for (yaml, line, reason) in cases {
            #expect {
                _ = try TriagePolicy.parse(yaml, file: "bad.yaml")
            } throws: { error in
                guard let error = error as? PolicyError else { return false }
                return error.file == "bad.yaml" && error.line == line && error.reason.contains(reason)
            }
        }
        let long = String(repeating: "x", count: TriagePolicy.maximumAnswerCharacters + 1)
        #expect(throws: PolicyError.self) { try TriagePolicy.parse("first_answer: { default: { en: \(long), es: b } }\n", file: "long.yaml") }
    }

    @Test func languageComesFromAKeywordOrTheFirstMessageAndStays() throws {
        let policy = try Self.policy()
        let at = Self.mondayMorningChicago
        #expect(policy.evaluate(TriageInput(text: "Español", channel: .sms, at: at, thread: nil)).language == .es)
        let spanish = policy.evaluate(TriageInput(text: "Hola, necesito hablar con alguien", channel: .sms, at: at, thread: nil))
        #expect(spanish.language == .es && spanish.answer?.text == "Gracias. Responde OTRO para otra ayuda.")
        #expect(policy.evaluate(TriageInput(text: "hi, I need to talk to someone", channel: .webchat, at: at, thread: nil)).answer?.text == "Someone will answer soon.")
        // No sign either way: the default.
        #expect(policy.evaluate(TriageInput(text: "ok", channel: .sms, at: at, thread: nil)).language == .en)
        // A later message keeps the conversation's language unless it is a keyword.
        let later = TriageThreadState(language: .es, answered: [.firstAnswer])
        #expect(policy.evaluate(TriageInput(text: "thank you", channel: .sms, at: at, thread: later)).language == .es)
        #expect(policy.evaluate(TriageInput(text: "ENGLISH", channel: .sms, at: at, thread: later)).language == .en)
    }

    @Test func urgencyRaisesPriorityAndIsNeverRedirected() throws {
        let policy = try Self.policy()
        let at = Self.mondayMorningChicago
        #expect(policy.evaluate(TriageInput(text: "I need HELP", channel: .sms, at: at, thread: nil)).urgent)
        #expect(policy.evaluate(TriageInput(text: "they want me right now", channel: .sms, at: at, thread: nil)).urgent)
        #expect(!policy.evaluate(TriageInput(text: "right here, now I see", channel: .sms, at: at, thread: nil)).urgent)
        let plain = policy.evaluate(TriageInput(text: "it is about unpaid overtime", channel: .sms, at: at, thread: nil))
        #expect(plain.redirect == "wage_claims" && plain.answer?.kind == .redirect)
        let urgent = policy.evaluate(TriageInput(text: "unpaid overtime and I need help", channel: .sms, at: at, thread: nil))
        #expect(urgent.urgent && urgent.redirect == nil && urgent.answer?.kind == .firstAnswer)
    }

    @Test func aMenuAnswerCountsOnlyAfterTheMenuAndBeforeAnAdvocate() throws {
        let policy = try Self.policy()
        let at = Self.mondayMorningChicago
        #expect(policy.evaluate(TriageInput(text: "OTHER", channel: .sms, at: at, thread: nil)).redirect == nil)
        let offered = TriageThreadState(language: .en, answered: [.firstAnswer])
        #expect(policy.evaluate(TriageInput(text: " other ", channel: .sms, at: at, thread: offered)).redirect == "wage_claims")
        #expect(policy.evaluate(TriageInput(text: "other people", channel: .sms, at: at, thread: offered)).redirect == nil)
        var answered = offered
        answered.advocateReplied = true
        #expect(policy.evaluate(TriageInput(text: "other", channel: .sms, at: at, thread: answered)).redirect == nil)
        #expect(policy.evaluate(TriageInput(text: "about unpaid overtime", channel: .sms, at: at, thread: answered)).redirect == nil)
        // Someone who said earlier that they are in danger is never redirected by a later message.
        var urgentBefore = offered
        urgentBefore.priority = 1
        #expect(policy.evaluate(TriageInput(text: "other", channel: .sms, at: at, thread: urgentBefore)).redirect == nil)
        // Each automatic answer once: no second redirect, no second first answer.
        answered = TriageThreadState(language: .en, answered: [.firstAnswer, .redirect])
        #expect(policy.evaluate(TriageInput(text: "other", channel: .sms, at: at, thread: answered)).answer == nil)
        #expect(policy.evaluate(TriageInput(text: "hello again", channel: .sms, at: at, thread: offered)).answer == nil)
    }

    @Test func outsideOpeningHoursANewConversationGetsTheAfterHoursAnswer() throws {
        let policy = try Self.policy()
        let open = Self.mondayMorningChicago
        #expect(policy.hours?.isOpen(at: open) == true)
        #expect(policy.hours?.isOpen(at: open.addingTimeInterval(-120)) == false)  // 08:59
        #expect(policy.hours?.isOpen(at: open.addingTimeInterval(8 * 3600 - 120)) == true)  // 16:59
        #expect(policy.hours?.isOpen(at: open.addingTimeInterval(8 * 3600)) == false)  // 17:01
        #expect(policy.hours?.isOpen(at: open.addingTimeInterval(86_400)) == false)  // Tuesday: not listed, closed
        let closed = policy.evaluate(TriageInput(text: "hola", channel: .webchat, at: open.addingTimeInterval(-3600), thread: nil))
        #expect(closed.answer?.kind == .afterHours && closed.answer?.text == "Respondemos de lunes a viernes de 9 a 5.")
        // Daylight saving follows the zone: 2026-06-01 is a Monday, 09:00 CDT is 14:00 UTC.
        let june = try Date("2026-06-01T14:00:30Z", strategy: .iso8601)
        #expect(policy.hours?.isOpen(at: june) == true && policy.hours?.isOpen(at: june.addingTimeInterval(-60)) == false)
    }
}

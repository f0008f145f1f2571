import Foundation
import Hummingbird
import RelayChannels
import RelayCore
import RelayModel
import RelayWire

/// The voice menu, `POST /voice/twilio/inbound` and `POST /voice/twilio/menu`, signed like the SMS
/// webhooks: a greeting in English with Spanish offered, then either the hotline's phone line
/// (`<Dial>`) or a text conversation with the caller's number, inside the reply rules. Nothing is
/// recorded or transcribed; only counts of calls and choices are kept.
struct VoiceRoutes<Context: RequestContext> {
    let twilio: TwilioRoutes<Context>

    var relay: Relay { twilio.relay }
    var configuration: ServerConfiguration { twilio.configuration }

    func register(on router: Router<Context>) {
        router.post("/voice/twilio/inbound") { request, context in try await inbound(request, context: context) }
        router.post("/voice/twilio/menu") { request, context in try await menu(request, context: context) }
    }

    /// The first answer to a call: the menu in English, Spanish offered.
    func inbound(_ request: Request, context: Context) async throws -> Response {
        let fields = try await verified(request, context: context)
        _ = try callID(fields)
        twilio.metrics.count("saferelay_voice_calls_total")
        return TwilioRoutes<Context>.twiml(gather(.en, attempt: 1))
    }

    /// The caller's key press.
    func menu(_ request: Request, context: Context) async throws -> Response {
        let fields = try await verified(request, context: context)
        let call = try callID(fields)
        let query = request.uri.queryParameters
        let language = query["lang"].flatMap { ConversationLanguage(rawValue: String($0)) } ?? .en
        let attempt = query["attempt"].flatMap { Int(String($0)) }.map { min(max($0, 1), 3) } ?? 1
        let digits = fields.first("Digits") ?? ""
        guard digits.count <= 8 else { throw APIError(.badRequest, code: "invalid_field", message: "Digits is too long") }
        let spoken = VoiceMenuTexts.spoken(language)
        switch digits {
        case "1":
            count("talk")
            return TwilioRoutes<Context>.twiml(dial(language))
        case "2":
            count("text")
            // Whatever happens — a text queued, refused by the reply rules (do-not-contact, opted
            // out, a phone flagged monitored, a block), a withheld or untrusted caller id — the
            // caller hears the same words and is put through: whoever holds the phone learns
            // nothing of what the hotline knows about the number.
            if let from = fields.first("From"), !Self.withheldCallerIDs.contains(from), !Self.failedAttestation(fields.first("StirVerstat")),
                let address = try? ContactAddress.phone(from)
            {
                // A store that cannot answer must not change what the caller hears: they are put through.
                _ = try? await relay.intake.startTextFromCall(caller: address, language: language, callID: call)
            }
            return TwilioRoutes<Context>.twiml(say(spoken.textChosen, spoken.voice) + dialOnly())
        case "9":
            count("spanish")
            return TwilioRoutes<Context>.twiml(gather(.es, attempt: 1))
        case "8":
            count("english")
            return TwilioRoutes<Context>.twiml(gather(.en, attempt: 1))
        case "":
            // Silence: whoever cannot or dare not press a key reaches a person.
            count("none")
            return TwilioRoutes<Context>.twiml(dial(language))
        default:
            count("other")
            guard attempt < 2 else { return TwilioRoutes<Context>.twiml(dial(language)) }
            return TwilioRoutes<Context>.twiml(say(spoken.notAnOption, spoken.voice) + gather(language, attempt: attempt + 1))
        }
    }

    // MARK: - TwiML

    func gather(_ language: ConversationLanguage, attempt: Int) -> String {
        let spoken = VoiceMenuTexts.spoken(language)
        let other = VoiceMenuTexts.spoken(language == .en ? .es : .en)
        let action = TwilioRoutes<Context>.xmlEscape(configuration.publicURL + "/voice/twilio/menu?lang=\(language.rawValue)&attempt=\(attempt)")
        // No key pressed within the timeout: Twilio posts the action with empty Digits, which connects the caller.
        return #"<Gather input="dtmf" numDigits="1" timeout="6" actionOnEmptyResult="true" method="POST" action="\#(action)">"#
            + say(spoken.menu, spoken.voice) + say(spoken.otherLanguage, other.voice) + "</Gather>"
    }

    func dial(_ language: ConversationLanguage) -> String {
        let spoken = VoiceMenuTexts.spoken(language)
        return say(spoken.connecting, spoken.voice) + dialOnly()
    }

    func dialOnly() -> String {
        let number = TwilioRoutes<Context>.xmlEscape(configuration.voiceDialNumber ?? "")
        return #"<Dial record="do-not-record"><Number>\#(number)</Number></Dial>"#
    }

    /// The numbers Twilio gives for a caller id that is withheld (anonymous, restricted,
    /// unavailable, blocked): no person behind them can be texted.
    static var withheldCallerIDs: Set<String> { ["+266696687", "+7378742833", "+86282452253", "+2562533", "anonymous", "Anonymous", "restricted", "unknown"] }

    /// Whether STIR/SHAKEN says the caller id failed validation (absent: nothing is known).
    static func failedAttestation(_ verstat: String?) -> Bool {
        verstat?.lowercased().contains("failed") ?? false
    }

    func say(_ text: String, _ voice: String) -> String {
        #"<Say language="\#(voice)">\#(TwilioRoutes<Context>.xmlEscape(text))</Say>"#
    }

    // MARK: - Helpers

    func count(_ choice: String) {
        twilio.metrics.count("saferelay_voice_choices_total", [("choice", choice)])
    }

    /// Signature first, like every Twilio webhook; no voice menu without a line to put callers through to.
    func verified(_ request: Request, context: Context) async throws -> [(String, String)] {
        guard configuration.voiceDialNumber != nil else {
            throw APIError(.serviceUnavailable, code: "voice_not_configured", message: "no hotline phone line is configured for the voice menu")
        }
        let fields = try await twilio.verifiedFields(request, context: context)
        if let account = fields.first("AccountSid"), account != configuration.twilio?.accountSID {
            throw APIError(.forbidden, code: "forbidden", message: "the request is not for this account")
        }
        return fields
    }

    func callID(_ fields: [(String, String)]) throws -> String {
        guard let sid = fields.first("CallSid"), TwilioWebhookBody.isProviderID(sid) else {
            throw APIError(.badRequest, code: "missing_field", message: "CallSid is missing or malformed")
        }
        return sid
    }
}

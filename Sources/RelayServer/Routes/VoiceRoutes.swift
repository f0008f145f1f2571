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
            // A withheld or foreign caller id cannot be texted: put them through instead.
            guard let from = fields.first("From"), let address = try? ContactAddress.phone(from) else {
                return TwilioRoutes<Context>.twiml(dial(language))
            }
            switch try await relay.intake.startTextFromCall(caller: address, language: language, callID: call) {
            case .started, .duplicate:
                return TwilioRoutes<Context>.twiml(say(spoken.textSent, spoken.voice) + "<Hangup/>")
            case .refused:
                return TwilioRoutes<Context>.twiml(dial(language))
            }
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
        let number = TwilioRoutes<Context>.xmlEscape(configuration.voiceDialNumber ?? "")
        return say(spoken.connecting, spoken.voice) + #"<Dial record="do-not-record"><Number>\#(number)</Number></Dial>"#
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

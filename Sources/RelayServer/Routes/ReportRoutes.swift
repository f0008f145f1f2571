import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayCore
import RelayModel
import RelayWire

/// The tip form: `GET /report` (a no-trace page like the webchat: no cookies, no storage, strict
/// CSP, quick exit, English and Spanish) and `POST /report`, which files the report as a sealed
/// message on a new `webform` thread. Admission is per client (keyed hashes in memory) and overall,
/// like starting a webchat.
struct ReportRoutes {
    typealias Context = RelayRequestContext
    let relay: Relay
    let configuration: ServerConfiguration
    let limiter: RateLimiter
    let metrics: RelayMetrics

    struct ReportAnswer: Encodable {
        /// For a way back through the webchat: the phrase, shown once.
        let resume_phrase: String?
        /// The same submission was received before; nothing new was stored.
        let duplicate: Bool

        enum CodingKeys: String, CodingKey { case resume_phrase, duplicate }

        /// `resume_phrase` is always there, null when there is none.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(resume_phrase, forKey: .resume_phrase)
            try container.encode(duplicate, forKey: .duplicate)
        }
    }

    func register(on router: Router<Context>) {
        let page = PageAssets(page: "report", substitutions: ["EXIT_URL": PageAssets.htmlEscape(configuration.exitURL)])
        for (path, name) in [("/report", "index.html"), ("/report/report.js", "report.js"), ("/report/report.css", "report.css")] {
            guard let asset = page.files[name] else { preconditionFailure("Pages/report/\(name) is missing from the build") }
            router.get(RouterPath(path)) { _, _ in WebchatPageRoutes<Context>.serve(asset) }
        }
        router.post("/report") { request, context in try await file(request, context: context) }
    }

    func file(_ request: Request, context: Context) async throws -> Response {
        let limits = configuration.rateLimits
        try await RequestSupport.admit(
            request, context, configuration, limiter: limiter, kind: "report", perClient: limits.perClientStarts, overall: limits.sessionStarts)
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else {
            throw APIError(.badRequest, code: "missing_idempotency_key", message: "send an Idempotency-Key header so a retry is filed once")
        }
        let body = try await RequestSupport.body(of: request, limit: ReportInput.maximumBytes)
        let input: ReportInput
        do {
            input = try ReportInput.parse(body.readableBytesView)
        } catch let invalid as ReportInput.Invalid {
            throw APIError(.badRequest, code: "invalid_\(invalid.field)", message: "\(invalid.field): \(invalid.reason)")
        } catch {
            throw APIError(.badRequest, code: "malformed_json", message: "the body is not a report (what, situation, way_back, …)")
        }
        let wayBack: TipReport.WayBack
        switch input.way_back {
        case "phrase": wayBack = .phrase
        case "text":
            guard let phone = input.phone, let address = try? ContactAddress.phone(phone) else {
                throw APIError(.badRequest, code: "invalid_phone", message: "phone: not a phone number")
            }
            wayBack = .text(address)
        default: wayBack = .none
        }
        let report = TipReport(
            what: input.what, city: input.city, region: input.region, when: input.when,
            situation: TipSituation(rawValue: input.situation) ?? .unsure, wayBack: wayBack,
            language: input.language.flatMap(ConversationLanguage.init(rawValue:)) ?? .en)
        let receipt = try await ErrorTable.during(.inboundMessage) { try await relay.intake.fileReport(report, idempotencyKey: key) }
        if !receipt.duplicate { metrics.count("saferelay_reports_total") }
        return try RequestSupport.json(ReportAnswer(resume_phrase: receipt.resumePhrase, duplicate: receipt.duplicate), status: receipt.duplicate ? .ok : .created)
    }
}

import Hummingbird
import NIOCore
import RelayCore

/// The one place where errors become HTTP answers: each core error's status, stable code and
/// message. Routes throw core errors as they come (or an ``APIError`` for what they judge
/// themselves); ``ErrorEnvelopeMiddleware`` answers them through this table. An error the table
/// does not know is a bare 500, logged by type only.
enum ErrorTable {
    /// A use case whose errors read differently from the general rows.
    enum Operation {
        /// Any route.
        case general
        /// Storing a survivor's message (webchat send, SMS ingest): what the core refuses is an
        /// `invalid_message`.
        case inboundMessage
        /// Redeeming a resume phrase: a refusal speaks of the phrase, not of a session.
        case resume
    }

    /// The answer for `error` during `operation`, or `nil` for an error nobody expects (a 500).
    static func answer(for error: any Error, during operation: Operation = .general) -> APIError? {
        switch (error, operation) {
        case (let error as APIError, _):
            return error
        case (RelayError.unauthorized, .resume):
            return APIError(.unauthorized, code: "unauthorized", message: "that phrase does not open a conversation")
        case (RelayError.unauthorized, _):
            return .unauthorized
        case (RelayError.contactBlocked, _):
            return APIError(.forbidden, code: "paused", message: RelayError.contactBlocked.description)
        case (let error as RelayError, .inboundMessage):
            return APIError(.badRequest, code: "invalid_message", message: error.description)
        case (let error as RelayError, _):
            return row(error)
        case (let error as AccessError, _):
            return row(error)
        case (let refusal as ReplyRefusal, _):
            return APIError(.conflict, code: refusal.rawValue, message: refusal.description)
        case (let error as StaffAuthError, _):
            return row(error)
        case (is HashingBusy, _):
            return APIError(.serviceUnavailable, code: "busy", message: "the server is busy; try again in a moment")
        case (let error as HTTPError, _):
            return APIError(error.status, code: code(for: error.status.code), message: error.status.reasonPhrase.lowercased())
        case (is NIOTooManyBytesError, _):
            return APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is too large")
        case (let error, _) where StoreAvailability.isBusy(error):
            return APIError(.serviceUnavailable, code: "unavailable", message: "the store is busy; try again in a moment")
        default:
            return nil
        }
    }

    /// Runs `body`, answering its errors as `operation` words them.
    static func during<T>(_ operation: Operation, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw answer(for: error, during: operation) ?? error
        }
    }

    // MARK: - Rows

    static func row(_ error: RelayError) -> APIError? {
        switch error {
        case .invalidInput(let why): APIError(.badRequest, code: "invalid_input", message: why)
        case .threadNotFound, .threadErased: .notFound
        case .unauthorized: .unauthorized
        case .contactBlocked: APIError(.forbidden, code: "paused", message: error.description)
        case .undecryptable: nil
        }
    }

    static func row(_ error: AccessError) -> APIError {
        switch error {
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .purposeRequired: APIError(.forbidden, code: "purpose_required", message: error.description)
        case .purposeDoesNotFit: APIError(.conflict, code: "purpose_does_not_fit", message: error.description)
        case .auditUnavailable: APIError(.serviceUnavailable, code: "audit_unavailable", message: error.description)
        }
    }

    /// Nothing here says whether an account exists.
    static func row(_ error: StaffAuthError) -> APIError {
        switch error {
        case .invalidCredentials: APIError(.unauthorized, code: "invalid_credentials", message: "name, password or code not accepted")
        case .sessionInvalid: .unauthorized
        case .enrolmentInvalid: APIError(.unauthorized, code: "unauthorized", message: "enrolment not accepted")
        case .weakPassword(let why): APIError(.badRequest, code: "weak_password", message: why)
        }
    }

    /// The code of a framework error's status.
    static func code(for status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 429: "rate_limited"
        case 503: "unavailable"
        default: status >= 500 ? "internal_error" : "bad_request"
        }
    }
}

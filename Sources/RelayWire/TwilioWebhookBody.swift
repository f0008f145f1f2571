import Foundation

/// The body of a Twilio webhook, parsed and checked in the order the SMS routes need: a JSON body's
/// signature covers its SHA-256 and is checked before the JSON is read; a form's signature covers its
/// parameters, so the form is parsed first.
///
/// The signature checks are passed in as closures so that this module needs no key material:
///
/// ```swift
/// let fields = try TwilioWebhookBody.verifiedFields(
///     contentType: "application/x-www-form-urlencoded", body: bytes,
///     isValidJSON: { validator.isValidJSON(signature: signature, url: url, body: $0) },
///     isValidForm: { validator.isValid(signature: signature, url: url, parameters: $0) })
/// ```
public enum TwilioWebhookBody {
    /// Longest `X-Twilio-Signature` header accepted, in characters.
    public static let maximumSignatureLength = 128

    /// Why a webhook body was refused.
    public enum Failure: Error, Equatable, Sendable {
        /// Neither a form nor a JSON content type.
        case unsupportedMediaType
        /// A form body that ``FormBody`` refuses.
        case malformedForm
        /// A correctly signed JSON body that is not a JSON object.
        case malformedJSON
        /// The signature does not match.
        case badSignature
    }

    /// How a body is encoded.
    public enum Encoding: Equatable, Sendable {
        /// `application/x-www-form-urlencoded` (also assumed when there is no content type).
        case form
        /// `application/json`.
        case json
    }

    /// The encoding a `Content-Type` header names, or `nil` for anything else.
    public static func encoding(contentType: String?) -> Encoding? {
        let contentType = contentType?.lowercased() ?? ""
        if contentType.hasPrefix("application/json") { return .json }
        if contentType.isEmpty || contentType.hasPrefix("application/x-www-form-urlencoded") { return .form }
        return nil
    }

    /// The name/value fields of a webhook body whose signature checks out.
    /// - Parameters:
    ///   - contentType: the request's `Content-Type` header, if any.
    ///   - body: the raw body bytes (already bounded by the caller).
    ///   - isValidJSON: whether the signature is valid for this JSON body.
    ///   - isValidForm: whether the signature is valid for these form parameters.
    /// - Throws: ``Failure``, in the order a request meets them.
    public static func verifiedFields(
        contentType: String?, body: [UInt8],
        isValidJSON: ([UInt8]) -> Bool, isValidForm: ([(String, String)]) -> Bool
    ) throws(Failure) -> [(String, String)] {
        switch encoding(contentType: contentType) {
        case .json:
            guard isValidJSON(body) else { throw .badSignature }
            return try jsonFields(body)
        case .form:
            let fields: [(String, String)]
            do {
                fields = try FormBody.parse(body)
            } catch {
                throw .malformedForm
            }
            guard isValidForm(fields) else { throw .badSignature }
            return fields
        case nil:
            throw .unsupportedMediaType
        }
    }

    /// The string and number members of a JSON object body (numbers as their decimal text);
    /// other members are skipped.
    /// - Throws: ``Failure/malformedJSON`` if the body is not a JSON object.
    public static func jsonFields(_ body: [UInt8]) throws(Failure) -> [(String, String)] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw .malformedJSON
        }
        return object.compactMap { key, value in
            if let text = value as? String { return (key, text) }
            if let number = value as? NSNumber { return (key, number.stringValue) }
            return nil
        }
    }

    /// Whether `sid` looks like a provider id (`SM…`, `MM…`): 10 to 64 ASCII letters and digits.
    public static func isProviderID(_ sid: String) -> Bool {
        (10...64).contains(sid.utf8.count) && sid.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}

import Foundation

/// Decodes the JSON body of a request into the type a route expects.
///
/// ```swift
/// let input = try JSONBody.decode(WebchatInput.Message.self, from: bytes)
/// ```
public enum JSONBody {
    /// The body is not valid JSON, or not the shape `T` expects.
    public struct Malformed: Error, Equatable, Sendable {
        /// Creates the error.
        public init() {}
    }

    /// Decodes `bytes` (already bounded by the caller) as `T` with Foundation's `JSONDecoder`.
    /// - Throws: ``Malformed`` for any decoding failure.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Sequence<UInt8>) throws(Malformed) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw Malformed()
        }
    }
}

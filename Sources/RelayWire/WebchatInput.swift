/// The JSON bodies a survivor's webchat sends, with the size limits the routes apply before decoding
/// them with ``JSONBody``.
public enum WebchatInput {
    /// Largest `POST /chat/messages` body, in bytes (a 4,000-character message fits easily).
    public static let maximumMessageBytes = 32 * 1024
    /// Largest `POST /chat/resume` body, in bytes.
    public static let maximumPhraseBytes = 1024

    /// `POST /chat/messages`: `{"text": "…"}`.
    public struct Message: Decodable, Sendable {
        /// The message text.
        public let text: String
    }

    /// `POST /chat/resume`: `{"phrase": "…"}`.
    public struct Phrase: Decodable, Sendable {
        /// The resume phrase as typed.
        public let phrase: String
    }
}

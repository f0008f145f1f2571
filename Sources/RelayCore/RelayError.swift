/// Errors of the relay's use cases. Messages never contain message text, addresses or tokens.
public enum RelayError: Error, Equatable, CustomStringConvertible {
    /// Input from outside failed validation.
    case invalidInput(String)
    /// No such thread (or not visible to the caller).
    case threadNotFound
    /// The thread's content has been erased.
    case threadErased
    /// A stored ciphertext or wrapped key did not open.
    case undecryptable
    /// A bearer token or phrase is unknown, expired or revoked.
    case unauthorized
    /// A supervisor blocked this contact for now: the message was not stored.
    case contactBlocked

    public var description: String {
        switch self {
        case .invalidInput(let reason): reason
        case .threadNotFound: "no such thread"
        case .threadErased: "the thread's content has been erased"
        case .undecryptable: "stored content could not be decrypted"
        case .unauthorized: "unknown, expired or ended session"
        case .contactBlocked: "this conversation is paused for now; please try again later"
        }
    }
}

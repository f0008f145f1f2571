/// The no-trace webchat: anonymous sessions, the survivor's own view of their conversation, deletion, resume phrases.
public struct WebchatService: RelayService {
    let context: RelayContext
}

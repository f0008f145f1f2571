/// Crypto-shredding: a thread or a whole contact, never refused for audit reasons.
public struct ErasureService: RelayService {
    let context: RelayContext
}

/// The keyring against the store: whether it opens it, rotation (rewrapping), retirement.
public struct KeyService: RelayService {
    let context: RelayContext
}

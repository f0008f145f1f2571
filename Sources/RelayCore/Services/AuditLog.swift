/// The tamper-evident audit log: appending (in the caller's transaction or its own), checkpoints, verification, export, the compliance read.
public struct AuditLog: RelayService {
    let context: RelayContext
}

/// Retention policies and legal holds: plan, apply, status, holds.
public struct RetentionService: RelayService {
    let context: RelayContext
}

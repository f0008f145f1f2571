/// Survivors' messages coming in (SMS and webchat bodies, SMS keywords): stored durably, sealed, threaded, prioritised.
public struct IntakeService: RelayService {
    let context: RelayContext
}

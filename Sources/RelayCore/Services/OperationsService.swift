/// What running the relay needs: health, gauges, the store's close.
public struct OperationsService: RelayService {
    let context: RelayContext
}

import Hummingbird
import RelayCore

/// Who is calling, as the authenticator middleware found them (``StaffAuthenticator``,
/// ``SurvivorAuthenticator``). Handlers read the identity here and never look at the token.
extension RelayRequestContext {
    /// The staff session the `Authorization` header opened; 401 when none did (a route outside the
    /// authenticated group asked).
    func requireStaff() throws -> StaffSession {
        guard let staff else { throw APIError.unauthorized }
        return staff
    }

    /// The survivor's webchat session the `Authorization` header opened; 401 when none did.
    func requireSurvivor() throws -> WebchatSession {
        guard let survivor else { throw APIError.unauthorized }
        return survivor
    }
}

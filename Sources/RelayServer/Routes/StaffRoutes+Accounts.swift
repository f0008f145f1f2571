import Foundation
import Hummingbird
import RelayCore
import RelayModel

/// Account administration for the admin role, as on the command line (`saferelay advocates …`):
/// list, add, disable, enable, reset, unlock — each audited with the admin's name.
extension StaffRoutes {
    struct AccountsAnswer: Encodable {
        struct Account: Encodable {
            let name: String
            let role: String
            /// `active`, `enrolment pending`, `locked` or `disabled`.
            let state: String
            let created_at: String
        }
        let accounts: [Account]
    }
    struct NewAccountInput: Decodable {
        let name: String
        let role: String
    }
    struct EnrolmentSecretAnswer: Encodable {
        let name: String
        /// The one-time enrolment secret, shown once: hand it to the person by a separate, safe way.
        let secret: String
    }

    func registerAccounts(on staff: RouterGroup<Context>) {
        staff.get("accounts") { _, context in
            let accounts = try await relay.staff.accounts(by: try admin(context))
            let now = Date()
            return try RequestSupport.json(AccountsAnswer(accounts: accounts.map {
                .init(name: $0.name, role: $0.role.rawValue, state: $0.state(at: now), created_at: $0.createdAt.rfc3339)
            }))
        }
        staff.post("accounts") { request, context in
            let identity = try admin(context)
            let input = try await input(NewAccountInput.self, request)
            guard let role = Role(rawValue: input.role) else {
                throw APIError(.badRequest, code: "invalid_input", message: "role must be advocate, supervisor, compliance or admin")
            }
            let secret = try await relay.staff.createAccount(name: input.name, role: role, by: identity)
            return try RequestSupport.json(EnrolmentSecretAnswer(name: input.name, secret: secret), status: .created)
        }
        staff.post("accounts/:name/reset") { _, context in
            let identity = try admin(context)
            let name = try accountName(context)
            let secret = try await relay.staff.resetAccount(name: name, by: identity)
            return try RequestSupport.json(EnrolmentSecretAnswer(name: name, secret: secret), status: .created)
        }
        staff.post("accounts/:name/disable") { _, context in
            let identity = try admin(context)
            try await relay.staff.disableAccount(name: try accountName(context), by: identity)
            return RequestSupport.noContent
        }
        staff.post("accounts/:name/enable") { _, context in
            let identity = try admin(context)
            try await relay.staff.enableAccount(name: try accountName(context), by: identity)
            return RequestSupport.noContent
        }
        staff.post("accounts/:name/unlock") { _, context in
            let identity = try admin(context)
            try await relay.staff.unlockAccount(name: try accountName(context), by: identity)
            return RequestSupport.noContent
        }
    }

    /// The caller, if an admin: anyone else is refused before a body is read.
    func admin(_ context: Context) throws -> StaffIdentity {
        let identity = try context.requireStaff().identity
        guard identity.role == .admin else { throw APIError.forbidden }
        return identity
    }

    func accountName(_ context: Context) throws -> String {
        guard let name = context.parameters.get("name"), (1...64).contains(name.count) else { throw APIError.notFound }
        return name
    }
}

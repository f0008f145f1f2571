import ArgumentParser
import Foundation
import RelayCrypto
import RelayStore

/// A failure the user can act on: printed as `saferelay: error: …` with a sysexits code.
struct CLIFailure: Error {
    let message: String
    let code: Int32

    /// EX_USAGE: the command was used wrongly.
    static let usage: Int32 = 64
    /// EX_DATAERR: input data was incorrect (a corrupt keyring).
    static let dataError: Int32 = 65
    /// EX_NOINPUT: an input file did not exist.
    static let noInput: Int32 = 66
    /// EX_SOFTWARE: an internal error.
    static let software: Int32 = 70
    /// EX_CANTCREAT: refusing to create (would overwrite).
    static let cannotCreate: Int32 = 73
    /// EX_IOERR.
    static let ioError: Int32 = 74
    /// EX_TEMPFAIL: done in part; running again later finishes it.
    static let temporaryFailure: Int32 = 75
    /// EX_NOPERM: unsafe permissions.
    static let noPermission: Int32 = 77
    /// EX_CONFIG: bad configuration.
    static let configuration: Int32 = 78

    /// Maps keyring and store errors to messages and codes.
    static func from(_ error: any Error) -> CLIFailure {
        switch error {
        case let failure as CLIFailure:
            return failure
        case let error as KeyringError:
            let code: Int32 = switch error {
            case .notFound: noInput
            case .alreadyExists: cannotCreate
            case .insecurePermissions: noPermission
            case .corrupt: dataError
            case .io: ioError
            case .unknownKEKVersion: dataError
            case .notWritable: configuration
            }
            return CLIFailure(message: error.description, code: code)
        case let error as StoreError:
            return CLIFailure(message: error.description, code: ioError)
        default:
            return CLIFailure(message: "unexpected failure (\(String(reflecting: type(of: error))))", code: software)
        }
    }

    /// Prints the message to standard error and exits with the code.
    func exit() -> Never {
        FileHandle.standardError.write(Data("saferelay: error: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

/// Runs a command body, turning known failures into a clear message and exit code.
func runReportingFailures(_ body: () async throws -> Void) async {
    do {
        try await body()
    } catch {
        CLIFailure.from(error).exit()
    }
}

import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `--role advocate|supervisor|compliance|admin`.
extension Role: ExpressibleByArgument {}

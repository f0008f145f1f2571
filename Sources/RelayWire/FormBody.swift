/// A strict `application/x-www-form-urlencoded` parser: bounded, and refusing bad escapes or
/// invalid UTF-8 instead of guessing.
public enum FormBody {
    /// Most fields accepted.
    public static let maximumFields = 200

    /// Why a body was refused.
    public enum Failure: Error {
        /// A bad escape, invalid UTF-8, an empty name or too many fields.
        case malformed
    }

    /// The name/value pairs of a body, in order; an empty body has none.
    public static func parse(_ bytes: some Collection<UInt8>) throws -> [(String, String)] {
        guard !bytes.isEmpty else { return [] }
        var fields: [(String, String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard fields.count < maximumFields else { throw Failure.malformed }
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(parts[0])
            let value = parts.count > 1 ? try decode(parts[1]) : ""
            guard !name.isEmpty else { throw Failure.malformed }
            fields.append((name, value))
        }
        return fields
    }

    /// One percent-decoded component (`+` is a space).
    public static func decode(_ component: some Collection<UInt8>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(component.count)
        var iterator = component.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                out.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else { throw Failure.malformed }
                out.append(high << 4 | low)
            default:
                out.append(byte)
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw Failure.malformed }
        return text
    }

    private static func hex(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Array where Element == (String, String) {
    /// The first value of a field.
    public func first(_ name: String) -> String? {
        first { $0.0 == name }?.1
    }
}

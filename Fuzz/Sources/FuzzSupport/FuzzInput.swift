/// Slices one fuzz input into the parts of a request: a leading flags byte, newline-terminated
/// header-like lines, and the remaining bytes as the body. Running out of input yields empty parts,
/// so every input is usable.
public struct FuzzInput {
    private let bytes: [UInt8]
    private var position = 0

    /// Copies the input libFuzzer hands over.
    public init(_ start: UnsafeRawPointer, _ count: Int) {
        bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// Wraps bytes (for tests and seed tools).
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next byte, or 0 at the end.
    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// The bytes up to the next newline (which is consumed), or up to the end.
    public mutating func lineBytes() -> [UInt8] {
        let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        defer { position = min(end + 1, bytes.count) }
        return Array(bytes[position..<end])
    }

    /// The next line as text, invalid UTF-8 repaired as a header value would be.
    public mutating func line() -> String {
        String(decoding: lineBytes(), as: UTF8.self)
    }

    /// Everything not consumed yet.
    public mutating func rest() -> [UInt8] {
        defer { position = bytes.count }
        return Array(bytes[position...])
    }
}

/// What a staff password must be: at least 12 characters, at most 256, not one of the passwords
/// attackers try first, not the account name, not one repeated character or a keyboard run.
public enum PasswordPolicy {
    /// Shortest accepted, in characters.
    public static let minimumLength = 12
    /// Longest accepted, in characters.
    public static let maximumLength = 256

    /// The most common passwords of 12 characters or more in public breach corpora (lower-cased).
    static let common: Set<String> = [
        "123456789012", "1234567890123", "12345678901234", "123456789012345", "1234567890qwerty", "qwertyuiop123",
        "qwertyuiopasdf", "qwertyuiopasdfghjkl", "qwerty123456", "123456qwerty", "1q2w3e4r5t6y", "1q2w3e4r5t6y7u",
        "password1234", "password12345", "password123456", "passwordpassword", "password!234", "p@ssw0rd1234",
        "iloveyou1234", "iloveyou12345", "welcome12345", "welcome123456", "letmein12345", "administrator", "administrator1",
        "changeme1234", "abcdefghijkl", "abcdefghijklm", "abc123456789", "aaaaaaaaaaaa", "111111111111", "000000000000",
        "trustno1trustno1", "football1234", "baseball1234", "monkey123456", "dragon123456", "sunshine1234", "princess1234",
        "superman1234", "starwars1234", "whatever1234", "michael12345", "jennifer1234", "computer1234", "internet1234",
        "qazwsxedcrfv", "1qaz2wsx3edc", "zaq12wsxcde3", "asdfghjkl123", "zxcvbnm12345", "secret123456", "master123456",
        "hotline12345", "saferelay123", "saferelay1234", "advocate1234", "correcthorsebatterystaple",
    ]

    /// Why a password is refused, or `nil` if it is acceptable.
    public static func problem(with password: String, accountName: String) -> String? {
        let count = password.count
        if count < minimumLength { return "a password needs at least \(minimumLength) characters" }
        if count > maximumLength { return "a password has at most \(maximumLength) characters" }
        let lowered = password.lowercased()
        if common.contains(lowered) { return "that password is one of the most common; choose another" }
        if Set(lowered).count <= 2 { return "a password needs more than one or two different characters" }
        if lowered.contains(accountName.lowercased()) && accountName.count >= 3 { return "a password must not contain the account name" }
        let runs = ["0123456789", "1234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm"]
        if runs.contains(where: { $0.contains(lowered) }) { return "a keyboard or alphabet run is not a password" }
        return nil
    }
}

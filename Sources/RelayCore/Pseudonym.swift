import RelayCrypto

/// Stable, human-friendly pseudonyms ("Quiet Heron 417") that advocates see instead of a phone number.
/// Chosen at random when a contact is first seen, so they reveal nothing about the address.
public enum Pseudonym {
    static let adjectives = [
        "Amber", "Bright", "Calm", "Clear", "Gentle", "Golden", "Hidden", "Kind", "Light", "Little",
        "Quiet", "Silver", "Soft", "Steady", "Still", "Swift", "Warm", "Wild", "Brave", "Early",
        "Misty", "Patient", "Rising", "Sunny", "Velvet", "Willow", "Coral", "Crimson", "Azure", "Ivory",
        "Jade", "Olive",
    ]
    static let nouns = [
        "Heron", "Falcon", "Otter", "Fox", "Wren", "Finch", "Maple", "Cedar", "River", "Harbor",
        "Meadow", "Lark", "Robin", "Sparrow", "Birch", "Aspen", "Brook", "Comet", "Dune", "Ember",
        "Fern", "Grove", "Hazel", "Iris", "Juniper", "Lotus", "Marsh", "Orchid", "Pebble", "Reed",
        "Sage", "Tide",
    ]

    /// A fresh random pseudonym (32 × 32 × 900 ≈ 920,000 combinations).
    public static func random() -> String {
        let adjective = adjectives[Int(RandomToken.uniform(UInt32(adjectives.count)))]
        let noun = nouns[Int(RandomToken.uniform(UInt32(nouns.count)))]
        let number = 100 + RandomToken.uniform(900)
        return "\(adjective) \(noun) \(number)"
    }
}

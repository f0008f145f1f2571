import Foundation
import RelayStore

/// Generated trend counters for tests and the README's sample report: 22 months (January 2025 to
/// October 2026) of cases in three busy regions and a quiet one, where the quiet region has 7 cases
/// of one type in all (1 to 10: never to be published or worked out), split over channels and who
/// reached out as advocates would record them. Deterministic for a seed (SplitMix64).
public enum TrendSample {
    /// The sample's regions, as a trends policy lists them.
    public static let regions = ["north", "south", "east", "west"]
    /// The quiet region's type.
    public static let small = "agriculture-animal-husbandry"
    /// The types with cases.
    public static let types = ["escort-services", "domestic-work", "restaurants-food-service", small]

    struct Generator {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + Int(z % UInt64(range.count))
        }
    }

    /// The counters, one per key, in key order.
    public static func counts(seed: UInt64 = 7) -> [TrendCount] {
        var generator = Generator(state: seed)
        let who = ["survivor", "family-or-friend", "community-member", "professional", "other"]
        var merged: [String: TrendCount] = [:]
        func add(_ month: String, _ region: String, _ type: String, _ count: Int) {
            var left = count
            while left > 0 {
                let part = min(left, generator.next(1...6))
                let channel = ["sms", "webchat", "email"][generator.next(0...2)]
                let reacher = who[generator.next(0...4)]
                let key = [month, region, type, channel, reacher].joined(separator: "|")
                merged[key, default: TrendCount(month: month, region: region, type: type, channel: channel, who: reacher, count: 0)].count += part
                left -= part
            }
        }
        let quiet: [String: Int] = ["2025-03": 1, "2025-04": 2, "2025-09": 1, "2026-02": 2, "2026-07": 1]
        for ordinal in 0..<22 {
            let month = String(format: "%04d-%02d", 2025 + ordinal / 12, ordinal % 12 + 1)
            for region in ["north", "south", "east"] {
                for type in types.dropLast() { add(month, region, type, generator.next(6...30)) }
            }
            add(month, "north", small, generator.next(9...20))
            add(month, "west", types[0], generator.next(12...25))
            add(month, "west", types[1], generator.next(10...22))
            add(month, "west", small, quiet[month] ?? 0)
            // Cases with several types, or without a region or a type, as any hotline has them.
            for region in ["north", "south", "east"] { add(month, region, "several", generator.next(0...3)) }
            for type in types.dropLast() { add(month, "not-recorded", type, generator.next(0...3)) }
            add(month, "north", "not-recorded", generator.next(0...2))
        }
        return merged.keys.sorted().map { merged[$0]! }
    }
}

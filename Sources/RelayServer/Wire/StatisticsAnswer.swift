import RelayCore

/// `GET /api/v1/stats` in the wire's `snake_case`: counts and durations only.
struct StatisticsAnswer: Encodable {
    struct Channel: Encodable {
        let waiting_now: Int
        let longest_wait_seconds: Double
        let answered_in_window: Int
        let first_response_p50_seconds: Double?
        let first_response_p90_seconds: Double?

        init(_ channel: QueueStatistics.Channel) {
            waiting_now = channel.waitingNow
            longest_wait_seconds = channel.longestWaitSeconds
            answered_in_window = channel.answeredInWindow
            first_response_p50_seconds = channel.firstResponseP50Seconds
            first_response_p90_seconds = channel.firstResponseP90Seconds
        }
    }

    let since: String
    let until: String
    /// By channel (`sms`, `webchat`) and `all`.
    let channels: [String: Channel]

    init(_ statistics: QueueStatistics) {
        since = statistics.since
        until = statistics.until
        channels = statistics.channels.mapValues(Channel.init)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Times as `journalctl --since/--until` spell them, turned into microseconds since the epoch.
///
/// Accepted: `now`, `today`, `yesterday`, `tomorrow` (local midnight); a relative time such as
/// `-7d`, `-2h30min`, `+15m` (units `us`, `ms`, `s`, `sec`, `m`, `min`, `h`, `hour`, `d`, `day`,
/// `w`, `week`, and their plurals); `YYYY-MM-DD`, optionally followed by ` HH:MM[:SS]` or
/// `THH:MM[:SS]`, in local time unless it ends in `Z` or `±HH:MM`; and `@SECONDS` since the epoch.
public enum TimeSpecification {
    /// Parses `text` relative to `now` (microseconds since the epoch).
    /// - Throws: `TimeSpecificationError` with the text and the accepted forms.
    public static func parse(_ text: String, now: UInt64 = currentMicroseconds()) throws -> UInt64 {
        let trimmed = text.trimmingSpaces
        switch trimmed.lowercased() {
        case "now": return now
        case "today": return startOfLocalDay(now, offsetDays: 0)
        case "yesterday": return startOfLocalDay(now, offsetDays: -1)
        case "tomorrow": return startOfLocalDay(now, offsetDays: 1)
        default: break
        }
        if let first = trimmed.first, first == "-" || first == "+" {
            guard let span = relative(String(trimmed.dropFirst())) else { throw TimeSpecificationError(text: text) }
            return first == "-" ? (now > span ? now - span : 0) : now + span
        }
        if trimmed.hasPrefix("@"), let seconds = UInt64(trimmed.dropFirst()) {
            return seconds * 1_000_000
        }
        if let absolute = absolute(trimmed) { return absolute }
        throw TimeSpecificationError(text: text)
    }

    /// The current wall-clock time in microseconds since the epoch.
    public static func currentMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    private static let units: [(String, UInt64)] = [
        ("usec", 1), ("us", 1), ("msec", 1000), ("ms", 1000),
        ("seconds", 1_000_000), ("second", 1_000_000), ("sec", 1_000_000), ("s", 1_000_000),
        ("minutes", 60_000_000), ("minute", 60_000_000), ("min", 60_000_000), ("m", 60_000_000),
        ("hours", 3_600_000_000), ("hour", 3_600_000_000), ("h", 3_600_000_000),
        ("days", 86_400_000_000), ("day", 86_400_000_000), ("d", 86_400_000_000),
        ("weeks", 604_800_000_000), ("week", 604_800_000_000), ("w", 604_800_000_000),
    ]

    /// `2h30min` → microseconds.
    private static func relative(_ text: String) -> UInt64? {
        var rest = Substring(text.replacingSpaces)
        var total: UInt64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let number = UInt64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(letters.count)
            let unit = letters.isEmpty ? 1_000_000 : units.first { $0.0 == letters.lowercased() }?.1
            guard let unit else { return nil }
            total += number * unit
        }
        return total
    }

    /// `YYYY-MM-DD[( |T)HH:MM[:SS]][Z|±HH:MM]`.
    private static func absolute(_ text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + width)] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else {
            return nil
        }
        var hour = 0, minute = 0, second = 0
        if index < bytes.count && (bytes[index] == 32 || bytes[index] == 84) {
            index += 1
            guard let h = number(2), expect(58), let m = number(2) else { return nil }
            hour = h
            minute = m
            if expect(58) {
                guard let s = number(2) else { return nil }
                second = s
            }
        }
        var offsetSeconds: Int?
        if index < bytes.count {
            if expect(90) || expect(122) {
                offsetSeconds = 0
            } else if bytes[index] == 43 || bytes[index] == 45 {
                let sign = bytes[index] == 45 ? -1 : 1
                index += 1
                guard let h = number(2), expect(58), let m = number(2) else { return nil }
                offsetSeconds = sign * (h * 3600 + m * 60)
            }
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        parts.tm_isdst = -1
        let seconds: Int
        if let offsetSeconds {
            seconds = Int(timegm(&parts)) - offsetSeconds
        } else {
            seconds = Int(mktime(&parts))
        }
        guard seconds >= 0 else { return nil }
        return UInt64(seconds) * 1_000_000
    }

    private static func startOfLocalDay(_ now: UInt64, offsetDays: Int) -> UInt64 {
        var seconds = time_t(now / 1_000_000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        parts.tm_mday += Int32(offsetDays)
        parts.tm_isdst = -1
        return UInt64(max(0, Int(mktime(&parts)))) * 1_000_000
    }
}

/// A time that `TimeSpecification` cannot read.
public struct TimeSpecificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was given.
    public var text: String

    public var description: String {
        "cannot read the time \"\(text)\": use e.g. \"2026-11-01\", \"2026-11-01 08:00\", \"-7d\", \"-2h\", "
            + "\"yesterday\", \"today\", \"now\" or \"@1700000000\""
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    fileprivate var replacingSpaces: String {
        String(filter { $0 != " " })
    }
}

extension ReplayProgress {
    /// How far a replay is through its span, from 0 to 1, by the time of the entry it reads:
    /// `nil` when the span's end is not known, 0 before the first entry.
    public static func fraction(_ snapshot: Snapshot, span: Span) -> Double? {
        guard let end = span.end else { return nil }
        guard let start = span.start ?? snapshot.first, let position = snapshot.position else { return 0 }
        guard position > start else { return 0 }
        guard end > start, position < end else { return 1 }
        return Double(position - start) / Double(end - start)
    }

    /// The seconds left when `fraction` of the work took `elapsed` seconds, at the same pace;
    /// `nil` until there is something to go by (nothing done, or under half a second spent).
    public static func remaining(fraction: Double, elapsed: Double) -> Double? {
        guard fraction > 0, elapsed >= 0.5 else { return nil }
        if fraction >= 1 { return 0 }
        return elapsed * (1 - fraction) / fraction
    }

    /// The progress line: a bar, the percentage, entries, decisions, what was learned (not in a
    /// dry run), the rate and the ETA, cut to fit `width` columns without wrapping.
    ///
    /// `[#########...........]  45%  812,345 entries  4,321 decisions  4,100 learned  310k/s  ETA 0:03`
    ///
    /// Without a known end (a stream without `--until`) there is no bar, percentage or ETA: the
    /// time of the entry being read stands in for them.
    /// - Parameters:
    ///   - elapsed: seconds since the replay started.
    ///   - width: the terminal's columns; the line takes at most one less, since a line that
    ///     fills the last column wraps on some terminals and `\r` then redraws the wrong line.
    public static func line(
        _ snapshot: Snapshot,
        span: Span,
        elapsed: Double,
        dryRun: Bool,
        width: Int
    ) -> String {
        let available = max(1, width - 1)
        let fraction = fraction(snapshot, span: span)
        var parts = [
            count(snapshot.entries) + " entries",
            count(snapshot.decisions) + (snapshot.decisions == 1 ? " decision" : " decisions"),
        ]
        if !dryRun {
            parts.append(count(snapshot.learned) + " learned")
            if snapshot.failed > 0 { parts.append(count(snapshot.failed) + " failed") }
        }
        if elapsed > 0 { parts.append(rate(Double(snapshot.entries) / elapsed)) }
        if let fraction {
            parts.append("ETA " + (remaining(fraction: fraction, elapsed: elapsed).map(clock) ?? "-:--"))
        } else if let position = snapshot.position {
            parts.append("at " + TimeSpecification.format(position))
        }
        let percent = fraction.map { fraction -> String in
            let text = "\(Int((fraction * 100).rounded(.down)))%"
            return String(repeating: " ", count: max(0, 4 - text.count)) + text
        }
        func text(_ parts: [String]) -> String {
            ((percent.map { [$0] } ?? []) + parts).joined(separator: "  ")
        }
        // Less important parts go first when the terminal is narrow: the ETA, the rate, the rest.
        var kept = parts
        while kept.count > 1 && text(kept).count > available { kept.removeLast() }
        var line = text(kept)
        if line.count > available { line = String(line.prefix(available)) }
        // The bar's width follows the terminal's only, so that it does not jump as numbers grow;
        // where the text leaves it no room, there is none.
        let barWidth = available >= 110 ? 30 : available >= 90 ? 20 : 10
        if let fraction, available >= 70, barWidth + 4 + line.count <= available {
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            line =
                "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
                + "]  " + line
        }
        return line
    }

    /// `1234567` as `1,234,567`.
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// Entries per second, short: `850/s`, `4.1k/s`, `412k/s`, `1.2M/s`.
    public static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond >= 0 else { return "-/s" }
        switch perSecond {
        case ..<1000: return "\(Int(perSecond.rounded()))/s"
        case ..<10_000: return "\((perSecond / 100).rounded() / 10)k/s"
        case ..<999_500: return "\(Int((perSecond / 1000).rounded()))k/s"
        default: return "\((perSecond / 100_000).rounded() / 10)M/s"
        }
    }

    /// Seconds as a clock: `0:05`, `12:31`, `1:02:03`.
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-:--" }
        let whole = Int(max(0, seconds).rounded(.up))
        let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(rest))" : "\(minutes):\(two(rest))"
    }
}

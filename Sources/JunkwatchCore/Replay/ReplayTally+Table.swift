extension ReplayTally {
    /// The summary table, for people: a row per user (the `top` users with the most decisions;
    /// `nil` for all), a total and, with `outcomes`, the learners' records by outcome, per user
    /// and per learner. Aligned in columns, names to the left and numbers to the right; no
    /// trailing newline. Empty when nothing was decided.
    ///
    /// ```
    /// USER                 HAM  SPAM  LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED
    /// alice@example.com      1     3        4                0        0     0       0
    /// ... 2 more users with 3 decisions (--top 0 shows every user)
    ///
    /// TOTAL                  4     6        9                0        0     1       0
    ///
    /// LEARNER                         LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED
    /// rspamd-bayes                          9                0        0     1       0
    /// ```
    /// - Parameter outcomes: whether to show what the learners did (not in a dry run).
    public func table(top: Int?, outcomes: Bool) -> String {
        guard !users.isEmpty else { return "" }
        let ranked = users.sorted { left, right in
            if left.value.decisions != right.value.decisions { return left.value.decisions > right.value.decisions }
            if left.value.outcomes.total != right.value.outcomes.total {
                return left.value.outcomes.total > right.value.outcomes.total
            }
            return left.key < right.key
        }
        let shown = top.map { Array(ranked.prefix(max(0, $0))) } ?? ranked
        let hidden = ranked.dropFirst(shown.count)

        let outcomeHeader = outcomes ? DecisionRecord.Outcome.allCases.map { $0.rawValue.uppercased() } : []
        func cells(_ name: String, _ counts: Counts) -> [String] {
            [Self.oneLine(name), String(counts.ham), String(counts.spam)]
                + (outcomes ? DecisionRecord.Outcome.allCases.map { String(counts.outcomes[$0]) } : [])
        }
        // nil is a line of its own: a gap, and the first gap is where the note on hidden users goes.
        var rows: [[String]?] = [["USER", "HAM", "SPAM"] + outcomeHeader]
        for (user, counts) in shown { rows.append(cells(user, counts)) }
        rows.append(nil)
        rows.append(cells("TOTAL", total))
        if outcomes && !learners.isEmpty {
            rows.append(nil)
            rows.append(["LEARNER", "", ""] + outcomeHeader)
            for (learner, counts) in learners.sorted(by: { $0.key < $1.key }) {
                rows.append(
                    [Self.oneLine(learner.isEmpty ? "(none)" : learner), "", ""]
                        + DecisionRecord.Outcome.allCases.map { String(counts[$0]) }
                )
            }
        }
        var note: String?
        if !hidden.isEmpty {
            let decisions = hidden.reduce(0) { $0 + $1.value.decisions }
            note =
                "... \(hidden.count) more \(hidden.count == 1 ? "user" : "users") with \(decisions) "
                + "\(decisions == 1 ? "decision" : "decisions") (--top 0 shows every user)"
        }

        var widths: [Int] = []
        for case let row? in rows {
            for (index, cell) in row.enumerated() {
                if index == widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        var lines: [String] = []
        for row in rows {
            guard let row else {
                if let text = note {
                    lines.append(text)
                    note = nil
                }
                lines.append("")
                continue
            }
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                line += index == 0 ? cell + padding : padding + cell
                if index < row.count - 1 { line += "  " }
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// A name with control characters as `?`, so the table stays a table.
    private static func oneLine(_ text: String) -> String {
        var bytes: [UInt8] = []
        DecisionRecord.appendClean(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

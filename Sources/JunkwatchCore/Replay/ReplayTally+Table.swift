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
            [PlainText.oneLine(name), String(counts.ham), String(counts.spam)]
                + (outcomes ? DecisionRecord.Outcome.allCases.map { String(counts.outcomes[$0]) } : [])
        }
        // nil is an empty line; the note on hidden users goes just above the first.
        var rows: [[String]?] = [["USER", "HAM", "SPAM"] + outcomeHeader]
        for (user, counts) in shown { rows.append(cells(user, counts)) }
        rows.append(nil)
        rows.append(cells("TOTAL", total))
        if outcomes && !learners.isEmpty {
            rows.append(nil)
            rows.append(["LEARNER", "", ""] + outcomeHeader)
            for (learner, counts) in learners.sorted(by: { $0.key < $1.key }) {
                rows.append(
                    [PlainText.oneLine(learner.isEmpty ? "(none)" : learner), "", ""]
                        + DecisionRecord.Outcome.allCases.map { String(counts[$0]) }
                )
            }
        }
        var notes: [String] = []
        if !hidden.isEmpty {
            let decisions = hidden.reduce(0) { $0 + $1.value.decisions }
            notes.append(
                "... \(PlainText.plural(hidden.count, "more user")) with \(PlainText.plural(decisions, "decision")) "
                    + "(--top 0 shows every user)"
            )
        }
        return PlainText.table(rows, leftColumns: 1, notes: notes).joined(separator: "\n")
    }
}

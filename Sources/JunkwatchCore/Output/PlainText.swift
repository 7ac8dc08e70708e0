/// Text for people, as the reports write it: names kept to one line, counted nouns, and tables
/// aligned in columns.
enum PlainText {
    /// `text` with control characters as `?`, so that a name keeps a line or a table whole.
    static func oneLine(_ text: String) -> String {
        var bytes: [UInt8] = []
        DecisionRecord.appendClean(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `1 record`, `2 records`: `many` when the plural is not `one` + "s", and the count as
    /// `1,234` when `grouped`.
    static func plural(_ count: Int, _ one: String, _ many: String? = nil, grouped: Bool = false) -> String {
        let number = grouped ? ReplayProgress.count(count) : String(count)
        return "\(number) \(count == 1 ? one : many ?? one + "s")"
    }

    /// `rows` aligned in columns two spaces apart: the first `leftColumns` cells of a row (names)
    /// to the left, the rest (numbers) to the right, no trailing spaces. A `nil` row is an empty
    /// line, and `notes` (on rows left out) go before the first of them.
    static func table(_ rows: [[String]?], leftColumns: Int, notes: [String] = []) -> [String] {
        var widths: [Int] = []
        for case let row? in rows {
            for (index, cell) in row.enumerated() {
                if index == widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        var lines: [String] = []
        var notes = notes[...]
        for row in rows {
            guard let row else {
                lines.append(contentsOf: notes)
                notes = []
                lines.append("")
                continue
            }
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                line += index < leftColumns ? cell + padding : padding + cell
                if index < row.count - 1 { line += "  " }
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines
    }
}

import Foundation

/// The cells of a line of a table junkwatch prints: the text between runs of two spaces or more.
public func tableCells(_ line: some StringProtocol) -> [String] {
    line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// A rule's pattern: a Swift Regex with named captures, matched against one log line.
///
/// The Swift Regex is the contract; what it matches, and its captures, are the meaning of the
/// pattern. It is compiled with Unicode-scalar semantics, `.` matching newlines too, and
/// ASCII-only `\d`, `\w` and `\s`, so that a pattern means the same on every line whatever its
/// script. When the pattern stays within the subset `ByteRegex` knows, matching runs there,
/// about fifty times faster, with the same result.
final class LinePattern: Sendable {
    /// The pattern as written.
    let source: String
    /// The names of the groups the pattern captures.
    let captureNames: Set<CaptureName>
    private let regex: RegexBox
    private let fast: ByteRegex?
    /// For every `CaptureName` (by `index`), its group in `fast`, or -1.
    private let fastGroups: [Int]

    /// Whether matching runs on the byte engine rather than Swift Regex.
    var isFast: Bool { fast != nil }

    /// A reason a pattern cannot be used.
    enum Problem: Error, Equatable {
        /// Swift Regex rejected the pattern; the text is its message.
        case doesNotCompile(String)
        /// The pattern names a group that is not one of `CaptureName`.
        case unknownCapture(String)
    }

    init(_ source: String) throws(Problem) {
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(source)
                .matchingSemantics(.unicodeScalar)
                .dotMatchesNewlines()
                .asciiOnlyDigits()
                .asciiOnlyWhitespace()
                .asciiOnlyWordCharacters()
        } catch {
            throw .doesNotCompile(String(describing: error))
        }
        for name in Self.groupNames(in: source) where CaptureName(rawValue: name) == nil {
            throw .unknownCapture(name)
        }
        var names = Set<CaptureName>()
        for name in CaptureName.allCases where regex.contains(captureNamed: name.rawValue) { names.insert(name) }
        // Lower the regex's program now, before the pattern is shared between threads.
        _ = try? regex.firstMatch(in: "")
        self.source = source
        self.captureNames = names
        self.regex = RegexBox(regex)
        let fast = ByteRegex.compile(source)
        // The byte engine must see exactly the groups Swift Regex sees; if not, trust Swift Regex.
        if let fast, Set(fast.names.keys) == Set(names.map(\.rawValue)) {
            self.fast = fast
            self.fastGroups = CaptureName.all.map { fast.names[$0.rawValue] ?? -1 }
        } else {
            self.fast = nil
            self.fastGroups = []
        }
    }

    /// The outcome of matching one line.
    enum Match: Equatable {
        case matched(CaptureRanges)
        case noMatch
        /// The byte engine gave up on a line that needed too many steps.
        case gaveUp
    }

    /// Matches `line`, which must be valid UTF-8; `text` is the same line as a `String`, built
    /// only when Swift Regex is needed.
    func match(_ line: UnsafeBufferPointer<UInt8>, text: () -> String) -> Match {
        guard let fast else { return matchWithRegex(text()) }
        var captures = CaptureRanges()
        let status = fast.firstMatch(in: line) { slots in
            for name in CaptureName.all {
                let group = fastGroups[name.index]
                guard group >= 0 else { continue }
                let start = slots[2 * group]
                let end = slots[2 * group + 1]
                if start >= 0 && end >= start { captures[name] = start..<end }
            }
        }
        switch status {
        case .matched: return .matched(captures)
        case .noMatch: return .noMatch
        case .gaveUp: return .gaveUp
        }
    }

    /// Matches with Swift Regex alone; the tests compare this with the byte engine.
    func matchWithRegex(_ text: String) -> Match {
        guard let found = try? regex.regex.firstMatch(in: text) else { return .noMatch }
        let utf8 = text.utf8
        var captures = CaptureRanges()
        for name in CaptureName.allCases where captureNames.contains(name) {
            guard let range = found.output[name.rawValue]?.range else { continue }
            let start = utf8.distance(from: utf8.startIndex, to: range.lowerBound)
            captures[name] = start..<(start + utf8.distance(from: range.lowerBound, to: range.upperBound))
        }
        return .matched(captures)
    }

    /// Names of the named groups in a pattern, in order: `(?<name>`, `(?P<name>`, `(?'name'`,
    /// outside classes and escapes.
    static func groupNames(in pattern: String) -> [String] {
        let scalars = Array(pattern.unicodeScalars)
        var names: [String] = []
        var index = 0
        var inClass = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                index += 2
                continue
            }
            if inClass {
                if scalar == "]" { inClass = false }
                index += 1
                continue
            }
            if scalar == "[" {
                inClass = true
                // A `]` right after `[` or `[^` is a member, not the end.
                if index + 1 < scalars.count, scalars[index + 1] == "^" { index += 1 }
                if index + 1 < scalars.count, scalars[index + 1] == "]" { index += 1 }
                index += 1
                continue
            }
            if scalar == "(", index + 2 < scalars.count, scalars[index + 1] == "?" {
                var start = index + 2
                var close: Unicode.Scalar = ">"
                if scalars[start] == "P", start + 1 < scalars.count, scalars[start + 1] == "<" { start += 1 }
                if scalars[start] == "'" { close = "'" }
                if scalars[start] == "<" || scalars[start] == "'",
                    start + 1 < scalars.count, scalars[start + 1] != "=", scalars[start + 1] != "!"
                {
                    var end = start + 1
                    while end < scalars.count, scalars[end] != close, scalars[end] != ")" { end += 1 }
                    if end < scalars.count, scalars[end] == close {
                        var name = ""
                        name.unicodeScalars.append(contentsOf: scalars[(start + 1)..<end])
                        names.append(name)
                        index = end + 1
                        continue
                    }
                }
            }
            index += 1
        }
        return names
    }
}

/// The byte ranges of a match's captures; `nil` where the group took no part or does not exist.
struct CaptureRanges: Equatable {
    private var ranges:
        (
            Range<Int>?, Range<Int>?, Range<Int>?, Range<Int>?, Range<Int>?,
            Range<Int>?, Range<Int>?, Range<Int>?, Range<Int>?, Range<Int>?
        ) = (nil, nil, nil, nil, nil, nil, nil, nil, nil, nil)

    subscript(name: CaptureName) -> Range<Int>? {
        get {
            switch name {
            case .service: ranges.0
            case .user: ranges.1
            case .session: ranges.2
            case .pid: ranges.3
            case .source: ranges.4
            case .mailbox: ranges.5
            case .uid: ranges.6
            case .msgid: ranges.7
            case .size: ranges.8
            case .flags: ranges.9
            }
        }
        set {
            switch name {
            case .service: ranges.0 = newValue
            case .user: ranges.1 = newValue
            case .session: ranges.2 = newValue
            case .pid: ranges.3 = newValue
            case .source: ranges.4 = newValue
            case .mailbox: ranges.5 = newValue
            case .uid: ranges.6 = newValue
            case .msgid: ranges.7 = newValue
            case .size: ranges.8 = newValue
            case .flags: ranges.9 = newValue
            }
        }
    }

    static func == (left: CaptureRanges, right: CaptureRanges) -> Bool {
        CaptureName.allCases.allSatisfy { left[$0] == right[$0] }
    }
}

/// A compiled `Regex`, shared between threads.
///
/// `Regex` is not `Sendable` because its output type could hold anything; a compiled regex is
/// immutable, and `LinePattern` lowers its program before sharing it.
final class RegexBox: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>

    init(_ regex: Regex<AnyRegexOutput>) {
        self.regex = regex
    }
}

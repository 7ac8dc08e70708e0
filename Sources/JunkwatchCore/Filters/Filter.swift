public import SystemdJournal

/// A filter: which journal entries to read and how to turn their log lines into `MailEvent`s.
///
/// The declarative counterpart of a fail2ban `filter.d` file, loaded from TOML (see
/// `Filter.init(toml:file:)` for the format). Rules are tried in order; the first whose
/// prefilter occurs in the line and whose pattern matches makes the event.
public struct Filter: Sendable {
    /// The filter's name, by default its file name without `.toml`.
    public var name: String
    /// What the filter reads, for people.
    public var description: String
    /// The journal entries to read.
    public var match: JournalMatch
    /// The journal field that holds the log line.
    public var field: String
    /// The rules, tried in order.
    public var rules: [Rule]
    /// The file the filter was loaded from, when it came from one.
    public var file: String?

    /// Dovecot's entries: what its unit logged, and what was logged under its name from
    /// elsewhere (a `doveadm` run from a shell lands under the caller's unit).
    public static let defaultMatch: JournalMatch = {
        do {
            return try JournalMatch([["_SYSTEMD_UNIT=dovecot.service"], ["SYSLOG_IDENTIFIER=dovecot"]])
        } catch {
            preconditionFailure("the default journal match is valid")
        }
    }()

    /// The field that holds a log line unless a filter says otherwise.
    public static let defaultField = "MESSAGE"

    /// Creates a filter from parts.
    public init(
        name: String,
        description: String = "",
        match: JournalMatch = Filter.defaultMatch,
        field: String = Filter.defaultField,
        rules: [Rule],
        file: String? = nil
    ) {
        self.name = name
        self.description = description
        self.match = match
        self.field = field
        self.rules = rules
        self.file = file
    }
}

extension Filter {
    /// One way a log line becomes an event.
    public final class Rule: Sendable {
        /// The rule's name, unique within its filter.
        public let name: String
        /// The kind of event a match makes.
        public let event: MailEvent.Kind
        /// A literal that every matching line contains, checked before the pattern so that the
        /// many lines of other kinds cost one substring search.
        public let prefilter: String
        let prefilterBytes: [UInt8]
        /// The offset in `prefilterBytes` of the byte to search for first: a rare one.
        let prefilterAnchor: Int
        let pattern: LinePattern

        /// The pattern as written.
        public var patternSource: String { pattern.source }

        /// Whether the pattern runs on junkwatch's own fast matcher rather than Swift Regex.
        public var isFast: Bool { pattern.isFast }

        /// Printable ASCII from the most to the least frequent in dovecot's log lines (counted on
        /// 91 kB of them); bytes not listed are rarer still.
        private static let frequencyOrder = Array(
            ##"e o=idtsmalp0ngcA.r,1uxb<>:29hy7()@B_38L/f56N4DIvzP-+JkMXO'KQRSFGCq$EZHYTUW\wjV!"#%&*;?[]^`{|}~"##.utf8
        )

        /// The offset of the prefilter byte to search for first: the rarest, so that one memchr
        /// skips most of a line that does not contain the prefilter.
        static func rarestByte(in bytes: [UInt8]) -> Int {
            func rank(_ byte: UInt8) -> Int { frequencyOrder.firstIndex(of: byte) ?? frequencyOrder.count }
            return bytes.indices.max { rank(bytes[$0]) < rank(bytes[$1]) } ?? 0
        }

        /// The captures every rule's pattern needs: who did it, with which service, where.
        static let requiredCaptures: [CaptureName] = [.service, .user, .mailbox]

        /// Creates a rule, compiling and checking its pattern.
        /// - Throws: `FilterError` naming the rule and the problem; its `file` is empty, for the
        ///   caller to fill in.
        public init(name: String, event: MailEvent.Kind, prefilter: String, pattern: String) throws(FilterError) {
            func failure(_ key: String, _ problem: String) -> FilterError {
                FilterError(file: "", rule: name, key: key, problem: problem)
            }
            guard !prefilter.isEmpty else { throw failure("prefilter", "must not be empty") }
            guard !pattern.isEmpty else { throw failure("pattern", "must not be empty") }
            let compiled: LinePattern
            do {
                compiled = try LinePattern(pattern)
            } catch {
                switch error {
                case .doesNotCompile(let message):
                    throw failure("pattern", "does not compile: \(message)")
                case .unknownCapture(let capture):
                    let known = CaptureName.allCases.map(\.rawValue).joined(separator: ", ")
                    throw failure("pattern", "unknown capture (?<\(capture)>...); known captures are \(known)")
                }
            }
            var required = Self.requiredCaptures
            if event == .copy { required.append(.source) }
            if event == .flag { required.append(.flags) }
            for capture in required where !compiled.captureNames.contains(capture) {
                throw failure("pattern", "no (?<\(capture.rawValue)>...) capture, which a \(event.rawValue) rule needs")
            }
            self.name = name
            self.event = event
            self.prefilter = prefilter
            self.prefilterBytes = Array(prefilter.utf8)
            self.prefilterAnchor = Self.rarestByte(in: prefilterBytes)
            self.pattern = compiled
        }
    }
}

public import SystemdJournal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension FilterSet {
    /// Reads a journal entry: the filters whose journal match the entry satisfies try their rules
    /// on their field, in order.
    public func parse(_ entry: JournalEntry) -> ParseOutcome {
        var failure: Unmatched = .notSelected
        for filter in engine.filters where filter.match.accepts(entry) {
            guard let line = entry[filter.field] else {
                failure = Self.worse(failure, .noLine(field: filter.field))
                continue
            }
            let outcome = line.withUnsafeBufferPointer {
                Self.parse($0, filter: filter, cursor: entry.cursor, realtime: entry.realtime)
            }
            switch outcome {
            case .event: return outcome
            case .unmatched(let reason): failure = Self.worse(failure, reason)
            }
        }
        return .unmatched(failure)
    }

    /// Reads one log line with every filter's rules, regardless of journal matches: for lines
    /// whose entry was already selected by `journalMatch`, and for `test-filter`.
    public func parse(line: UnsafeRawBufferPointer, cursor: String? = nil, realtime: UInt64? = nil) -> ParseOutcome {
        let bytes = line.bindMemory(to: UInt8.self)
        var failure: Unmatched = .noRule
        for filter in engine.filters {
            let outcome = Self.parse(bytes, filter: filter, cursor: cursor, realtime: realtime)
            switch outcome {
            case .event: return outcome
            case .unmatched(let reason): failure = Self.worse(failure, reason)
            }
        }
        return .unmatched(failure)
    }

    /// Whether `line` can make an event at all: it is not too long and some rule's prefilter
    /// occurs in it, which `parse(line:)` requires before it tries a pattern. A cheap question,
    /// for a reader that wants to skip work (such as fetching the cursor) for lines that cannot.
    func mayMakeEvent(line: UnsafeRawBufferPointer) -> Bool {
        guard line.count <= Self.maximumLineLength else { return false }
        let bytes = line.bindMemory(to: UInt8.self)
        return engine.filters.contains { filter in filter.rules.contains { Self.contains(bytes, $0) } }
    }

    /// Reads one log line given as bytes.
    public func parse(line: [UInt8], cursor: String? = nil, realtime: UInt64? = nil) -> ParseOutcome {
        line.withUnsafeBytes { parse(line: $0, cursor: cursor, realtime: realtime) }
    }

    /// Reads one log line given as text.
    public func parse(line: String, cursor: String? = nil, realtime: UInt64? = nil) -> ParseOutcome {
        parse(line: Array(line.utf8), cursor: cursor, realtime: realtime)
    }

    /// Of two reasons, the one that says more: anything beats "not selected" and "no rule".
    private static func worse(_ current: Unmatched, _ new: Unmatched) -> Unmatched {
        switch current {
        case .notSelected, .noRule, .noLine: new == .notSelected ? current : new
        default: current
        }
    }

    /// Reads `line` with one filter's rules.
    static func parse(
        _ line: UnsafeBufferPointer<UInt8>,
        filter: ParseEngine.CompiledFilter,
        cursor: String?,
        realtime: UInt64?
    ) -> ParseOutcome {
        if line.count > maximumLineLength { return .unmatched(.tooLong(bytes: line.count)) }
        var checked = false
        var failure: Unmatched = .noRule
        for rule in filter.rules {
            guard contains(line, rule) else { continue }
            if !checked {
                // Only lines that pass a prefilter pay for the checks.
                if let problem = lineProblem(line) { return .unmatched(problem) }
                checked = true
            }
            switch rule.pattern.match(line, text: { String(decoding: line, as: UTF8.self) }) {
            case .noMatch:
                continue
            case .gaveUp:
                failure = .tooComplex(filter: filter.name, rule: rule.name)
            case .matched(let ranges):
                let made = event(line, ranges: ranges, rule: rule, filter: filter, cursor: cursor, realtime: realtime)
                switch made {
                case .event: return made
                case .unmatched(let reason): failure = reason
                }
            }
        }
        return .unmatched(failure)
    }

    /// Builds the event from a match's capture ranges.
    private static func event(
        _ line: UnsafeBufferPointer<UInt8>,
        ranges: CaptureRanges,
        rule: Filter.Rule,
        filter: ParseEngine.CompiledFilter,
        cursor: String?,
        realtime: UInt64?
    ) -> ParseOutcome {
        func range(_ name: CaptureName) -> Range<Int>? { ranges[name] }
        func text(_ name: CaptureName) -> String? {
            range(name).map { String(decoding: UnsafeBufferPointer(rebasing: line[$0]), as: UTF8.self) }
        }
        func required(_ name: CaptureName) -> String? {
            guard let value = text(name), !value.isEmpty else { return nil }
            return value
        }
        func number<Number: FixedWidthInteger>(_ name: CaptureName, as: Number.Type) -> Number? {
            guard let range = range(name), !range.isEmpty else { return nil }
            var value: Number = 0
            for byte in line[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Number(byte - UInt8(ascii: "0")))
                if overflow1 || overflow2 { return nil }
                value = sum
            }
            return value
        }
        var missing: CaptureName?
        let service = required(.service)
        let user = required(.user)
        let mailbox = required(.mailbox)
        let source = rule.event == .copy ? required(.source) : nil
        if service == nil { missing = .service }
        if user == nil { missing = missing ?? .user }
        if mailbox == nil { missing = missing ?? .mailbox }
        if rule.event == .copy && source == nil { missing = missing ?? .source }
        guard missing == nil, let service, let user, let mailbox else {
            return .unmatched(.emptyCapture(filter: filter.name, rule: rule.name, capture: missing ?? .user))
        }
        let flags = range(.flags).map { range in
            line[range].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        }
        let session = text(.session).flatMap { $0.isEmpty ? nil : $0 }
        return .event(
            MailEvent(
                kind: rule.event,
                service: service,
                user: user,
                session: session,
                pid: number(.pid, as: Int.self),
                source: source,
                mailbox: mailbox,
                uid: number(.uid, as: UInt32.self),
                msgid: text(.msgid) ?? "",
                size: number(.size, as: Int.self),
                flags: flags,
                cursor: cursor,
                realtime: realtime,
                filter: filter.name,
                rule: rule.name
            )
        )
    }

    /// Whether the rule's prefilter occurs in `line`.
    @inline(__always)
    static func contains(_ line: UnsafeBufferPointer<UInt8>, _ rule: Filter.Rule) -> Bool {
        let needle = rule.prefilterBytes
        let anchor = rule.prefilterAnchor
        guard let base = line.baseAddress, line.count >= needle.count else { return false }
        return needle.withUnsafeBufferPointer { needle in
            guard needle.count > 0 else { return true }
            let anchorByte = Int32(needle[anchor])
            // The anchor byte can sit at offsets anchor ..< count - (needle.count - anchor) + 1.
            var offset = anchor
            let last = line.count - needle.count + anchor
            while offset <= last {
                guard let hit = memchr(base + offset, anchorByte, last - offset + 1) else { return false }
                let position = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                let start = position - anchor
                // Prefilters are short: compare inline, most false hits fail on the first byte.
                var index = 0
                while index < needle.count && base[start + index] == needle[index] { index += 1 }
                if index == needle.count { return true }
                offset = position + 1
            }
            return false
        }
    }

    /// Why a line cannot be matched at all: a NUL byte or invalid UTF-8.
    static func lineProblem(_ line: UnsafeBufferPointer<UInt8>) -> Unmatched? {
        guard let base = line.baseAddress else { return nil }
        if memchr(base, 0, line.count) != nil { return .nulByte }
        var index = 0
        // Eight bytes at a time while they are all ASCII.
        let raw = UnsafeRawPointer(base)
        while index + 8 <= line.count
            && raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
        {
            index += 8
        }
        while index < line.count && line[index] < 0x80 { index += 1 }
        if index == line.count { return nil }
        // Everything before `index` is ASCII, so the rest starts on a scalar boundary.
        if String(validating: UnsafeBufferPointer(rebasing: line[index...]), as: UTF8.self) == nil {
            return .invalidUTF8
        }
        return nil
    }
}

extension ParseEngine {
    /// A filter's journal match with its terms split into fields and values once, not for
    /// every entry it checks.
    struct EntryMatch: Sendable {
        /// A field a group names, with the values it may have.
        struct Term: Sendable {
            let field: String
            var values: [[UInt8]]
        }

        /// The groups, each with its fields in the order first named.
        let groups: [[Term]]

        init(_ match: JournalMatch) {
            groups = match.groups.map { group in
                var terms: [Term] = []
                for term in group {
                    guard let equals = term.firstIndex(of: "=") else { continue }
                    let field = String(term[..<equals])
                    let value = Array(term[term.index(after: equals)...].utf8)
                    if let index = terms.firstIndex(where: { $0.field == field }) {
                        terms[index].values.append(value)
                    } else {
                        terms.append(Term(field: field, values: [value]))
                    }
                }
                return terms
            }
        }

        /// Whether `entry` satisfies the match, by libsystemd's rules: any group; within a group,
        /// every field named, with any of the values given for it.
        func accepts(_ entry: JournalEntry) -> Bool {
            if groups.isEmpty { return true }
            return groups.contains { group in
                group.allSatisfy { term in
                    entry.fields.contains { $0.name == term.field && term.values.contains($0.value) }
                }
            }
        }
    }
}

extension ByteRegex {
    /// Compiles `pattern` for the byte engine, or returns `nil` when it uses anything outside
    /// the subset; the caller then matches with Swift Regex. The pattern is expected to have
    /// compiled with `Regex` already: this does not report syntax errors, it only declines.
    static func compile(_ pattern: String) -> ByteRegex? {
        var parser = Parser(pattern)
        guard let tree = try? parser.parse() else { return nil }
        var compiler = Compiler(names: parser.names)
        compiler.emit(tree)
        compiler.program.append(.match)
        compiler.addFollows()
        let anchored =
            compiler.program.first { if case .save = $0 { false } else { true } }.map {
                if case .assertStart = $0 { true } else { false }
            } ?? false
        return ByteRegex(
            program: compiler.program,
            literals: compiler.literals,
            classes: compiler.classes,
            follows: compiler.follows,
            slotCount: 2 * parser.names.count,
            names: Dictionary(uniqueKeysWithValues: parser.names.enumerated().map { ($1, $0) }),
            anchored: anchored
        )
    }

    /// A parsed pattern.
    indirect enum Node {
        case bytes([UInt8])
        case scalar(ByteClass)
        case concat([Node])
        case alternation([Node])
        case group(Node, name: String?)
        case quantified(Node, min: Int, max: Int?, greedy: Bool)
        case start
        case end

        /// Whether the node can match without consuming anything.
        var nullable: Bool {
            switch self {
            case .bytes(let bytes): bytes.isEmpty
            case .scalar: false
            case .concat(let nodes): nodes.allSatisfy(\.nullable)
            case .alternation(let nodes): nodes.contains(where: \.nullable)
            case .group(let node, _): node.nullable
            case .quantified(let node, let min, _, _): min == 0 || node.nullable
            case .start, .end: true
            }
        }

        var hasNamedGroup: Bool {
            switch self {
            case .bytes, .scalar, .start, .end: false
            case .concat(let nodes), .alternation(let nodes): nodes.contains(where: \.hasNamedGroup)
            case .group(let node, let name): name != nil || node.hasNamedGroup
            case .quantified(let node, _, _, _): node.hasNamedGroup
            }
        }
    }

    /// The reason a pattern is left to Swift Regex.
    struct Unsupported: Error {}

    /// A recursive-descent parser for the subset.
    struct Parser {
        private let scalars: [Unicode.Scalar]
        private var index = 0
        private(set) var names: [String] = []

        /// Upper bound for `{n,m}`, so that expanding a repeat stays small.
        private static let maximumCount = 100

        init(_ pattern: String) {
            scalars = Array(pattern.unicodeScalars)
        }

        mutating func parse() throws(Unsupported) -> Node {
            let node = try parseAlternation()
            guard index == scalars.count else { throw Unsupported() }
            return node
        }

        private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        private mutating func parseAlternation() throws(Unsupported) -> Node {
            var branches = [try parseConcatenation()]
            while current == "|" {
                index += 1
                branches.append(try parseConcatenation())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        private mutating func parseConcatenation() throws(Unsupported) -> Node {
            var items: [Node] = []
            while let scalar = current, scalar != "|", scalar != ")" {
                let atom = try parseAtom()
                items.append(try parseQuantifier(on: atom))
            }
            // Merge runs of literal bytes into one literal.
            var merged: [Node] = []
            for item in items {
                if case .bytes(let next) = item, case .bytes(let previous)? = merged.last {
                    merged[merged.count - 1] = .bytes(previous + next)
                } else {
                    merged.append(item)
                }
            }
            return merged.count == 1 ? merged[0] : .concat(merged)
        }

        private mutating func parseQuantifier(on atom: Node) throws(Unsupported) -> Node {
            guard let scalar = current else { return atom }
            var minimum: Int
            var maximum: Int?
            switch scalar {
            case "*": (minimum, maximum) = (0, nil)
            case "+": (minimum, maximum) = (1, nil)
            case "?": (minimum, maximum) = (0, 1)
            case "{":
                index += 1
                guard let low = parseNumber() else { throw Unsupported() }
                minimum = low
                if current == "," {
                    index += 1
                    maximum = current == "}" ? nil : parseNumber()
                    if maximum == nil && current != "}" { throw Unsupported() }
                } else {
                    maximum = low
                }
                guard current == "}" else { throw Unsupported() }
                if let maximum, maximum < minimum { throw Unsupported() }
                if minimum > Self.maximumCount || (maximum ?? 0) > Self.maximumCount { throw Unsupported() }
            default:
                return atom
            }
            index += 1
            var greedy = true
            if current == "?" {
                greedy = false
                index += 1
            } else if current == "+" {
                throw Unsupported()  // possessive
            }
            if let next = current, "*+?{".unicodeScalars.contains(next) { throw Unsupported() }
            switch atom {
            case .start, .end: throw Unsupported()
            default: break
            }
            if maximum != 1 || minimum > 1 {
                // Captures of repeated groups and empty iterations are where engines differ.
                if atom.hasNamedGroup || atom.nullable { throw Unsupported() }
            }
            return .quantified(atom, min: minimum, max: maximum, greedy: greedy)
        }

        private mutating func parseNumber() -> Int? {
            var value = 0
            var digits = 0
            while let scalar = current, ("0"..."9").contains(scalar) {
                value = value * 10 + Int(scalar.value - 0x30)
                digits += 1
                index += 1
                if value > 10_000 { return nil }
            }
            return digits > 0 ? value : nil
        }

        private mutating func parseAtom() throws(Unsupported) -> Node {
            guard let scalar = current else { throw Unsupported() }
            index += 1
            switch scalar {
            case "(": return try parseGroup()
            case "[": return .scalar(try parseClass())
            case ".": return .scalar(.any)
            case "^": return .start
            case "$": return .end
            case "\\": return try parseEscape()
            case "*", "+", "?", "{", "}", ")", "]": throw Unsupported()
            default: return .bytes(Array(String(scalar).utf8))
            }
        }

        private mutating func parseGroup() throws(Unsupported) -> Node {
            var name: String?
            if current == "?" {
                index += 1
                switch current {
                case ":":
                    index += 1
                case "<":
                    index += 1
                    name = try parseGroupName()
                case "P":
                    index += 1
                    guard current == "<" else { throw Unsupported() }
                    index += 1
                    name = try parseGroupName()
                default:
                    throw Unsupported()  // lookaround, options, atomic groups...
                }
            }
            let body = try parseAlternation()
            guard current == ")" else { throw Unsupported() }
            index += 1
            if let name { names.append(name) }
            return .group(body, name: name)
        }

        private mutating func parseGroupName() throws(Unsupported) -> String {
            var name = ""
            while let scalar = current, scalar != ">" {
                guard scalar.isASCII, scalar.properties.isAlphabetic || scalar == "_" || ("0"..."9").contains(scalar)
                else { throw Unsupported() }
                name.unicodeScalars.append(scalar)
                index += 1
            }
            guard current == ">", let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
                throw Unsupported()
            }
            index += 1
            if names.contains(name) { throw Unsupported() }
            return name
        }

        /// An escape outside a class: a class shorthand, a control character, or escaped punctuation.
        private mutating func parseEscape() throws(Unsupported) -> Node {
            guard let scalar = current else { throw Unsupported() }
            index += 1
            if let set = Self.shorthand(scalar) { return .scalar(set) }
            if let byte = Self.escapedByte(scalar) { return .bytes([byte]) }
            throw Unsupported()
        }

        private static func shorthand(_ scalar: Unicode.Scalar) -> ByteClass? {
            switch scalar {
            case "d": .digit
            case "D": ByteClass.digit.inverted
            case "w": .word
            case "W": ByteClass.word.inverted
            case "s": .space
            case "S": ByteClass.space.inverted
            default: nil
            }
        }

        /// The byte an escape stands for: `\t`, `\n`, `\r`, or an ASCII punctuation mark or space.
        private static func escapedByte(_ scalar: Unicode.Scalar) -> UInt8? {
            switch scalar {
            case "t": return 0x09
            case "n": return 0x0A
            case "r": return 0x0D
            default:
                guard scalar.isASCII, scalar.value >= 0x20, scalar.value < 0x7F,
                    !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar)
                else { return nil }
                return UInt8(scalar.value)
            }
        }

        /// A bracketed class of ASCII members; `[` has been read.
        private mutating func parseClass() throws(Unsupported) -> ByteClass {
            var negated = false
            if current == "^" {
                negated = true
                index += 1
            }
            var set = ByteClass()
            var first = true
            while let scalar = current, scalar != "]" || first {
                // `[]...]`, nested classes, set operations and POSIX names are left to Swift Regex.
                if scalar == "]" || scalar == "[" { throw Unsupported() }
                if scalar == "&" || scalar == "~" || (scalar == "-" && peek(1) == "-") { throw Unsupported() }
                first = false
                index += 1
                var low: UInt8
                if scalar == "\\" {
                    guard let escaped = current else { throw Unsupported() }
                    index += 1
                    if let shorthand = Self.shorthand(escaped) {
                        set.formUnion(shorthand)
                        continue
                    }
                    guard let byte = Self.escapedByte(escaped) else { throw Unsupported() }
                    low = byte
                } else {
                    guard scalar.isASCII else { throw Unsupported() }
                    low = UInt8(scalar.value)
                }
                if current == "-", let upper = peek(1), upper != "]" {
                    index += 2
                    guard upper.isASCII, upper != "\\", upper != "[", UInt8(upper.value) >= low else {
                        throw Unsupported()
                    }
                    set.insert(low...UInt8(upper.value))
                } else {
                    set.insert(low)
                }
            }
            guard current == "]", !first else { throw Unsupported() }
            index += 1
            return negated ? set.inverted : set
        }

        private func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
    }

    /// Turns a parsed pattern into instructions.
    struct Compiler {
        var program: [Instruction] = []
        var literals: [UInt8] = []
        var classes: [ByteClass] = []
        var follows: [Follow] = []
        let groups: [String: Int]

        init(names: [String]) {
            groups = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        }

        mutating func emit(_ node: Node) {
            switch node {
            case .bytes(let bytes):
                guard !bytes.isEmpty else { return }
                program.append(.literal(start: Int32(literals.count), count: Int32(bytes.count)))
                literals.append(contentsOf: bytes)
            case .scalar(let set):
                program.append(.scalar(set: classIndex(set)))
            case .concat(let nodes):
                for node in nodes { emit(node) }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (offset, branch) in branches.enumerated() {
                    if offset == branches.count - 1 {
                        emit(branch)
                        break
                    }
                    let split = program.count
                    program.append(.jump(-1))
                    emit(branch)
                    jumps.append(program.count)
                    program.append(.jump(-1))
                    program[split] = .split(
                        prefer: Int32(split + 1),
                        other: Int32(program.count),
                        preferFollow: -1,
                        otherFollow: -1
                    )
                }
                for jump in jumps { program[jump] = .jump(Int32(program.count)) }
            case .group(let body, let name):
                guard let name, let group = groups[name] else { return emit(body) }
                program.append(.save(slot: Int32(2 * group)))
                emit(body)
                program.append(.save(slot: Int32(2 * group + 1)))
            case .quantified(let body, let minimum, let maximum, let greedy):
                emitRepeat(body, minimum: minimum, maximum: maximum, greedy: greedy)
            case .start:
                program.append(.assertStart)
            case .end:
                program.append(.assertEnd)
            }
        }

        private mutating func emitRepeat(_ body: Node, minimum: Int, maximum: Int?, greedy: Bool) {
            if maximum == nil, let set = Self.singleScalarClass(body) {
                program.append(.repeatClass(set: classIndex(set), min: Int32(minimum), greedy: greedy, follow: -1))
                return
            }
            for _ in 0..<minimum { emit(body) }
            if let maximum {
                var skips: [Int] = []
                for _ in minimum..<maximum {
                    skips.append(program.count)
                    program.append(.jump(-1))
                    emit(body)
                }
                let end = Int32(program.count)
                for skip in skips {
                    let body = Int32(skip + 1)
                    program[skip] = Self.split(greedy ? body : end, greedy ? end : body)
                }
            } else {
                let loop = program.count
                program.append(.jump(-1))
                emit(body)
                program.append(.jump(Int32(loop)))
                let end = Int32(program.count)
                let body = Int32(loop + 1)
                program[loop] = Self.split(greedy ? body : end, greedy ? end : body)
            }
        }

        private static func split(_ prefer: Int32, _ other: Int32) -> Instruction {
            .split(prefer: prefer, other: other, preferFollow: -1, otherFollow: -1)
        }

        private mutating func classIndex(_ set: ByteClass) -> Int32 {
            if let index = classes.firstIndex(of: set) { return Int32(index) }
            classes.append(set)
            return Int32(classes.count - 1)
        }

        private static func singleScalarClass(_ node: Node) -> ByteClass? {
            switch node {
            case .scalar(let set): return set
            case .bytes(let bytes) where bytes.count == 1 && bytes[0] < 0x80: return ByteClass(ascii: bytes)
            case .group(let inner, nil): return singleScalarClass(inner)
            default: return nil
            }
        }

        /// Works out, for every repeat and both branches of every split, what the continuation can
        /// start with.
        mutating func addFollows() {
            for pc in program.indices {
                switch program[pc] {
                case .repeatClass(let set, let minimum, let greedy, _):
                    let follow = addFollow(from: pc + 1)
                    program[pc] = .repeatClass(set: set, min: minimum, greedy: greedy, follow: follow)
                case .split(let prefer, let other, _, _):
                    let preferFollow = addFollow(from: Int(prefer))
                    let otherFollow = addFollow(from: Int(other))
                    program[pc] = .split(
                        prefer: prefer,
                        other: other,
                        preferFollow: preferFollow,
                        otherFollow: otherFollow
                    )
                default:
                    continue
                }
            }
        }

        private mutating func addFollow(from pc: Int) -> Int32 {
            var visited = Set<Int>()
            follows.append(first(from: pc, visited: &visited))
            return Int32(follows.count - 1)
        }

        /// What a match starting at `pc` can begin with; an over-estimate where unsure.
        private func first(from pc: Int, visited: inout Set<Int>) -> Follow {
            // A loop back to an instruction already explored adds nothing new.
            guard visited.insert(pc).inserted else { return Follow(first: ByteClass(), canEnd: false, anything: false) }
            switch program[pc] {
            case .save: return first(from: pc + 1, visited: &visited)
            case .jump(let target): return first(from: Int(target), visited: &visited)
            case .split(let prefer, let other, _, _):
                let left = first(from: Int(prefer), visited: &visited)
                let right = first(from: Int(other), visited: &visited)
                var union = left.first
                union.formUnion(right.first)
                return Follow(
                    first: union,
                    canEnd: left.canEnd || right.canEnd,
                    anything: left.anything || right.anything
                )
            case .literal(let start, _):
                let byte = literals[Int(start)]
                // A class holds non-ASCII scalars only as a whole: over-estimate a non-ASCII literal.
                let set = byte < 0x80 ? ByteClass(ascii: [byte]) : ByteClass(nonASCII: true)
                return Follow(first: set, canEnd: false, anything: false)
            case .scalar(let set):
                return Follow(first: classes[Int(set)], canEnd: false, anything: false)
            case .repeatClass(let set, let minimum, _, _):
                guard minimum == 0 else { return Follow(first: classes[Int(set)], canEnd: false, anything: false) }
                var rest = first(from: pc + 1, visited: &visited)
                rest.first.formUnion(classes[Int(set)])
                return rest
            case .assertEnd:
                return Follow(first: ByteClass(), canEnd: true, anything: false)
            case .assertStart, .match:
                return .unknown
            }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension ByteRegex {
    /// What one attempt to match a line gave.
    enum Status: Equatable {
        case matched
        case noMatch
        /// The line took more steps than the budget allows; it counts as unmatched.
        case gaveUp
    }

    /// A point to come back to when the path taken fails.
    struct Frame {
        enum Kind: UInt8 {
            /// Resume at `pc` with `position` (the other branch of a split).
            case resume
            /// Put capture slot `pc` back to `position`.
            case restore
            /// A greedy repeat at `pc` ended at `position`; try shorter, down to `low`.
            case greedy
            /// A lazy repeat at `pc` ended at `position`; try longer.
            case lazy
        }

        var kind: Kind
        var pc: Int
        var position: Int
        var low: Int
    }

    /// Frames kept on the stack before any spill to the heap: plenty for a dovecot line.
    private static let inlineFrames = 128

    /// Finds the leftmost match in `text`, which must be valid UTF-8, as Swift Regex's
    /// `firstMatch(in:)` would, and on a match calls `found` with the capture slots: start and
    /// end byte offsets of every named group, -1 where the group took no part.
    func firstMatch(in text: UnsafeBufferPointer<UInt8>, _ found: (UnsafeBufferPointer<Int>) -> Void) -> Status {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(slotCount, 1)) { slots in
            withUnsafeTemporaryAllocation(of: Frame.self, capacity: Self.inlineFrames) { frames in
                slots.initialize(repeating: -1)
                var machine = Machine(
                    program: UnsafeBufferPointer(programTable),
                    literals: UnsafeBufferPointer(literalTable),
                    classes: UnsafeBufferPointer(classTable),
                    follows: UnsafeBufferPointer(followTable),
                    text: text,
                    slots: slots,
                    stack: FrameStack(frames)
                )
                defer { machine.stack.release() }
                return search(&machine, found)
            }
        }
    }

    /// Tries each start position (only 0 when anchored) until a match.
    private func search(_ machine: inout Machine, _ found: (UnsafeBufferPointer<Int>) -> Void) -> Status {
        let text = machine.text
        var budget = 1_000 + text.count * Self.stepsPerByte
        var start = 0
        while start <= text.count {
            switch machine.run(from: start, budget: &budget) {
            case true?:
                found(UnsafeBufferPointer(machine.slots))
                return .matched
            case nil:
                return .gaveUp
            case false?:
                break
            }
            if anchored { break }
            start += 1
            while start < text.count && text[start] & 0xC0 == 0x80 { start += 1 }
        }
        return .noMatch
    }

    /// A stack of frames that starts in a caller's buffer and moves to the heap if it must grow.
    struct FrameStack {
        private var base: UnsafeMutablePointer<Frame>
        private var capacity: Int
        private var onHeap = false
        private(set) var count = 0

        init(_ buffer: UnsafeMutableBufferPointer<Frame>) {
            base = buffer.baseAddress!
            capacity = buffer.count
        }

        @inline(__always)
        mutating func push(_ frame: Frame) {
            if count == capacity { grow() }
            base[count] = frame
            count += 1
        }

        @inline(__always)
        mutating func pop() -> Frame? {
            guard count > 0 else { return nil }
            count -= 1
            return base[count]
        }

        private mutating func grow() {
            let bigger = UnsafeMutablePointer<Frame>.allocate(capacity: capacity * 2)
            bigger.initialize(from: base, count: count)
            if onHeap { base.deallocate() }
            base = bigger
            capacity *= 2
            onHeap = true
        }

        func release() {
            if onHeap { base.deallocate() }
        }
    }

    /// The machine's view of one line. Positions are byte offsets that always fall on scalar
    /// boundaries: literals are whole scalars, and classes step over whole scalars.
    struct Machine {
        let program: UnsafeBufferPointer<Instruction>
        let literals: UnsafeBufferPointer<UInt8>
        let classes: UnsafeBufferPointer<ByteClass>
        let follows: UnsafeBufferPointer<Follow>
        let text: UnsafeBufferPointer<UInt8>
        let slots: UnsafeMutableBufferPointer<Int>
        var stack: FrameStack

        /// The position after the scalar at `position` when that scalar is in `set`.
        @inline(__always)
        func step(_ set: ByteClass, _ position: Int) -> Int? {
            guard position < text.count else { return nil }
            let byte = text[position]
            guard set.contains(byte) else { return nil }
            let length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
            return min(position + length, text.count)
        }

        /// Whether the continuation described by `follow` could start at `position`.
        @inline(__always)
        func couldContinue(_ follow: Follow, at position: Int) -> Bool {
            if follow.anything { return true }
            if position == text.count { return follow.canEnd }
            return follow.first.contains(text[position])
        }

        /// The longest end of a greedy repeat, at or before `end` and not before `low`, where the
        /// continuation could start.
        @inline(__always)
        func greedyCandidate(end: Int, low: Int, follow: Follow, budget: inout Int) -> Int? {
            var candidate = end
            while true {
                if couldContinue(follow, at: candidate) { return candidate }
                if candidate <= low { return nil }
                candidate -= 1
                while candidate > low && text[candidate] & 0xC0 == 0x80 { candidate -= 1 }
                budget -= 1
            }
        }

        /// The shortest end of a lazy repeat, at or after `from`, reachable through `set`, where the
        /// continuation could start.
        @inline(__always)
        func lazyCandidate(from: Int, set: ByteClass, follow: Follow, budget: inout Int) -> Int? {
            if follow.anything { return from }
            if set == .any, let byte = follow.first.singleByte {
                // The common case (`.*?` then a literal): let memchr find the next candidate.
                guard from < text.count, let base = text.baseAddress,
                    let hit = memchr(base + from, Int32(byte), text.count - from)
                else { return follow.canEnd ? text.count : nil }
                let position = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                budget -= (position - from) >> 4
                return position
            }
            var position = from
            while true {
                if couldContinue(follow, at: position) { return position }
                guard let after = step(set, position) else { return nil }
                position = after
                budget -= 1
            }
        }

        /// Runs the program from `start`: `true` on a match (captures in `slots`), `false` when no
        /// match starts there, `nil` when the budget ran out.
        mutating func run(from start: Int, budget: inout Int) -> Bool? {
            var pc = 0
            var position = start
            while true {
                budget -= 1
                if budget < 0 { return nil }
                var advanced = true
                switch program[pc] {
                case .literal(let offset, let count):
                    let count = Int(count)
                    if position + count <= text.count && matches(offset: Int(offset), count: count, at: position) {
                        position += count
                        pc += 1
                    } else {
                        advanced = false
                    }
                case .scalar(let set):
                    if let after = step(classes[Int(set)], position) {
                        position = after
                        pc += 1
                    } else {
                        advanced = false
                    }
                case .split(let prefer, let other, let preferFollow, let otherFollow):
                    // A branch that cannot start here would only fail: skip it without a frame.
                    if !couldContinue(follows[Int(preferFollow)], at: position) {
                        pc = Int(other)
                    } else if !couldContinue(follows[Int(otherFollow)], at: position) {
                        pc = Int(prefer)
                    } else {
                        stack.push(Frame(kind: .resume, pc: Int(other), position: position, low: 0))
                        pc = Int(prefer)
                    }
                case .jump(let target):
                    pc = Int(target)
                case .save(let slot):
                    let slot = Int(slot)
                    stack.push(Frame(kind: .restore, pc: slot, position: slots[slot], low: 0))
                    slots[slot] = position
                    pc += 1
                case .assertStart:
                    if position == 0 { pc += 1 } else { advanced = false }
                case .assertEnd:
                    if position == text.count { pc += 1 } else { advanced = false }
                case .repeatClass(let setIndex, let minimum, let greedy, let followIndex):
                    let set = classes[Int(setIndex)]
                    var reached: Int? = position
                    for _ in 0..<minimum {
                        guard let current = reached else { break }
                        reached = step(set, current)
                    }
                    guard let low = reached else {
                        advanced = false
                        break
                    }
                    let follow = follows[Int(followIndex)]
                    let candidate: Int?
                    if greedy {
                        var end = low
                        while let after = step(set, end) { end = after }
                        budget -= (end - low) >> 4
                        candidate = greedyCandidate(end: end, low: low, follow: follow, budget: &budget)
                    } else {
                        candidate = lazyCandidate(from: low, set: set, follow: follow, budget: &budget)
                    }
                    if let candidate {
                        stack.push(Frame(kind: greedy ? .greedy : .lazy, pc: pc, position: candidate, low: low))
                        position = candidate
                        pc += 1
                    } else {
                        advanced = false
                    }
                case .match:
                    return true
                }
                if advanced { continue }
                guard backtrack(pc: &pc, position: &position, budget: &budget) else {
                    return budget < 0 ? nil : false
                }
            }
        }

        /// Pops frames until one offers another path; `false` when none is left.
        private mutating func backtrack(pc: inout Int, position: inout Int, budget: inout Int) -> Bool {
            while let frame = stack.pop() {
                budget -= 1
                switch frame.kind {
                case .restore:
                    slots[frame.pc] = frame.position
                case .resume:
                    pc = frame.pc
                    position = frame.position
                    return true
                case .greedy:
                    guard frame.position > frame.low,
                        case .repeatClass(_, _, _, let followIndex) = program[frame.pc]
                    else { continue }
                    var shorter = frame.position - 1
                    while shorter > frame.low && text[shorter] & 0xC0 == 0x80 { shorter -= 1 }
                    guard
                        let candidate = greedyCandidate(
                            end: shorter,
                            low: frame.low,
                            follow: follows[Int(followIndex)],
                            budget: &budget
                        )
                    else { continue }
                    stack.push(Frame(kind: .greedy, pc: frame.pc, position: candidate, low: frame.low))
                    pc = frame.pc + 1
                    position = candidate
                    return true
                case .lazy:
                    guard case .repeatClass(let setIndex, _, _, let followIndex) = program[frame.pc],
                        let longer = step(classes[Int(setIndex)], frame.position),
                        let candidate = lazyCandidate(
                            from: longer,
                            set: classes[Int(setIndex)],
                            follow: follows[Int(followIndex)],
                            budget: &budget
                        )
                    else { continue }
                    stack.push(Frame(kind: .lazy, pc: frame.pc, position: candidate, low: frame.low))
                    pc = frame.pc + 1
                    position = candidate
                    return true
                }
            }
            return false
        }

        @inline(__always)
        private func matches(offset: Int, count: Int, at position: Int) -> Bool {
            var index = 0
            while index < count {
                if text[position + index] != literals[offset + index] { return false }
                index += 1
            }
            return true
        }
    }
}

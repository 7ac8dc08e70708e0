import DequeModule

/// The low-watermark of finished journal entries: the cursor up to which every entry has been
/// dealt with, when several are in flight at once.
///
/// Entries are opened in journal order; a decision finishes whenever its learners are done, in any
/// order. The watermark is the cursor of the last entry of the finished prefix: resuming after it
/// redoes no finished prefix and skips nothing unfinished. Not thread-safe: the pipeline guards it.
struct Watermark {
    /// An open entry's place in line.
    typealias Ticket = UInt64

    private struct Slot {
        var ticket: Ticket
        var cursor: String?
        var finished: Bool
    }

    private var slots: Deque<Slot> = []
    private var nextTicket: Ticket = 0
    /// The cursor everything up to which is finished, if it moved since it was last taken.
    private var advanced: String?

    /// Opens an entry that something still has to finish (a decision).
    mutating func open(cursor: String?) -> Ticket {
        defer { nextTicket += 1 }
        slots.append(Slot(ticket: nextTicket, cursor: cursor, finished: false))
        return nextTicket
    }

    /// Passes entries that needed no work, up to and including `cursor`.
    mutating func pass(cursor: String) {
        if slots.isEmpty {
            advanced = cursor
            return
        }
        // Consecutive passed entries behind an open one need only the last cursor.
        if let last = slots.last, last.finished {
            slots[slots.count - 1].cursor = cursor
        } else {
            slots.append(Slot(ticket: nextTicket, cursor: cursor, finished: true))
            nextTicket += 1
        }
    }

    /// Finishes an open entry.
    mutating func finish(_ ticket: Ticket) {
        guard let first = slots.first, ticket >= first.ticket else { return }
        // Tickets are handed out in order and slots only leave from the front, but passed
        // entries share slots: find the slot by search from the front.
        if let index = slots.firstIndex(where: { $0.ticket == ticket }) {
            slots[index].finished = true
        }
        while let front = slots.first, front.finished {
            slots.removeFirst()
            if let cursor = front.cursor { advanced = cursor }
        }
    }

    /// The watermark's cursor if it moved since the last call; `nil` if it did not.
    mutating func takeAdvance() -> String? {
        defer { advanced = nil }
        return advanced
    }

    /// Entries open or waiting behind an open one.
    var pending: Int { slots.count }
}

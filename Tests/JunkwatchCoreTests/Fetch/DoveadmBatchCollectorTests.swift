import Testing

@testable import JunkwatchCore

@Suite("DoveadmBatchCollector")
struct DoveadmBatchCollectorTests {
    /// Feeds `output` in chunks of `chunkSize` bytes; returns the collector and how many bytes
    /// were offered before it asked to stop.
    func collect(
        _ output: [UInt8],
        wanted: Set<UInt32>,
        limit: Int = 1000,
        budget: Int = 10_000,
        chunkSize: Int
    ) -> (DoveadmBatchCollector, offered: Int) {
        var collector = DoveadmBatchCollector(limit: limit, budget: budget, wanted: wanted)
        var offset = 0
        while offset < output.count {
            let end = min(offset + chunkSize, output.count)
            let goOn = output[offset..<end].withUnsafeBytes { collector.append($0) }
            offset = end
            if !goOn { break }
        }
        return (collector, offset)
    }

    /// doveadm's output for these messages, as doveadm 2.3 prints it.
    func output(_ messages: [(uid: UInt32, text: [UInt8])], sizes: [UInt32: Int] = [:]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, message) in messages.enumerated() {
            if index > 0 { bytes += Array("\u{0C}\n".utf8) }
            let size = sizes[message.uid] ?? message.text.count
            bytes += Array("uid: \(message.uid)\nsize.physical: \(size)\ntext:\n".utf8) + message.text
        }
        return bytes
    }

    /// A message that contains doveadm's separator and field lines itself.
    let tricky = Array("Subject: a\n\nbody\n\u{0C}\nuid: 9\nsize.physical: 3\ntext:\nend\n".utf8)
    let plain = Array("Subject: b\n\nplain".utf8)

    @Test("messages are cut by their sizes, whatever they contain, at any chunk boundary", arguments: [1, 2, 5, 13, 64, 4096])
    func cutsBySize(chunkSize: Int) {
        let bytes = output([(3, tricky), (4, []), (7, plain)])
        let (collector, offered) = collect(bytes, wanted: [3, 4, 7, 9], chunkSize: chunkSize)
        #expect(collector.problem == nil)
        #expect(collector.isComplete)
        #expect(offered == bytes.count)
        #expect(collector.parts == [3: .message(tricky), 4: .message([]), 7: .message(plain)])
    }

    @Test("no output at all is complete and finds nothing")
    func empty() {
        let (collector, _) = collect([], wanted: [1], chunkSize: 10)
        #expect(collector.isComplete)
        #expect(collector.parts.isEmpty)
    }

    @Test("a message over the limit is skipped unread and the next one still read", arguments: [1, 7, 4096])
    func tooLarge(chunkSize: Int) {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 300)
        let (collector, _) = collect(output([(1, big), (2, plain)]), wanted: [1, 2], limit: 100, chunkSize: chunkSize)
        #expect(collector.problem == nil)
        #expect(collector.isComplete)
        #expect(collector.parts == [1: .tooLarge(size: 300), 2: .message(plain)])
    }

    @Test("when the last message asked for is over the limit, reading stops before its text")
    func tooLargeStopsAtOnce() {
        let output = Array("uid: 4\nsize.physical: 30000000\ntext:\n".utf8) + [UInt8](repeating: 65, count: 10_000)
        let (collector, offered) = collect(output, wanted: [4], limit: 1_000_000, chunkSize: 4096)
        #expect(collector.parts == [4: .tooLarge(size: 30_000_000)])
        #expect(collector.isComplete)
        #expect(offered == 4096, "stopped after the first chunk")
    }

    @Test("a message exactly at the limit is read")
    func exactlyAtLimit() {
        let body = [UInt8](repeating: 66, count: 100)
        let (collector, _) = collect(output([(1, body)]), wanted: [1], limit: 100, budget: 100, chunkSize: 33)
        #expect(collector.parts == [1: .message(body)])
        #expect(collector.isComplete)
    }

    @Test("output that is not doveadm's is reported, not taken for a message")
    func notDoveadms() {
        let (error, _) = collect(Array("Error: something\n".utf8), wanted: [1], chunkSize: 100)
        #expect(error.problem?.contains("Error: something") == true)
        let (endless, _) = collect([UInt8](repeating: 65, count: 2000), wanted: [1], chunkSize: 100)
        #expect(endless.problem != nil)
        #expect(!endless.isComplete)
    }

    @Test("past the budget, reading stops and the messages before stand")
    func budget() {
        let body = [UInt8](repeating: UInt8(ascii: "y"), count: 60)
        let bytes = output([(1, body), (2, body), (3, body)])
        let (collector, offered) = collect(bytes, wanted: [1, 2, 3], budget: 150, chunkSize: 16)
        #expect(collector.overBudget)
        #expect(collector.problem == nil)
        #expect(collector.parts == [1: .message(body), 2: .message(body)])
        #expect(offered < bytes.count)
    }

    @Test("a size that does not match the text makes the whole output untrusted")
    func sizeMismatch() {
        // Claims 5 bytes for a longer message: the separator is not where it should be.
        let bytes = output([(1, plain), (2, plain)], sizes: [1: 5])
        let (collector, _) = collect(bytes, wanted: [1, 2], chunkSize: 3)
        #expect(collector.problem != nil)
        #expect(collector.parts.isEmpty)
    }

    @Test("a UID that was not asked for, or twice, is not trusted")
    func unexpectedUID() {
        let (stranger, _) = collect(output([(1, plain), (5, plain)]), wanted: [1, 2], chunkSize: 8)
        #expect(stranger.problem != nil)
        #expect(stranger.parts.isEmpty)
        let (twice, _) = collect(output([(1, plain), (1, plain)]), wanted: [1, 2], chunkSize: 8)
        #expect(twice.problem != nil)
    }

    @Test("output cut inside a message is not complete")
    func cut() {
        let bytes = output([(1, plain), (2, tricky)])
        let (collector, _) = collect(Array(bytes.dropLast(4)), wanted: [1, 2], chunkSize: 9)
        #expect(!collector.isComplete)
    }

    @Test("fields in another order or missing are not trusted")
    func missingFields() {
        let noSize = Array("uid: 1\ntext:\nabc".utf8)
        #expect(collect(noSize, wanted: [1], chunkSize: 4).0.problem != nil)
        let sizeFirst = Array("size.physical: 3\nuid: 1\ntext:\nabc".utf8)
        #expect(collect(sizeFirst, wanted: [1], chunkSize: 4).0.problem != nil)
    }
}

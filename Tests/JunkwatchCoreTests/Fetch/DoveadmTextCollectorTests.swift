import Testing

@testable import JunkwatchCore

@Suite("DoveadmTextCollector")
struct DoveadmTextCollectorTests {
    /// Feeds `output` in chunks of `chunkSize` bytes; returns the outcome and how many bytes
    /// were offered before the collector asked to stop.
    func collect(_ output: [UInt8], limit: Int, chunkSize: Int) -> (DoveadmTextCollector.Outcome, offered: Int) {
        var collector = DoveadmTextCollector(limit: limit)
        var offset = 0
        while offset < output.count {
            let end = min(offset + chunkSize, output.count)
            let goOn = output[offset..<end].withUnsafeBytes { collector.append($0) }
            offset = end
            if !goOn { break }
        }
        return (collector.outcome, offset)
    }

    let message = Array("From: a@example.org\ntext: not doveadm's\nSubject: x\n\ntext:\nsize.physical: 3\nbody\n".utf8)

    @Test("only the first text: line is doveadm's, at any chunk boundary", arguments: [1, 2, 7, 19, 20, 21, 4096])
    func stripsOnlyTheFirstLine(chunkSize: Int) {
        let output = Array("size.physical: \(message.count)\ntext:\n".utf8) + message
        let (outcome, _) = collect(output, limit: 1000, chunkSize: chunkSize)
        #expect(outcome == .message(message))
    }

    @Test("a message without a final newline keeps its last byte")
    func noFinalNewline() {
        let body = Array("Subject: x\n\nend".utf8)
        let (outcome, _) = collect(Array("size.physical: 15\ntext:\n".utf8) + body, limit: 100, chunkSize: 5)
        #expect(outcome == .message(body))
    }

    @Test("output without size.physical is accepted")
    func withoutSize() {
        let (outcome, _) = collect(Array("text:\n".utf8) + message, limit: 1000, chunkSize: 3)
        #expect(outcome == .message(message))
    }

    @Test("no output means no such message")
    func empty() {
        #expect(DoveadmTextCollector(limit: 10).outcome == .empty)
    }

    @Test("a reported size over the limit stops reading before the message")
    func tooLargeBySize() {
        let output = Array("size.physical: 30000000\ntext:\n".utf8) + [UInt8](repeating: 65, count: 10_000)
        let (outcome, offered) = collect(output, limit: 1_000_000, chunkSize: 4096)
        #expect(outcome == .tooLarge(size: 30_000_000))
        #expect(offered == 4096, "stopped after the first chunk")
    }

    @Test("without a size, reading stops once the limit is passed")
    func tooLargeByCount() {
        let output = Array("text:\n".utf8) + [UInt8](repeating: 65, count: 10_000)
        let (outcome, offered) = collect(output, limit: 5000, chunkSize: 1000)
        #expect(outcome == .tooLarge(size: 5994))
        #expect(offered < output.count)
    }

    @Test("a message exactly at the limit is fetched")
    func exactlyAtLimit() {
        let body = [UInt8](repeating: 66, count: 100)
        let (outcome, _) = collect(Array("size.physical: 100\ntext:\n".utf8) + body, limit: 100, chunkSize: 33)
        #expect(outcome == .message(body))
    }

    @Test("output that is not doveadm's is reported, not taken for a message")
    func malformed() {
        let (outcome, _) = collect(Array("Error: something\n".utf8), limit: 100, chunkSize: 100)
        guard case .malformed(let why) = outcome else {
            Issue.record("expected malformed, got \(outcome)")
            return
        }
        #expect(why.contains("Error: something"))
        let (long, _) = collect([UInt8](repeating: 65, count: 2000), limit: 100, chunkSize: 100)
        guard case .malformed = long else {
            Issue.record("expected malformed, got \(long)")
            return
        }
    }
}

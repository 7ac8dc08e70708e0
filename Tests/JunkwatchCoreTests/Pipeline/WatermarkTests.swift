@testable import JunkwatchCore
import Testing

@Suite("Watermark")
struct WatermarkTests {
    @Test("the watermark moves over the finished prefix only, passed entries included")
    func prefix() {
        var watermark = Watermark()
        let first = watermark.open(cursor: "a")
        let second = watermark.open(cursor: "b")
        watermark.pass(cursor: "c")
        watermark.pass(cursor: "d")
        let third = watermark.open(cursor: "e")
        #expect(watermark.takeAdvance() == nil)
        watermark.finish(second)
        #expect(watermark.takeAdvance() == nil)
        watermark.finish(first)
        #expect(watermark.takeAdvance() == "d")
        #expect(watermark.takeAdvance() == nil)
        watermark.finish(third)
        #expect(watermark.takeAdvance() == "e")
        #expect(watermark.pending == 0)
    }

    @Test("with nothing open, a passed entry is the watermark at once")
    func passAlone() {
        var watermark = Watermark()
        watermark.pass(cursor: "x")
        #expect(watermark.takeAdvance() == "x")
    }

    @Test("an entry without a cursor (plain lines) keeps the cursor where it was")
    func noCursor() {
        var watermark = Watermark()
        watermark.pass(cursor: "a")
        _ = watermark.takeAdvance()
        let line = watermark.open(cursor: nil)
        watermark.finish(line)
        #expect(watermark.takeAdvance() == nil)
    }

    @Test("finishing a ticket twice, or an old one, changes nothing")
    func idempotent() {
        var watermark = Watermark()
        let ticket = watermark.open(cursor: "a")
        watermark.finish(ticket)
        #expect(watermark.takeAdvance() == "a")
        watermark.finish(ticket)
        #expect(watermark.takeAdvance() == nil)
    }
}

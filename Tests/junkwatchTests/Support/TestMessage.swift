import Foundation
import TestSupport

/// A generated mail message: a Message-ID of its own and a text body of words no other message
/// has in that order, so that rspamd learns each one (it answers "already learned" for the same
/// text twice) and its fuzzy hash is its own.
struct TestMessage: Sendable {
    let messageID: String
    let bytes: [UInt8]

    private static let vocabulary = """
        account address agenda answer archive budget calendar change client contract customer \
        delivery deadline discount document draft estimate evening invoice journey kitchen ledger \
        meeting morning notice number office order package payment picture planning printer \
        project quarter question receipt record report request review schedule season service \
        shipment statement storage summary supplier support ticket transfer update vacation \
        voucher warehouse weather weekend window winter yellow garden holiday lantern marble \
        meadow orchard pebble quartz ribbon saddle timber velvet walnut harbor island valley
        """.split(separator: " ").map(String.init)

    /// A message of about `size` bytes, at least a couple of kilobytes of text.
    init(label: String, to user: String, size: Int = 2500, spam: Bool = false) {
        let id = "<\(Testbed.unique(label))@test.invalid>"
        var header = ""
        header += "From: \(spam ? "winner@lottery.invalid" : "colleague@example.org")\n"
        header += "To: <\(user)>\n"
        header += "Subject: \(spam ? "You have won" : "Notes on the") \(label)\n"
        header += "Date: Fri, 21 Nov 2025 08:00:00 +0000\n"
        header += "Message-ID: \(id)\n"
        header += "MIME-Version: 1.0\n"
        header += "Content-Type: text/plain; charset=utf-8\n\n"
        // Random words up to 64 KB; a larger message repeats that block (30 MB in a moment).
        var generator = SystemRandomNumberGenerator()
        var body = ""
        var words = 0
        while header.utf8.count + body.utf8.count < min(size, 65536) {
            body += Self.vocabulary.randomElement(using: &generator)!
            words += 1
            body += words % 12 == 0 ? ".\n" : " "
        }
        body += "\n"
        let block = Array(body.utf8)
        var bytes = Array(header.utf8) + block
        while bytes.count < size { bytes += block }
        messageID = id
        self.bytes = bytes
    }
}

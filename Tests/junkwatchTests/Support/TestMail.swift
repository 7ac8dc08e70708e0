import TestSupport

/// Mail for the service tests, made here rather than by the testbed's IMAP driver: hundreds of
/// messages in milliseconds instead of a Python start each.
///
/// Each message is plain English sentences with nouns picked by a seeded generator, so that every
/// message has its own Bayes tokens (rspamd counts a message it has seen as "already learned",
/// so two messages with the same words would be learned once) and rspamd's language detection
/// stays stable (on word salad its guess changes between requests, and so would the tokens: a
/// relearn after a crash must be recognised as the same message). Lines end in LF, as in the
/// mbox file they are imported from.
struct TestMail: Sendable {
    let messageID: String
    let text: String

    /// As the replay tests' messages, for ``Testbed/stage(_:user:mailbox:)``.
    var message: TestMessage { TestMessage(messageID: messageID, bytes: Array(text.utf8)) }

    private static let sentences = [
        "Please find attached the {} for the {} we discussed last week.",
        "I think we should move the {} to {} because the {} is not ready yet.",
        "Could you send me the latest version of the {} before the {} starts?",
        "We will need to check the {} with the {} team and then update the {}.",
        "Thanks again for your help with the {} and the {}, it was really useful.",
        "The {} arrived this morning, but the {} is still missing from the {}.",
        "Let me know if the {} works for you, otherwise we can talk about the {} on {}.",
        "I have added a few notes about the {} and the {} to the shared {}.",
        "Our {} has asked whether the {} could be ready by {}.",
        "If the {} is late again, we should call the {} and ask about the {}.",
    ]
    private static let nouns = """
        account agenda agreement airport analysis answer apartment appointment archive article \
        assistant attachment audit balance banner basket battery bicycle birthday booking bottle \
        branch breakfast bridge briefing budget bulletin cabinet calendar camera campaign \
        candidate capacity catalogue certificate chapter charity checklist circuit climate clinic \
        coffee collection committee concert contract cottage council courier credit customer \
        dashboard deadline delivery deposit design diagram dinner district document drawer editor \
        election engine envelope estimate evening exhibition expense factory feedback festival \
        finance flight forecast furniture gallery garage garden grocery harbour harvest headline \
        holiday hospital hotel invoice journey kitchen laptop laundry lecture library license \
        luggage lunch magazine manager manual market meeting membership minutes monitor museum \
        network notebook office package painting parcel parking passport payment pension planner \
        portfolio postcard printer procedure project proposal quarter railway receipt recipe \
        refund reminder rental report request reservation restaurant review schedule seminar \
        server shipment signature software spreadsheet statement storage student summary \
        supplier survey tablet teacher template ticket timetable training transfer uniform \
        upgrade vacation vendor voucher wallet warehouse website weekend workshop
        """.split(separator: " ").map(String.init)

    /// A message to `user` with `messageID`, its words chosen by `seed`.
    init(messageID: String, user: String, seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        self.messageID = messageID
        var paragraphs: [String] = ["Hello,"]
        var length = 0
        while length < 1500 {
            var sentences: [String] = []
            for _ in 0..<Int.random(in: 3...5, using: &random) {
                let template = Self.sentences.randomElement(using: &random)!
                var sentence = ""
                for piece in template.split(separator: "{}", omittingEmptySubsequences: false).enumerated() {
                    if piece.offset > 0 { sentence += Self.nouns.randomElement(using: &random)! }
                    sentence += piece.element
                }
                sentences.append(sentence)
            }
            let paragraph = Self.wrap(sentences.joined(separator: " "))
            length += paragraph.utf8.count
            paragraphs.append(paragraph)
        }
        paragraphs.append("Regards,\nsender")
        let subject = "About the \(Self.nouns.randomElement(using: &random)!) \(Self.nouns.randomElement(using: &random)!)"
        text = """
            From: sender@example.org
            To: \(user)
            Subject: \(subject)
            Date: Sat, 21 Nov 2026 08:00:00 +0000
            Message-ID: \(messageID)
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 8bit

            \(paragraphs.joined(separator: "\n\n"))

            """
    }

    private static func wrap(_ text: String, width: Int = 72) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(word)
            } else {
                line += line.isEmpty ? String(word) : " " + word
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}

extension TestMessage {
    /// A message of given bytes.
    init(messageID: String, bytes: [UInt8]) {
        self.messageID = messageID
        self.bytes = bytes
    }
}

import Testing

@testable import JunkwatchCore

@Suite("MessageLocator")
struct MessageLocatorTests {
    @Test("a whole Message-ID is searched as is")
    func whole() throws {
        let key = try #require(
            MessageLocator(user: "u", mailbox: "INBOX", uid: 1, messageID: " <m1@x> ").messageIDSearchKey
        )
        #expect(key.text == "<m1@x>")
        #expect(!key.isPrefix)
    }

    @Test("a Message-ID that dovecot cut to 80 characters is searched by its prefix")
    func cut() throws {
        let logged = "<" + String(repeating: "a", count: 76) + "..."
        let key = try #require(
            MessageLocator(user: "u", mailbox: "INBOX", uid: 1, messageID: logged).messageIDSearchKey
        )
        #expect(key.text == "<" + String(repeating: "a", count: 76))
        #expect(key.isPrefix)
    }

    @Test("no Message-ID, an empty one, or only dots: nothing to search for", arguments: [nil, "", "  ", "..."])
    func none(messageID: String?) {
        #expect(MessageLocator(user: "u", mailbox: "INBOX", uid: 1, messageID: messageID).messageIDSearchKey == nil)
    }
}

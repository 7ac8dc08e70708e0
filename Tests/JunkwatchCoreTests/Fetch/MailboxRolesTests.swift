import JunkwatchCore
import Testing

@Suite("MailboxRoles")
struct MailboxRolesTests {
    let roles = MailboxRoles.default

    @Test(
        "junk names match case-insensitively and below a hierarchy separator",
        arguments: ["Junk", "junk", "Spam", "INBOX/Junk", "INBOX.Junk", "Junk E-mail"]
    )
    func junk(name: String) {
        #expect(roles.isJunk(name))
        #expect(roles.fits(name, .spam))
        #expect(!roles.fits(name, .ham))
    }

    @Test("trash is neither a home for ham nor for spam", arguments: ["Trash", "Deleted Items", "INBOX.Trash"])
    func trash(name: String) {
        #expect(roles.isTrash(name))
        #expect(!roles.fits(name, .ham))
        #expect(!roles.fits(name, .spam))
    }

    @Test("other mailboxes are homes for ham", arguments: ["INBOX", "Spam, Reports", "Ablage ä", "Archive/2024"])
    func other(name: String) {
        #expect(roles.fits(name, .ham))
        #expect(!roles.fits(name, .spam))
    }
}

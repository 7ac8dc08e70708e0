import JunkwatchCore
import Testing

@Suite("MailboxRoles")
struct MailboxRolesTests {
    let roles = MailboxRoles.default

    @Test(
        "junk names match case-insensitively, as the classifier's defaults list them",
        arguments: ["Junk", "junk", "Spam", "INBOX/Junk", "INBOX.Junk", "inbox.spam", "Junk E-mail"]
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

    @Test(
        "other mailboxes are homes for ham",
        arguments: ["INBOX", "Spam, Reports", "Ablage ä", "Archive/2024", "Archive/Junk", "Work.Trash"]
    )
    func other(name: String) {
        #expect(roles.fits(name, .ham))
        #expect(!roles.fits(name, .spam))
        #expect(!roles.isJunk(name))
        #expect(!roles.isTrash(name))
    }

    @Test("the defaults are the classifier's")
    func defaults() {
        #expect(
            roles
                == MailboxRoles(
                    junk: Classifier.Settings.defaultJunkMailboxes,
                    trash: Classifier.Settings.defaultTrashMailboxes
                )
        )
        let classifier = Classifier()
        for name in Classifier.Settings.defaultJunkMailboxes + Classifier.Settings.defaultTrashMailboxes
            + ["Archive/Junk", "INBOX/Bulk Mail", "Papierkorb"]
        {
            #expect(roles.isJunk(name) == classifier.isJunk(name), "\(name)")
            #expect(roles.isTrash(name) == classifier.isTrash(name), "\(name)")
        }
    }

    @Test("configured names replace the defaults, and match only as a whole")
    func configured() {
        let roles = MailboxRoles(junk: ["Archive/Junk", "Müll"], trash: ["Corbeille"])
        #expect(roles.isJunk("archive/junk"))
        #expect(roles.isJunk("MÜLL"))
        #expect(!roles.isJunk("Junk"))
        #expect(!roles.isJunk("Archive/Junk/Old"))
        #expect(!roles.isJunk("Old/Archive/Junk"))
        #expect(roles.isTrash("corbeille"))
        #expect(!roles.isTrash("Trash"))
        #expect(roles.fits("Trash", .ham))
    }
}

import Foundation
import JunkwatchCore
import TestSupport
import Testing

/// SpamAssassinLearner with the real sa-learn (SpamAssassin 4.0), one file database per user.
@Suite("SpamAssassinLearner (real sa-learn)", .needsTestbed)
struct SpamAssassinIntegrationTests {
    let testbed: TestbedEnvironment
    let imap: TestbedIMAP

    init() throws {
        testbed = try TestbedEnvironment.current()
        imap = TestbedIMAP(testbed: testbed)
    }

    /// A fresh database root and HOME under the testbed's SpamAssassin directory.
    func learner(_ label: String) throws -> (SpamAssassinLearner, root: String, home: String) {
        let base = testbed.spamAssassinRoot + "/" + TestbedEnvironment.unique(label)
        let root = base + "/db"
        let home = base + "/home"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let path = try SpamAssassinDatabasePath(root: root, template: "%d/%l/bayes")
        return (SpamAssassinLearner(configuration: .init(database: .perUserPath(path), home: home)), root, home)
    }

    func files(under directory: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var found: [String] = []
        while let next = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + next, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                found.append(next)
            }
        }
        return found.sorted()
    }

    @Test("learned, then already learned, and the database exists only under that user's directory")
    func perUserDatabase() async throws {
        let (learner, root, home) = try learner("sa")
        let user = "alice@example.com"
        let id = "<\(TestbedEnvironment.unique("sa"))@test.invalid>"
        let message = Array(try await imap.message(messageID: id))
        let locator = MessageLocator(user: user, mailbox: "Junk", uid: 1, messageID: id)

        let first = await learner.learn(message, as: .spam, locator: locator, reversal: false)
        #expect(first.outcome == .learned, "\(first)")
        let second = await learner.learn(message, as: .spam, locator: locator, reversal: false)
        #expect(second.outcome == .alreadyLearned, "\(second)")

        let databaseFiles = files(under: root)
        #expect(databaseFiles.contains("example.com/alice/bayes_toks"))
        #expect(databaseFiles.contains("example.com/alice/bayes_seen"))
        #expect(databaseFiles.allSatisfy { $0.hasPrefix("example.com/alice/") }, "\(databaseFiles)")
        #expect(!files(under: home).contains { $0.contains("bayes") }, "nothing learned into HOME")
    }

    @Test("a user named x$(reboot)@example.com gets an escaped directory, and nothing runs")
    func shellUser() async throws {
        let (learner, root, _) = try learner("sa-reboot")
        let id = "<\(TestbedEnvironment.unique("sa-reboot"))@test.invalid>"
        let message = Array(try await imap.message(messageID: id))
        let locator = MessageLocator(user: "x$(reboot)@example.com", mailbox: "Junk", uid: 1, messageID: id)
        let outcome = await learner.learn(message, as: .ham, locator: locator, reversal: false)
        #expect(outcome.outcome == .learned, "\(outcome)")
        #expect(files(under: root).contains("example.com/x%24%28reboot%29/bayes_toks"))
    }
}

import JunkwatchCore
import Testing

@Suite("BayesScope")
struct BayesScopeTests {
    @Test("Deliver-To per scope")
    func deliverTo() throws {
        #expect(try BayesScope.user.deliverTo(for: "x$(reboot)@example.com") == "x$(reboot)@example.com")
        #expect(try BayesScope.domain.deliverTo(for: "alice@example.com") == "example.com")
        #expect(try BayesScope.domain.deliverTo(for: "a@b@example.org") == "example.org")
        #expect(try BayesScope.domain.deliverTo(for: "root") == "root")
        #expect(try BayesScope.domain.deliverTo(for: "root@") == "root@")
        #expect(try BayesScope.global.deliverTo(for: "alice@example.com") == nil)
    }

    @Test(
        "a value with a control character cannot go into the header",
        arguments: [(BayesScope.user, "alice\r\nPassword: x"), (.domain, "alice@exa\nmple.com"), (.user, "a\u{7F}")]
    )
    func headerInjection(scope: BayesScope, user: String) {
        #expect(throws: StageError.self) { try scope.deliverTo(for: user) }
        do {
            _ = try scope.deliverTo(for: user)
        } catch {
            #expect(error.kind == .permanent)
        }
    }

    @Test("global scope sends no header, whatever the user")
    func globalNeverThrows() throws {
        #expect(try BayesScope.global.deliverTo(for: "alice\r\n") == nil)
    }
}

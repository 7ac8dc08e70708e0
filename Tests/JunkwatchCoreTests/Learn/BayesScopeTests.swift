import JunkwatchCore
import Testing

@Suite("BayesScope")
struct BayesScopeTests {
    @Test("Deliver-To per scope")
    func deliverTo() {
        #expect(BayesScope.user.deliverTo(for: "x$(reboot)@example.com") == "x$(reboot)@example.com")
        #expect(BayesScope.domain.deliverTo(for: "alice@example.com") == "example.com")
        #expect(BayesScope.domain.deliverTo(for: "a@b@example.org") == "example.org")
        #expect(BayesScope.domain.deliverTo(for: "root") == "root")
        #expect(BayesScope.global.deliverTo(for: "alice@example.com") == nil)
    }
}

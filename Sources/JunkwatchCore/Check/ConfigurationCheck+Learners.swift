extension ConfigurationCheck {
    /// Asks each learner the configuration enables whether it can work (``Learner/check()``):
    /// rspamd's controller answers `/stat` with the password, rspamc and sa-learn can be run.
    func checkLearners(_ configuration: Configuration) async -> [CheckItem] {
        let learners: [any Learner]
        do {
            learners = try configuration.learners()
        } catch {
            return [
                CheckItem(
                    .fail,
                    "learners",
                    "\(configurationPath): \(error.description)",
                    fix: "set rspamd.enabled or spamassassin.enabled in \(configurationPath)"
                )
            ]
        }
        return await checkLearners(learners, configuration: configuration)
    }

    /// Asks each of `learners` whether it can work; `configuration` names the settings to fix.
    public func checkLearners(_ learners: [any Learner], configuration: Configuration) async -> [CheckItem] {
        var items: [CheckItem] = []
        for learner in learners {
            let subject = "learner \(learner.name)"
            let spamAssassin = learner.name == "spamassassin"
            let what =
                spamAssassin
                ? "\(configuration.spamAssassin.saLearn) can run"
                : configuration.rspamd.client == .rspamc && learner.name == "rspamc"
                    ? "\(configuration.rspamd.rspamcPath) can run"
                    : "rspamd's controller at \(configuration.rspamd.url) answers"
                        + (configuration.rspamd.password == .none ? "" : ", password accepted")
            guard let problem = await learner.check() else {
                items.append(CheckItem(.ok, subject, what))
                continue
            }
            let section = spamAssassin ? "[spamassassin]" : "[rspamd]"
            let fix: String
            switch problem.kind {
            case .transient:
                fix =
                    spamAssassin
                    ? "check \(section) in \(configurationPath)"
                    : "start rspamd, or set rspamd.url in \(configurationPath) to its controller (port 11334 by default)"
            case .configuration, .permanent:
                if !spamAssassin, problem.message.contains("password") {
                    fix =
                        "rspamd.password_file (or password_credential) in \(configurationPath) must hold the "
                        + "controller's password (the password of rspamd's worker-controller)"
                } else {
                    fix = "correct the \(section) setting the message names in \(configurationPath)"
                }
            }
            items.append(CheckItem(.fail, subject, problem.message, fix: fix))
        }
        return items
    }
}

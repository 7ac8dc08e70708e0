import Foundation

/// The stages a configuration asks for.
extension Configuration {
    /// Why a replay or a service cannot run with this configuration.
    public struct StagesError: Error, Sendable, CustomStringConvertible {
        /// What is wrong, naming the setting.
        public var description: String
    }

    /// The fetch stage: `doveadm` as `[doveadm]` says.
    public func fetcher() -> DoveadmFetcher {
        DoveadmFetcher(
            configuration: DoveadmFetcher.Configuration(
                doveadmPath: doveadm.path,
                configFile: doveadm.configFile,
                timeout: .seconds(doveadm.timeout),
                sizeLimit: doveadm.maxMessageSize,
                mailboxRoles: MailboxRoles(junk: classify.junkMailboxes, trash: classify.trashMailboxes)
            )
        )
    }

    /// The pipeline as `[pipeline]` and `state.dedupe_days` say, with the service's defaults
    /// otherwise (retries without end, the cursor saved, latency measured): a caller changes only
    /// what differs for it.
    public func pipelineSettings() -> JunkwatchCore.Pipeline.Settings {
        JunkwatchCore.Pipeline.Settings(
            usersInFlight: pipeline.usersInFlight,
            queueCapacity: pipeline.queue,
            batch: pipeline.batch,
            retry: RetryPolicy(
                initialDelay: .seconds(pipeline.retryInitial),
                maximumDelay: .seconds(pipeline.retryMax)
            ),
            dedupeWindow: TimeInterval(state.dedupeDays) * 86400
        )
    }

    /// The learners `[rspamd]` and `[spamassassin]` enable, in that order.
    /// - Parameter bulk: whether rspamd learns are marked `Learn-Type: bulk` (a replay, with
    ///   `rspamd.replay_bulk`).
    /// - Throws: ``StagesError`` when no learner is enabled, or a setting cannot be used.
    public func learners(bulk: Bool = false) throws(StagesError) -> [any Learner] {
        var learners: [any Learner] = []
        if rspamd.enabled {
            let controller = RspamdController(
                configuration: RspamdController.Configuration(
                    url: rspamd.url,
                    password: rspamd.password,
                    timeout: .seconds(rspamd.timeout)
                )
            )
            if rspamd.bayes {
                switch rspamd.client {
                case .http:
                    learners.append(RspamdLearner(controller: controller, scope: rspamd.bayesScope, bulk: bulk))
                case .rspamc:
                    learners.append(
                        RspamcLearner(
                            configuration: RspamcLearner.Configuration(
                                rspamcPath: rspamd.rspamcPath,
                                connect: Self.hostAndPort(of: rspamd.url),
                                password: rspamd.password,
                                scope: rspamd.bayesScope,
                                bulk: bulk,
                                timeout: .seconds(rspamd.timeout)
                            )
                        )
                    )
                }
            }
            if rspamd.fuzzy {
                learners.append(RspamdFuzzyLearner(controller: controller, spam: rspamd.fuzzySpam, ham: rspamd.fuzzyHam))
            }
        }
        if spamAssassin.enabled {
            let database: SpamAssassinLearner.Database
            switch spamAssassin.database {
            case .perUser:
                let root = spamAssassin.databaseRoot ?? state.directory + "/spamassassin"
                do {
                    database = .perUserPath(
                        try SpamAssassinDatabasePath(root: root, template: spamAssassin.databaseTemplate)
                    )
                } catch {
                    throw StagesError(description: "spamassassin.database_root: \(error.message)")
                }
            case .username: database = .username
            case .shared: database = .shared
            }
            learners.append(
                SpamAssassinLearner(
                    configuration: SpamAssassinLearner.Configuration(
                        saLearnPath: spamAssassin.saLearn,
                        database: database,
                        home: state.directory,
                        timeout: .seconds(spamAssassin.timeout)
                    )
                )
            )
        }
        guard !learners.isEmpty else {
            throw StagesError(
                description: "no learner is enabled: set rspamd.enabled or spamassassin.enabled to true"
            )
        }
        return learners
    }

    /// `host:port` of an http URL, for `rspamc --connect`.
    static func hostAndPort(of url: String) -> String? {
        var rest = Substring(url)
        for scheme in ["http://", "https://"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
        }
        let authority = rest.prefix { $0 != "/" }
        return authority.isEmpty ? nil : String(authority)
    }
}

import SystemdJournal

extension ConfigurationCheck {
    /// The most entries the journal check reads; a busier day is reported as "at least".
    static let journalEntryLimit = 1_000_000

    /// Reads the last day of `source` with the filters' match: how many entries, how many of them
    /// mail events the filters read, and how many would teach something.
    ///
    /// No entry is a warning, not a failure (a quiet server, or a new one), with what to look
    /// at: whether dovecot logs to this journal, and whether junkwatch's user may read it.
    /// Entries but no events is a warning about `mail_log` and the filter.
    static func checkJournal(
        _ source: JournalReader.Source,
        filters: FilterSet,
        settings: Classifier.Settings,
        now: UInt64
    ) -> CheckItem {
        let place = source.place
        let match = filters.journalMatch
        let dayAgo = now > 86_400_000_000 ? now - 86_400_000_000 : 0
        var entries = 0
        var events = 0
        var verdicts = 0
        do {
            var classifier = Classifier(settings: settings)
            var scanner = EntryScanner(input: .journal(source, since: dayAgo), filters: filters)
            try scanner.run { scanned in
                entries += 1
                if case .event(let event) = scanned.outcome {
                    events += 1
                    if classifier.classify(event).verdict != nil { verdicts += 1 }
                }
                return entries < journalEntryLimit
            }
        } catch {
            return CheckItem(
                .fail,
                "journal",
                "cannot read \(place): \(error)",
                fix: "check journal.source (and path or namespace); junkwatch's user needs to be in the "
                    + "systemd-journal group to read the system journal"
            )
        }
        let atLeast = entries >= journalEntryLimit ? "at least " : ""
        let dovecotEntries = atLeast + PlainText.plural(entries, "dovecot entry", "dovecot entries", grouped: true)
        if entries == 0 {
            var newest = ""
            if let reader = try? JournalReader(source), (try? reader.apply(match)) != nil,
                (try? reader.seekTail()) != nil, let last = try? reader.realtime()
            {
                newest = "; the newest is from \(TimeSpecification.format(last))"
            }
            return CheckItem(
                .warn,
                "journal",
                "no entry of \(match.description) in \(place) in the last day\(newest)",
                fix: "nothing to learn from yet: does dovecot log to this journal (journalctl -u dovecot)? "
                    + "Is junkwatch's user in the systemd-journal group? Do the filters' match fit your dovecot unit?"
            )
        }
        if events == 0 {
            return CheckItem(
                .warn,
                "journal",
                "\(dovecotEntries) (\(match.description)) in \(place) "
                    + "in the last day, none a mail_log event the filters read",
                fix: "turn on dovecot's mail_log (mail_plugins = $mail_plugins mail_log notify, mail_log_events = "
                    + "copy save expunge flag_change, mail_log_fields = uid box msgid size flags), and choose the "
                    + "filter for your dovecot version in filters.enabled; `junkwatch test-filter --since -1d` "
                    + "shows what the filters make of the lines"
            )
        }
        return CheckItem(
            .ok,
            "journal",
            "\(place): \(dovecotEntries) in the last day, \(PlainText.plural(events, "mail event", grouped: true)), "
                + "\(ReplayProgress.count(verdicts)) to learn from"
        )
    }

}

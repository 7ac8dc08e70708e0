// The bare reader that benchmarks compare junkwatch with: opens a journal, applies a match and
// reads MESSAGE and the cursor of every matching entry, as a minimal sd_journal program would.
//
// usage: journal-read-bench [--directory DIR] [--match FIELD=value]... [--print]
import SystemdJournal

#if canImport(Glibc)
import Glibc
#endif

let output = fdopen(1, "w")
let errors = fdopen(2, "w")
var source = JournalReader.Source.local
var terms: [String] = []
var printMessages = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--directory": source = .directory(arguments.popFirst() ?? "")
    case "--match": terms.append(arguments.popFirst() ?? "")
    case "--print": printMessages = true
    default:
        fputs("usage: journal-read-bench [--directory DIR] [--match FIELD=value]... [--print]\n", errors)
        exit(2)
    }
}

do {
    let reader = try JournalReader(source)
    try reader.apply(JournalMatch(terms.isEmpty ? [] : [terms]))
    try reader.seekHead()
    var entries = 0
    var bytes = 0
    while try reader.next() {
        let cursor = try reader.cursor()
        try reader.withValue(of: "MESSAGE") { message in
            guard let message else { return }
            bytes += message.count
            if printMessages {
                fwrite(message.baseAddress, 1, message.count, output)
                fputc(0x0a, output)
            }
        }
        bytes += cursor.utf8.count
        entries += 1
    }
    fflush(output)
    fputs("\(entries) entries, \(bytes) bytes of MESSAGE and cursor\n", errors)
} catch {
    fputs("journal-read-bench: \(error)\n", errors)
    exit(1)
}

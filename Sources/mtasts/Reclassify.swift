// `mtasts reclassify`: recompute statuses and findings of a stored scan from its stored evidence,
// after a classifier rule changed. No network.
import ArgumentParser
import MTASTSCore
import MTASTSReport
import MTASTSStore

extension SenderProfile: ExpressibleByArgument {}

struct ReclassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reclassify",
        abstract: "Recompute the verdicts of a stored scan from its stored evidence.",
        discussion: """
        Rows without evidence (invalid-input, excluded) keep their status. Each batch of rows is \
        one transaction: an interrupted run leaves every row either old or new, never half. The \
        outcome of each policy fetch and SMTP probe is judged again from its stored raw facts \
        (scans by mtasts with evidence format 2). With --timeout, a step that took longer than \
        that is judged as the timeout a scan with that --timeout would have met: the verdicts \
        become those of the shorter timeout (run again without --timeout to go back). With \
        --profile P, nothing of the verdicts changes: each domain's outcome for sender profile P \
        (docs/PROFILES.md: rfc, postfix-mta-sts-resolver, postfix-tlspol, checkdmarc) is computed \
        from the stored evidence with the profile's own timeouts and stored in the table \
        profile_outcomes, and the domains whose mail that sender would refuse are printed.
        """
    )

    @Option(help: ArgumentHelp("The SQLite database written by `mtasts scan`.", valueName: "FILE"))
    var db: String

    @Option(help: ArgumentHelp("The scan to reclassify; default the newest.", valueName: "ID"))
    var scan: Int64?

    @Option(help: ArgumentHelp("Judge as a scan with this shorter --timeout would have (seconds).", valueName: "S"))
    var timeout: Double?

    @Option(help: ArgumentHelp("Store the outcome of this sender profile instead of reclassifying: \(SenderProfile.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "P"))
    var profile: SenderProfile?

    func validate() throws {
        if profile != nil && timeout != nil {
            throw ValidationError("--profile applies the profile's own timeouts; leave out --timeout")
        }
        // As `scan --timeout` takes it.
        if let timeout, !(timeout > 0 && timeout <= 600) {
            throw ValidationError("--timeout must be between 0 and 600 seconds")
        }
    }

    func run() throws {
        try Console.reportingFailures(of: "reclassify") {
            let store = try ScanStore(path: db, create: false)
            let id = try store.resolveScan(scan)
            if let profile {
                let r = try store.storeProfileOutcomes(scanID: id, profile: profile)
                var rows: [[Cell]] = []
                try store.storedProfileOutcomes(scanID: id, profile: profile) { domain, outcome, reasons, _ in
                    if outcome == DeliveryOutcome.defers.rawValue { rows.append([.text(domain), .text(reasons.joined(separator: " "))]) }
                }
                let out = try OutputFile("-")
                try out.write(Table(name: "sender_refusals_\(profile.rawValue)",
                                    title: "Domains whose mail \(profile.rawValue) would refuse: \(rows.count)",
                                    columns: ["domain", "reasons"], rows: rows).text)
                try out.close()
                let counts = DeliveryOutcome.allCases.map { "\(r.counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
                Console.error("mtasts reclassify: scan \(id): profile \(profile.rawValue) stored for \(r.domains) domains: \(counts)")
                return
            }
            let r = try store.reclassify(scanID: id, timeoutMillis: timeout.map { Int($0 * 1000) })
            let asIf = timeout.map { " (as if --timeout \($0))" } ?? ""
            Console.error("mtasts reclassify: scan \(id): \(r.reclassified) domains reclassified\(asIf), \(r.changed) changed")
        }
    }
}

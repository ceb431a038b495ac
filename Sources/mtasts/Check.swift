// `mtasts check DOMAIN`: one domain, explained for a person, step by step.
import ArgumentParser
import Foundation
import MTASTSCore
import MTASTSNet
import MTASTSScan
import MTASTSStore

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan one domain and explain each step: what was seen, each finding, its RFC section and the fix.",
        discussion: "Example: mtasts check example.com --contact https://example.org/scan-info")

    @Argument(help: "The domain to check.")
    var domain: String

    @OptionGroup var network: NetworkOptions

    @Flag(help: "Print the same object as one line of `mtasts export --format jsonl`.")
    var json = false

    func run() async throws {
        guard let name = DomainName.normalise(domain) else {
            throw ValidationError("'\(domain)' is not a domain name")
        }
        let config = try network.netConfig()
        let loop: EventLoop
        do { loop = try EventLoop(config: config) } catch { Console.error("mtasts check: \(error)"); throw ExitCode(ExitStatus.failure) }
        defer { loop.shutdown() }
        let options = network.scanOptions(scanTime: Int64(Date().timeIntervalSince1970))
        let scanner = DomainScanner(loop: loop, options: options,
                                    probes: ProbeCache(loop: loop, port: options.smtpPort, perAddressConcurrency: options.perAddressConcurrency,
                                perAddressRate: options.perAddressRate,
                                perAddressBackoff: options.perAddressBackoff, sniProbe: !network.noSNIProbe))
        let evidence = await scanner.scan(name)
        let verdict = Classifier.classify(evidence)
        if json {
            // The same builder as `export`, so the line is identical to the exported one.
            let record = DomainRecord(lineNo: 1, input: domain, rank: nil, domain: name, evidence: evidence, verdict: verdict)
            print(ExportRow(record: record).jsonLine)
        } else {
            print(CheckReport.text(evidence: evidence, verdict: verdict), terminator: "")
        }
    }
}

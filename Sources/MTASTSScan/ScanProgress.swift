// Counters shared by the scan loop and the once-a-second status line on stderr.
import Foundation
import MTASTSCore

public final class ScanProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private var byStatus: [DomainStatus: Int] = [:]
    private var byMode: [PolicyMode: Int] = [:]
    private var inFlight = 0
    private var inputFraction: Double?
    private let started = Date()
    private var lastDone = 0
    private var lastTime = Date()
    private var abandonedAtStop = 0

    public init() {}

    func started(_ n: Int = 1) { lock.withLock { inFlight += n } }

    func finished(_ v: Verdict, wasInFlight: Bool) {
        lock.withLock {
            done += 1
            if wasInFlight { inFlight -= 1 }
            byStatus[v.status, default: 0] += 1
            if let m = v.mode { byMode[m, default: 0] += 1 }
        }
    }

    func input(fraction: Double?) { lock.withLock { inputFraction = fraction } }

    /// Domains still in flight when a stop request's grace ran out: not stored, so --resume
    /// scans them again.
    func abandoned(_ n: Int) { lock.withLock { abandonedAtStop = n } }

    public var elapsed: TimeInterval { Date().timeIntervalSince(started) }

    /// "12000 done  2400/s  in flight 1000  valid 12  no-record 9000 ...  ETA 3m"
    public func statusLine() -> String {
        lock.withLock {
            let now = Date()
            let dt = now.timeIntervalSince(lastTime)
            let rate = dt > 0 ? Double(done - lastDone) / dt : 0
            lastDone = done
            lastTime = now
            var s = "\(done) done  \(Int(rate))/s  in flight \(inFlight)"
            for status in DomainStatus.allCases { if let n = byStatus[status] { s += "  \(status.rawValue) \(n)" } }
            if let f = inputFraction, f > 0.001, f < 1 {
                let total = elapsed / f
                s += "  ETA \(Self.duration(total - elapsed))"
            }
            return s
        }
    }

    public func summary(scanID: Int64) -> String {
        lock.withLock {
            var s = "scan \(scanID): \(done) domains in \(Self.duration(elapsed))\n"
            for status in DomainStatus.allCases { if let n = byStatus[status] { s += "  \(status.rawValue): \(n)\n" } }
            for mode in PolicyMode.allCases { if let n = byMode[mode] { s += "  mode \(mode.rawValue): \(n)\n" } }
            if abandonedAtStop > 0 { s += "  left in flight at the stop, not stored (--resume scans them): \(abandonedAtStop)\n" }
            return s
        }
    }

    static func duration(_ t: TimeInterval) -> String {
        let s = Int(t.rounded())
        if s < 60 { return String(format: "%.1fs", t) }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        return "\(s / 3600)h\(s % 3600 / 60)m"
    }
}

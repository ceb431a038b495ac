// The policy fetch as the three implementations read here all treat it (postfix-mta-sts-resolver's
// resolver.py:111-140, checkdmarc's download_mta_sts_policy, postfix-tlspol's Go client): any
// transport failure, a certificate that fails web PKI checks, a redirect (none follows one) or a
// status other than 200 leaves the domain without a policy. One place, so the profiles cannot
// drift apart where their sources agree; each profile's own differences come after it.

enum StrictPolicyFetch {
    /// nil when the fetch got a 200 over a web-PKI-valid connection; otherwise the profile's
    /// reasons for having no policy (`none` first, then the finding code), or `policy-not-fetched`
    /// when the scan's deadline came before the fetch.
    static func rejection(_ fetch: PolicyFetchEvidence, of e: Evidence) -> [String]? {
        let none = ProfileReason.noPolicy.rawValue
        switch fetch.outcome {
        case .response: break
        case .hostNXDOMAIN: return [none, FindingCode.policyHostNXDOMAIN.rawValue]
        case .hostNoAddress, .hostDNSError: return [none, FindingCode.policyHostNoAddress.rawValue]
        case .connectFailed: return [none, FindingCode.policyConnectFailed.rawValue]
        case .timeout: return [none, FindingCode.policyTimeout.rawValue]
        case .tlsHandshakeFailed: return [none, FindingCode.policyTLSHandshakeFailed.rawValue]
        case .deadline: return [ProfileReason.policyNotFetched.rawValue, FindingCode.scanDeadline.rawValue]
        }
        if let tls = fetch.tls {
            let f = Classifier.webPKIFindings(tls, host: e.policyHost, scanTime: e.scanTime)
            if !f.isEmpty { return [none] + f.map(\.code.rawValue) }
        }
        if let status = fetch.httpStatus, status != 200 {
            return [none, ((300...399).contains(status) ? FindingCode.policyRedirect : .policyHTTPStatus).rawValue]
        }
        return nil
    }
}

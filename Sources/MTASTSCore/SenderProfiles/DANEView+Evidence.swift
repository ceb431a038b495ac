// DANE's view of a domain's MX hosts from its stored evidence, for the sender profiles.

extension DANEView {
    /// Until the DANE judge (RFC 7672 matching against the presented chain) is part of Core, the
    /// evidence's TLSA records cannot be judged here: the view is empty and the profiles judge
    /// by MTA-STS alone (docs/PROFILES.md, "DANE").
    public static func judged(_ e: Evidence) -> DANEView { .none }
}

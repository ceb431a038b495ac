/// The tool's version, recorded in every scan row and sent in the User-Agent.
public enum MTASTSVersion {
    public static let string = "0.1.0"
}

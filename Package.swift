// swift-tools-version:6.0
// mtasts: a bulk survey scanner for MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE.
// Module split (see README "Layout"): pure parsing/classification in MTASTSCore, sockets only in
// MTASTSNet, the command line thin. Dependencies come only from the local package mirror.
import PackageDescription

let package = Package(
    name: "mtasts",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mtasts", targets: ["mtasts"]),
        .library(name: "MTASTSCore", targets: ["MTASTSCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        // C libraries, one system-library module and one shim header each.
        .systemLibrary(name: "CCares", path: "Sources/CCares", pkgConfig: "libcares",
                       providers: [.apt(["libc-ares-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev", "libssl-dev"])]),
        .systemLibrary(name: "CIDN2", path: "Sources/CIDN2", pkgConfig: "libidn2",
                       providers: [.apt(["libidn2-dev"])]),
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),

        // Pure: bytes and values in, values out. No sockets, no files, no clocks. libidn2 (IDNA2008
        // for names that are not all ASCII) only computes.
        .target(name: "MTASTSCore", dependencies: ["CIDN2"]),

        // All C state and every socket lives here.
        .target(name: "MTASTSNet", dependencies: ["CCares", "CCurl", "CLinux", "MTASTSCore"]),

        // The SQLite database: schema, migrations, the batched writer, export and reclassify.
        // All SQL lives here.
        .target(name: "MTASTSStore", dependencies: ["CSQLite", "MTASTSCore"]),

        // The pipeline: per-domain steps, the MX-probe cache, input, the bounded window.
        .target(name: "MTASTSScan", dependencies: ["MTASTSCore", "MTASTSNet", "MTASTSStore"]),

        // Reports: statistics, transitions between scans, PSL matching, text/CSV/SVG/HTML
        // rendering. Pure: takes the rows the store read, returns strings.
        .target(name: "MTASTSReport", dependencies: ["MTASTSCore", "MTASTSStore"]),

        // Linked against jemalloc (Debian's libjemalloc-dev), which then serves every malloc of
        // the process, OpenSSL's and c-ares's included: with glibc's allocator, malloc and free
        // were ~15% of a scan's CPU (`make profile`), and in alternated cold 100k scans the same
        // build took 11.8 and 12.7 s of CPU with glibc, 9.2 and 10.4 s with jemalloc preloaded
        // (2026-11-29, issue 4's note).
        .executableTarget(name: "mtasts", dependencies: [
            "MTASTSCore", "MTASTSNet", "MTASTSScan", "MTASTSStore", "MTASTSReport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))],
        plugins: ["BuildCommit"]),

        // The git commit the binary is built from, for --version and each scan's tool_version
        // (Plugins/BuildCommit: a prebuild command, run before every build; "commit unknown"
        // without a git work tree).
        .plugin(name: "BuildCommit", capability: .buildTool(), path: "Plugins/BuildCommit"),

        // Test helpers shared by test targets (a loopback DNS resolver that records what it is asked).
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "MTASTSCoreTests", dependencies: ["MTASTSCore"]),
        .testTarget(name: "MTASTSNetTests", dependencies: ["MTASTSNet", "TestSupport"]),
        .testTarget(name: "MTASTSScanTests", dependencies: ["MTASTSScan", "TestSupport"]),
        .testTarget(name: "MTASTSStoreTests", dependencies: ["MTASTSStore", "MTASTSCore"]),
        .testTarget(name: "MTASTSReportTests", dependencies: ["MTASTSReport", "MTASTSStore", "MTASTSCore"]),
        // Runs the built `mtasts` binary as a subprocess: end-to-end, exit codes, JSON shape.
        .testTarget(name: "MTASTSCLITests", dependencies: ["mtasts"]),
    ]
)

// libFuzzer targets, only when asked for (`make fuzz` sets MTASTS_FUZZ=1 and builds them with
// `--sanitize fuzzer`). They define LLVMFuzzerTestOneInput instead of main, so an ordinary build
// could not link them.
if Context.environment["MTASTS_FUZZ"] != nil {
    for name in ["FuzzRecord", "FuzzPolicy", "FuzzDNS", "FuzzX509"] {
        package.targets.append(.executableTarget(
            name: name, dependencies: ["MTASTSCore"], path: "Fuzz/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}

import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Headless Chromium, driven the way a person's browser would load Conveyor's pages.
///
/// `scripts/test` sets `CONVEYOR_CHROMIUM`; otherwise `chromium` is looked up on the PATH.
/// A failed page check keeps a screenshot in a temporary folder and names it in the failure.
public struct Browser: Sendable {
    public let executable: String

    /// The browser, or nil when none is installed (the page suites then skip, or fail under CI).
    public static var installed: Browser? {
        if let path = ProcessInfo.processInfo.environment["CONVEYOR_CHROMIUM"], !path.isEmpty {
            return Browser(executable: path)
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return Browser(executable: candidate) }
            }
        }
        return nil
    }

    /// Whether the page suites run: a browser is installed, or CI demands they run (and fail without one).
    public static var shouldRun: Bool { installed != nil || TestBackend.isCI }

    /// The DOM after the page loaded and ran, as Chromium serialises it.
    public func dumpDOM(_ url: String) async throws -> String {
        try await chromium(["--dump-dom", url]).stdout
    }

    /// A PNG of the page, kept in a new temporary folder; returns its path.
    public func screenshot(_ url: String) async throws -> String {
        let directory = try TemporaryDirectory(prefix: "conveyor-page")
        let path = directory.file("page.png")
        _ = try await chromium(["--screenshot=\(path)", "--window-size=1280,900", url])
        return path
    }

    /// Loads `url` and checks its DOM; on failure a screenshot is taken and its path is part of the error.
    public func check(_ url: String, _ expectations: (String) -> [String]) async throws -> String {
        let dom = try await dumpDOM(url)
        let failures = expectations(dom)
        if failures.isEmpty { return dom }
        let shot = (try? await screenshot(url)) ?? "(no screenshot)"
        throw PageCheckFailure(url: url, failures: failures, screenshot: shot)
    }

    private func chromium(_ arguments: [String]) async throws -> (stdout: String, stderr: String) {
        let profile = try TemporaryDirectory(prefix: "conveyor-chromium")
        defer { profile.remove() }
        let result = try await Subprocess.run(
            .path(FilePath("/usr/bin/timeout")),
            arguments: Arguments(
                [
                    "60", executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--user-data-dir=\(profile.path)",
                ] + arguments),
            output: .string(limit: 8 * 1024 * 1024),
            error: .string(limit: 1024 * 1024)
        )
        guard result.terminationStatus.isSuccess else {
            throw PageCheckFailure(
                url: arguments.last ?? "", failures: ["chromium exited with \(result.terminationStatus): \(result.standardError.suffix(500))"],
                screenshot: "(none)")
        }
        return (result.standardOutput, result.standardError)
    }
}

public struct PageCheckFailure: Error, CustomStringConvertible {
    public let url: String
    public let failures: [String]
    public let screenshot: String
    public var description: String {
        "page \(url): \(failures.joined(separator: "; ")); screenshot kept at \(screenshot)"
    }
}

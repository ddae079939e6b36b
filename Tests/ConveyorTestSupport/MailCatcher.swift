import ConveyorCore
import Foundation

/// The SMTP server `scripts/test` starts (scripts/smtp: aiosmtpd keeping messages in a Maildir).
public enum MailCatcher {
    /// Its port, exported by scripts/test as CONVEYOR_TEST_SMTP_PORT.
    public static var port: Int? { ProcessInfo.processInfo.environment["CONVEYOR_TEST_SMTP_PORT"].flatMap(Int.init) }
    /// Its Maildir, exported as CONVEYOR_TEST_SMTP_MAILDIR.
    public static var maildir: String? { ProcessInfo.processInfo.environment["CONVEYOR_TEST_SMTP_MAILDIR"] }

    /// Whether the notification suites run: with a server, and always under CI.
    public static var enabled: Bool { port != nil || TestBackend.isCI }

    public static func requirePort() throws -> Int {
        guard let port else { throw ConveyorError.unavailable("CONVEYOR_TEST_SMTP_PORT is not set: no SMTP server to send to (scripts/test starts one)") }
        return port
    }

    /// The messages delivered to `address`, as raw text (headers and body).
    public static func messages(to address: String) throws -> [String] {
        guard let maildir else { throw ConveyorError.unavailable("CONVEYOR_TEST_SMTP_MAILDIR is not set") }
        let folder = maildir + "/new"
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().compactMap { name in
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            return text.contains("To: <\(address)>") ? text : nil
        }
    }
}

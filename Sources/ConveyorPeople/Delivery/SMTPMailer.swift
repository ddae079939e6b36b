import ConveyorCore
import Foundation
import NIOCore
import NIOExtras
import NIOFoundationCompat
import NIOPosix

/// Sends one e-mail over SMTP (RFC 5321): EHLO, MAIL FROM, RCPT TO, DATA, QUIT, each answer
/// checked, the whole conversation bounded by the timeout. The Message-ID is derived from the
/// outbox row, so a receiver that sees a message twice (a crash between the server's "250" and
/// the outbox's "sent") can tell.
///
/// ```swift
/// try await SMTPMailer(settings: smtp).send(to: "alice@lab.test", subject: "[Conveyor] …", body: "…", messageID: "outbox-17@conveyor")
/// ```
public struct SMTPMailer: Sendable {
    public let settings: NotificationSettings.SMTP

    public init(settings: NotificationSettings.SMTP) {
        self.settings = settings
    }

    /// Why a message was not accepted: `permanent` for a 5xx answer (retrying will not help).
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
        public let permanent: Bool
    }

    public func send(to recipient: String, subject: String, body: String, messageID: String, date: Date = Date()) async throws {
        guard NotificationSettings.isEmailAddress(recipient) else { throw Refusal(description: "'\(recipient)' is not an e-mail address", permanent: true) }
        let timeout = Duration.milliseconds(Int(settings.timeoutSeconds * 1000))
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.init(timeout))
                .connect(host: settings.host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Refusal(description: "cannot connect to SMTP \(settings.host):\(settings.port) (\(error))", permanent: false)
        }
        let data = Self.compose(from: settings.from, to: recipient, subject: subject, body: body, messageID: messageID, date: date)
        let from = settings.from
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    var lines = inbound.makeAsyncIterator()
                    func expect(_ wanted: Int, after what: String) async throws {
                        var text = ""
                        while true {
                            guard var line = try await lines.next() else {
                                throw Refusal(description: "the SMTP server closed the connection after \(what)", permanent: false)
                            }
                            let string = line.readString(length: line.readableBytes) ?? ""
                            text += (text.isEmpty ? "" : " ") + string.trimmingCharacters(in: .whitespacesAndNewlines)
                            // A multi-line answer continues with "250-" and ends with "250 ".
                            if string.count >= 4, string[string.index(string.startIndex, offsetBy: 3)] == "-" { continue }
                            guard let code = Int(string.prefix(3)) else {
                                throw Refusal(description: "the SMTP server answered '\(string)' to \(what)", permanent: false)
                            }
                            guard code / 100 == wanted / 100 else {
                                throw Refusal(description: "the SMTP server answered \(text) to \(what)", permanent: code >= 500)
                            }
                            return
                        }
                    }
                    func say(_ line: String) async throws { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
                    try await expect(220, after: "connecting")
                    try await say("EHLO conveyor")
                    try await expect(250, after: "EHLO")
                    try await say("MAIL FROM:<\(from)>")
                    try await expect(250, after: "MAIL FROM")
                    try await say("RCPT TO:<\(recipient)>")
                    try await expect(250, after: "RCPT TO:<\(recipient)>")
                    try await say("DATA")
                    try await expect(354, after: "DATA")
                    try await outbound.write(ByteBuffer(string: data))
                    try await expect(250, after: "the message")
                    try? await say("QUIT")
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), first else {
                channel.channel.close(promise: nil)
                throw Refusal(description: "the SMTP server \(settings.host):\(settings.port) did not answer within \(timeout)", permanent: false)
            }
        }
    }

    /// The message as sent after DATA: headers, the body with CRLF line ends and leading dots
    /// doubled, and the closing dot.
    static func compose(from: String, to: String, subject: String, body: String, messageID: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let headers = [
            "From: Conveyor <\(from)>", "To: <\(to)>", "Subject: \(encodeHeader(subject))", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageID)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
            "Auto-Submitted: auto-generated",
        ]
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(".") ? "." + line : String(line)
        }
        return (headers + [""] + lines).joined(separator: "\r\n") + "\r\n.\r\n"
    }

    /// A header value in ASCII: as is, or as an RFC 2047 encoded word; never with a line break.
    static func encodeHeader(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard flat.unicodeScalars.contains(where: { !$0.isASCII }) else { return flat }
        return "=?utf-8?B?\(Data(flat.utf8).base64EncodedString())?="
    }
}

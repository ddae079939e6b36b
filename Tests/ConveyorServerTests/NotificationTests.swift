import ConveyorAccess
import ConveyorCore
import ConveyorPeople
import ConveyorStore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

/// Telling people what waits for them: e-mail through a real SMTP server (aiosmtpd), chat through
/// a local webhook that fails at first; reminders, escalation, exactly-once delivery, retries.
@Suite("Notifications (SMTP and chat webhook)", .enabled(if: MailCatcher.enabled))
struct NotificationTests {
    /// A postponed run: an inbox item for the run-quality shifters.
    static func postpone(_ run: Int, _ client: any TestClientProtocol, _ fixture: ServerFixture) async throws {
        let csv = "exp,run,type,start,stop\n8,\(run),physics,2099-01-01T01:00:00Z,2099-01-01T02:00:00Z\n"
        try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: csv)) { r in
            #expect(r.status == .ok, "\(r.text)")
        }
        try await client.execute(uri: "/api/v1/prompt/settings", method: .post, headers: fixture.auth(.manager), body: .json(#"{"from": "8:1"}"#)) { _ in }
        try await client.execute(uri: "/api/v1/prompt/cycle", method: .post, headers: fixture.auth(.manager)) { r in #expect(r.status == .ok) }
        try await client.execute(
            uri: "/api/v1/prompt/runs/8:\(run)/disposition", method: .post, headers: fixture.auth(.expert),
            body: .json(#"{"disposition": "postponed", "reason": "noisy CDC"}"#)
        ) { r in #expect(r.status == .ok, "\(r.text)") }
    }

    static func settings(smtpPort: Int, webhook: String?, extra: String = "") throws -> NotificationSettings {
        let hook = webhook.map { #", "webhook": {"url": "\#($0)", "timeout": 10}"# } ?? ""
        let json = """
            {"base_url": "http://conveyor.test", "smtp": {"host": "127.0.0.1", "port": \(smtpPort), "from": "conveyor@lab.test", "timeout": 10}\(hook),
             "remind_after": "1h", "escalate_after": "2h", "retry": {"first": 1, "longest": 60, "attempts": 5}\(extra)}
            """
        return try NotificationSettings(configuration: ConfigurationValue(json: Data(json.utf8), file: "people.json"))
    }

    /// Adds carol (shifter, e-mail), frank (shifter, no e-mail) and mona (manager, e-mail), with addresses unique to this test.
    static func people(_ store: Store, _ tag: String) async throws -> (carol: String, mona: String) {
        let accounts = Accounts(store: store)
        let root = Actor.localOperator(named: "test")
        let (carol, mona) = ("carol-\(tag)@lab.test", "mona-\(tag)@lab.test")
        _ = try await accounts.addUser(named: "carol", role: .expert, by: root)
        _ = try await accounts.setContact(of: "carol", email: carol, responsibilities: ["run_quality"], by: root)
        _ = try await accounts.addUser(named: "frank", role: .expert, by: root)
        _ = try await accounts.setContact(of: "frank", email: nil, responsibilities: ["run_quality"], by: root)
        _ = try await accounts.addUser(named: "mona", role: .manager, by: root)
        _ = try await accounts.setContact(of: "mona", email: mona, responsibilities: nil, by: root)
        return (carol, mona)
    }

    @Test(arguments: TestBackend.available)
    func whatWaitsIsToldOnceThenRemindedThenEscalated(backend: TestBackend) async throws {
        let port = try MailCatcher.requirePort()
        let receiver = WebhookReceiver(failures: 1)
        try await receiver.serve { hook in
            try await ServerFixture.run(backend) { client, fixture in
                let tag = UUID().uuidString.prefix(8).lowercased()
                let (carol, mona) = try await Self.people(fixture.store, String(tag))
                try await Self.postpone(1, client, fixture)
                let notifier = Notifier(store: fixture.store, settings: try Self.settings(smtpPort: port, webhook: hook))
                let start = Timestamp.now

                // Two notifiers at once (as beside two servers): the event is recorded and each message sent once.
                async let first = notifier.cycle(at: start)
                async let second = notifier.cycle(at: start)
                let (a, b) = try await (first, second)
                #expect(a.newEvents + b.newEvents == 1 && a.queued + b.queued == 4, "\(a) \(b)")
                #expect(a.sent + b.sent == 2 && a.retried + b.retried == 1, "carol's mail and one chat post went, the other chat post met the 500: \(a) \(b)")
                var mails = try MailCatcher.messages(to: carol)
                #expect(mails.count == 1)
                let mail = try #require(mails.first)
                #expect(
                    mail.contains("Subject: [Conveyor] run 8:1 is postponed: noisy CDC")
                        && mail.contains("Act here: http://conveyor.test/data-taking/runs/8:1"), "\(mail)")
                #expect(mail.contains("Message-ID: <conveyor-") && mail.contains("Hello carol,"))
                let skipped = try await fixture.store.read { try await $0.notificationMessages(state: .skipped) }
                #expect(skipped.count == 1 && skipped[0].recipient == "frank" && skipped[0].lastError?.contains("no e-mail address") == true)

                // The chat post that met the 500 goes on its retry; nothing is sent twice.
                try await Task.sleep(for: .milliseconds(1_100))
                let retried = try await notifier.cycle()
                #expect(retried.sent == 1 && retried.queued == 0, "\(retried)")
                #expect(receiver.received.count == 2 && receiver.received.allSatisfy { $0.contains("run 8:1 is postponed") })
                #expect(Set(receiver.received.map { $0.contains("@carol") ? "carol" : "frank" }) == ["carol", "frank"])

                // Still waiting an hour later: a reminder; two hours later: the manager is told.
                let reminded = try await notifier.cycle(at: start.adding(seconds: 3_700))
                #expect(reminded.queued == 4 && reminded.sent == 3, "carol by mail and chat, frank by chat (his mail skipped again): \(reminded)")
                mails = try MailCatcher.messages(to: carol)
                #expect(mails.count == 2 && mails[1].contains("Subject: [Conveyor] Reminder: run 8:1 is postponed"))
                let escalated = try await notifier.cycle(at: start.adding(seconds: 7_300))
                #expect(escalated.queued == 4, "the managers mona and test-manager, by mail and chat: \(escalated)")
                let toMona = try MailCatcher.messages(to: mona)
                #expect(toMona.count == 1 && toMona[0].contains("Escalation: run 8:1") && toMona[0].contains("It waits for carol, frank"), "\(toMona)")
                #expect(try await notifier.cycle(at: start.adding(seconds: 9_000)).queued == 0, "reminded and escalated once each")

                // Once the run goes on, the event is resolved and nobody is reminded of it again.
                try await client.execute(
                    uri: "/api/v1/prompt/runs/8:1/disposition", method: .post, headers: fixture.auth(.expert),
                    body: .json(#"{"disposition": "normal", "reason": "CDC fine after all"}"#)
                ) { r in #expect(r.status == .ok, "\(r.text)") }
                _ = try await notifier.cycle(at: start.adding(seconds: 9_100))
                #expect(try await fixture.store.read { try await $0.openNotificationEvents() }.isEmpty)
            }
        }
    }

    @Test func aMailServerThatIsDownOrSilentIsRetriedAndNothingIsLost() async throws {
        let port = try MailCatcher.requirePort()
        try await ServerFixture.run(.sqlite) { client, fixture in
            let tag = UUID().uuidString.prefix(8).lowercased()
            let (carol, _) = try await Self.people(fixture.store, String(tag))
            try await Self.postpone(1, client, fixture)
            // Down: nothing listens.
            let down = Notifier(store: fixture.store, settings: try Self.settings(smtpPort: 9, webhook: nil))
            let first = try await down.cycle()
            #expect(first.queued == 2 && first.retried == 1 && first.sent == 0, "\(first)")
            var pending = try await fixture.store.read { try await $0.notificationMessages(state: .pending) }
            #expect(pending.count == 1 && pending[0].attempts == 1 && pending[0].lastError?.contains("cannot connect") == true, "\(pending)")
            // Silent: accepts and never answers; the attempt ends at the timeout.
            let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
            defer { silent.close(promise: nil) }
            let hanging = Notifier(store: fixture.store, settings: try Self.settings(smtpPort: silent.localAddress?.port ?? 9, webhook: nil))
            try await Task.sleep(for: .milliseconds(1_100))
            let second = try await hanging.cycle()
            #expect(second.retried == 1, "\(second)")
            pending = try await fixture.store.read { try await $0.notificationMessages(state: .pending) }
            #expect(pending.first?.attempts == 2 && pending.first?.lastError?.contains("did not answer") == true, "\(pending)")
            // Back up: the kept message goes, once.
            try await Task.sleep(for: .milliseconds(2_100))
            let up = Notifier(store: fixture.store, settings: try Self.settings(smtpPort: port, webhook: nil))
            #expect(try await up.cycle().sent == 1)
            #expect(try await up.cycle().sent == 0)
            #expect(try MailCatcher.messages(to: carol).count == 1)
            let sent = try await fixture.store.read { try await $0.notificationMessages(state: .sent) }
            #expect(sent.count == 1 && sent[0].attempts == 3)
        }
    }
}

/// Preferences and the outbox over REST and on the pages.
@Suite("Notification preferences and outbox (REST, pages)")
struct NotificationAPITests {
    @Test(arguments: TestBackend.available)
    func eachPersonSetsWhatTheyAreToldAndAdminsSeeTheOutbox(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            try await client.execute(uri: "/api/v1/me/notifications", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(r.status == .ok && r.text.contains(#""digest":false"#) && r.text.contains(#""email":true"#), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/me/notifications", method: .put, headers: fixture.auth(.expert),
                body: .json(#"{"digest": true, "kinds": ["signoff", "paused_task"]}"#)
            ) { r in
                #expect(
                    r.status == .ok && r.text.contains(#""digest":true"#) && r.text.contains("paused_task") && r.text.contains(#""email":true"#), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/me/notifications", method: .put, headers: fixture.auth(.expert), body: .json(#"{"kinds": ["gossip"]}"#)
            ) { r in
                #expect(r.status == .badRequest && r.apiError?.code == "invalid_input" && r.text.contains("gossip"), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/me/notifications", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(r.text.contains(#""digest":true"#), "a refused change changes nothing: \(r.text)")
            }
            try await client.execute(uri: "/api/v1/notifications", method: .get, headers: fixture.auth(.manager)) { r in #expect(r.status == .forbidden) }
            try await client.execute(uri: "/api/v1/notifications?state=lost", method: .get, headers: fixture.auth(.admin)) { r in
                #expect(r.status == .badRequest, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/notifications?limit=0", method: .get, headers: fixture.auth(.admin)) { r in #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/api/v1/notifications", method: .get, headers: fixture.auth(.admin)) { r in
                #expect(r.status == .ok && r.text.contains(#""withoutEmail":["test-admin","test-expert","test-manager","test-viewer"]"#), "\(r.text)")
            }

            // The pages: the inbox's form, the admin's outbox.
            let expert: HTTPFields = [.cookie: "conveyor_session=\(try await fixture.session(.expert))"]
            try await client.execute(uri: "/inbox", method: .get, headers: expert) { r in
                #expect(r.text.contains("notification-preferences") && r.text.contains(#"name="kind_signoff" value="on" checked"#), "\(r.text)")
            }
            var form = expert
            form[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/inbox/preferences", method: .post, headers: form, body: ByteBuffer(string: "email=on&kind_run_to_certify=on")) {
                r in
                #expect(r.status == .ok && r.text.contains("Saved."))
            }
            try await client.execute(uri: "/api/v1/me/notifications", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(r.text.contains(#""chat":false"#) && r.text.contains(#""kinds":["run_to_certify"]"#), "\(r.text)")
            }
            let admin: HTTPFields = [.cookie: "conveyor_session=\(try await fixture.session(.admin))"]
            try await client.execute(uri: "/notifications", method: .get, headers: admin) { r in
                #expect(r.status == .ok && r.text.contains("No e-mail reaches: test-admin") && r.text.contains("API tokens only"), "\(r.text)")
            }
            try await client.execute(uri: "/notifications", method: .get, headers: expert) { r in #expect(r.status == .forbidden) }
        }
    }
}

/// An SMTP server that refuses every recipient with 550, as a mail server does for an address it
/// does not know: retrying cannot help, so the message is given up at once, with the reason.
final class RefusingSMTPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "220 refusing.test ESMTP\r\n")), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let text = buffer.readString(length: buffer.readableBytes) ?? ""
        for line in text.split(separator: "\r\n") {
            let answer = line.uppercased().hasPrefix("RCPT") ? "550 5.1.1 no such user here" : line.uppercased().hasPrefix("QUIT") ? "221 bye" : "250 ok"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer + "\r\n")), promise: nil)
        }
    }
}

@Suite("Notifications: a permanent refusal")
struct PermanentRefusalTests {
    @Test func aRecipientTheMailServerRefusesIsGivenUpAtOnceWithTheReason() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RefusingSMTPHandler()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        try await ServerFixture.run(.sqlite) { client, fixture in
            _ = try await NotificationTests.people(fixture.store, "refused")
            try await NotificationTests.postpone(1, client, fixture)
            let notifier = Notifier(store: fixture.store, settings: try NotificationTests.settings(smtpPort: port, webhook: nil))
            let report = try await notifier.cycle()
            #expect(report.failed == 1 && report.retried == 0 && report.sent == 0, "\(report)")
            let failed = try await fixture.store.read { try await $0.notificationMessages(state: .failed) }
            #expect(failed.count == 1 && failed[0].attempts == 1 && failed[0].lastError?.contains("550 5.1.1 no such user here") == true, "\(failed)")
            #expect(try await notifier.cycle().failed == 0, "given up is given up")
        }
    }
}

import ConveyorCore
import Foundation
import Testing

/// Who is told what and when: recipients by name, responsibility, duty or role; preferences;
/// reminders, escalation and digests at the right times, each once.
@Suite("Notification planner")
struct NotificationPlannerTests {
    static let t0 = Timestamp(microsecondsSinceEpoch: 1_796_634_000_000_000)  // 2026-12-07 08:20 UTC

    static func user(_ name: String, _ role: Role, email: String? = nil, responsibilities: [String] = []) -> User {
        User(id: 0, name: name, role: role, createdAt: t0, createdBy: "t", email: email, responsibilities: responsibilities)
    }

    static let people = [
        user("alice", .expert, email: "alice@lab.test", responsibilities: ["ecl_gains"]),
        user("carol", .expert, email: "carol@lab.test", responsibilities: ["run_quality"]),
        user("erik", .expert, email: "erik@lab.test"),
        user("mona", .manager, email: "mona@lab.test"),
    ]

    static let settings = NotificationSettings(
        baseURL: "https://conveyor.lab/", smtp: .init(host: "smtp", from: "c@lab.test"), webhook: .init(url: "http://chat/hook"), remindAfterSeconds: 3_600,
        escalateAfterSeconds: 7_200)

    static func event(_ id: Int64, _ kind: NotificationEvent.Kind, people: [String] = [], role: Role = .expert) -> NotificationEvent {
        NotificationEvent(
            id: id, key: "k\(id)", kind: kind, subject: "s\(id)", action: "do it", link: "/x/\(id)", people: people, role: role, since: t0, createdAt: t0)
    }

    @Test func recipientsByNameResponsibilityDutyOrRole() {
        let planner = NotificationPlanner(settings: Self.settings, people: Self.people, preferences: [:])
        #expect(planner.recipients(of: Self.event(1, .signoff, people: ["ecl_gains"])).map(\.name) == ["alice"])
        #expect(planner.recipients(of: Self.event(2, .run_to_certify)).map(\.name) == ["carol"], "the run-quality shifters, not every expert")
        #expect(planner.recipients(of: Self.event(3, .paused_task)).map(\.name) == ["alice", "carol", "erik"])
        #expect(planner.recipients(of: Self.event(4, .failed_request, role: .manager)).map(\.name) == ["mona"], "no one holds data_production: the managers")
    }

    @Test func firstThenReminderThenEscalationEachOnce() {
        let planner = NotificationPlanner(settings: Self.settings, people: Self.people, preferences: ["alice": .init(chat: false)])
        var event = Self.event(1, .signoff, people: ["ecl_gains"])
        let first = planner.plan([event], new: [1], at: Self.t0)
        #expect(first.messages.map(\.dedupe) == ["e1:alice:email:first"])
        #expect(first.messages[0].body.contains("Act here: https://conveyor.lab/x/1") && first.messages[0].subject == "[Conveyor] s1")
        #expect(planner.plan([event], new: [], at: Self.t0.adding(seconds: 3_599)).messages.isEmpty)
        let reminder = planner.plan([event], new: [], at: Self.t0.adding(seconds: 3_600))
        #expect(reminder.reminded == [1] && reminder.messages.map(\.dedupe) == ["e1:alice:email:reminder"])
        event.remindedAt = Self.t0.adding(seconds: 3_600)
        let escalation = planner.plan([event], new: [], at: Self.t0.adding(seconds: 7_200))
        #expect(escalation.escalated == [1] && Set(escalation.messages.map(\.dedupe)) == ["e1:mona:email:escalation", "e1:mona:chat:escalation"])
        #expect(escalation.messages[0].body.contains("It waits for alice"))
        event.escalatedAt = Self.t0.adding(seconds: 7_200)
        #expect(planner.plan([event], new: [], at: Self.t0.adding(seconds: 90_000)).messages.filter { $0.purpose != .digest }.isEmpty)
        event.resolvedAt = Self.t0
        event.remindedAt = nil
        #expect(planner.plan([event], new: [], at: Self.t0.adding(seconds: 90_000)).messages.isEmpty, "a resolved event is not reminded")
    }

    @Test func preferencesKindsDigestsAndMissingAddresses() {
        var people = Self.people
        people.append(Self.user("frank", .expert, responsibilities: ["run_quality"]))
        let planner = NotificationPlanner(
            settings: Self.settings, people: people,
            preferences: ["carol": .init(digest: true), "erik": .init(kinds: [.signoff])])
        let certify = Self.event(2, .run_to_certify)
        let paused = Self.event(3, .paused_task)
        let plan = planner.plan([certify, paused], new: [2, 3], at: Self.t0)
        let dedupes = Set(plan.messages.map(\.dedupe))
        #expect(!dedupes.contains("e2:carol:email:first"), "carol takes a digest")
        #expect(dedupes.contains("digest:carol:email:2026-12-07"))
        #expect(!dedupes.contains { $0.hasPrefix("e3:erik") }, "erik wants sign-offs only")
        let frank = plan.messages.first { $0.dedupe == "e2:frank:email:first" }
        #expect(frank?.skipped?.contains("frank has no e-mail address") == true)
        #expect(planner.plan([certify], new: [], at: Timestamp(microsecondsSinceEpoch: 1_796_608_800_000_000)).messages.isEmpty, "no digest before 07:00 UTC")
        #expect(
            Self.settings.retryDelay(afterAttempts: 1) == 30 && Self.settings.retryDelay(afterAttempts: 3) == 120
                && Self.settings.retryDelay(afterAttempts: 30) == 3_600)
    }

    @Test func aFloodBecomesOneListPerPersonAndChannel() {
        let planner = NotificationPlanner(settings: Self.settings, people: Self.people, preferences: [:])
        let backlog = (1...40).map { Self.event(Int64($0), .run_to_certify) }
        let plan = planner.plan(backlog, new: Set(1...40), at: Self.t0)
        let toCarol = plan.messages.filter { $0.recipient == "carol" }
        #expect(toCarol.count == 2, "one e-mail and one chat post, not 80: \(toCarol.map(\.dedupe))")
        let mail = toCarol.first { $0.channel == .email }
        #expect(mail?.subject == "[Conveyor] 40 things wait for you" && mail?.body.contains("- s40") == true && mail?.dedupe == "e1-40x40:carol:email:first")
        let few = planner.plan(Array(backlog.prefix(5)), new: Set(1...5), at: Self.t0)
        #expect(few.messages.filter { $0.recipient == "carol" }.count == 10, "five or fewer stay single messages")
    }
}

import ConveyorCore
import ConveyorDataTaking

/// `/data-taking`: the first condition-safe run, the switches, and a row per recent run with its
/// timeline through the handshake (end, lock, release) and what waits for a person. It reloads
/// itself every 30 s.
struct DataTakingPage: Page {
    let status: PromptReco.Status
    let actor: Actor?
    let title = "Data taking"
    var refreshSeconds: Int? { 30 }

    static func time(_ t: Timestamp?) -> HTML { t.map { "\($0.short)" } ?? "<span class=\"muted\">–</span>" }

    var body: HTML {
        let stops = status.switches.filter(\.stopped)
        let switches: HTML =
            stops.isEmpty
            ? "<p id=\"switches\">PromptReco release is <b>on</b>.</p>"
            : "<ul id=\"switches\">\(stops.map { "<li class=\"stopped\"><b>stopped</b> (\($0.scope)) by \($0.actor) at \($0.at.short): \($0.reason)</li>" as HTML })</ul>"
        let canSwitch = (actor?.role ?? .viewer) >= .manager
        let switchForm: HTML =
            canSwitch
            ? """
            <form method="post" action="/data-taking/switch" id="switch-form">
            <input type="text" name="run" placeholder="EXP:RUN (empty: all runs)"> <input type="text" name="reason" placeholder="Why" required>
            <button name="action" value="stop" class="reject">Stop release</button> <button name="action" value="resume">Resume</button>
            </form>
            """ : ""
        let waiting = status.runs.filter { $0.disposition == .postponed && $0.releasedAt == nil }
        let people: HTML =
            waiting.isEmpty
            ? "" : "<p id=\"waits\">Waiting for a shifter: \(waiting.map { "<a href=\"/data-taking/runs/\($0.run)\">\($0.run)</a> " as HTML })</p>"
        let rows = status.runs.map { run -> HTML in
            let note = run.dispositionReason ?? run.closeReason ?? ""
            return
                "<tr><td><a href=\"/data-taking/runs/\(run.run)\">\(run.run)</a></td><td><span class=\"state\">\(run.stage)</span></td><td>\(Self.time(run.start))</td><td>\(Self.time(run.lastFileAt))</td><td>\(Self.time(run.effectiveEnd))</td><td>\(Self.time(run.calibratedAt))</td><td>\(Self.time(run.lockedAt))</td><td>\(Self.time(run.releasedAt))</td><td>\(note)</td></tr>"
        }
        let settings = status.settings
        return """
            <p class="card" id="fcsr">First condition-safe run: <b>\(status.fcsr?.description ?? "none")</b> \
            <span class="muted">(tracking \(status.trackFrom.map { "from \($0)" } ?? "off")\(status.cycledAt.map { ", last cycle \($0.short)" } ?? ""); \
            release \(Self.hours(settings.delaySeconds)) after a run's end, locked \(Self.hours(settings.lockOffsetSeconds)) before, \
            early after \(Self.hours(settings.minimumDelaySeconds)) once calibrated; a run without an end record is closed after \(Self.hours(settings.closeAfterSeconds)))</span></p>
            \(switches)\(switchForm)\(people)
            <table id="prompt-runs"><thead><tr><th>Run</th><th>Stage</th><th>Start</th><th>Last file</th><th>End</th><th>Calibrated</th><th>Locked</th><th>Released</th><th>Note</th></tr></thead><tbody>\(rows)</tbody></table>
            <p class="muted">Runs lock in strict order; no later conditions change for a locked run. Conditions for PromptReco go into tags with a synchronisation type (<code>conveyor gt sync TAG prompt</code>, <code>conveyor payload append</code>).</p>
            """
    }

    static func hours(_ seconds: Double) -> String {
        seconds >= 3_600 ? "\((seconds / 3_600).formatted()) h" : seconds >= 60 ? "\((seconds / 60).formatted()) min" : "\(seconds.formatted()) s"
    }
}

/// `/data-taking/runs/EXP:RUN`: one run's way through the handshake, with a shifter's buttons.
struct PromptRunPage: Page {
    let detail: PromptRunDetail
    let actor: Actor?
    var title: String { "Run \(detail.run.run) · PromptReco" }

    var body: HTML {
        let run = detail.run
        let events = detail.events.map { "<tr><td>\($0.at.short)</td><td>\($0.stage)</td><td>\($0.reason)</td><td>\($0.actor)</td></tr>" as HTML }
        let canDecide = (actor?.role ?? .viewer) >= .expert && run.releasedAt == nil && run.disposition != .abandoned
        let form: HTML =
            canDecide
            ? """
            <form method="post" action="/data-taking/runs/\(run.run)/disposition" id="disposition-form">
            <input type="text" name="reason" placeholder="What the shifter found" required>
            <button name="disposition" value="postponed" class="reject">Postpone</button> <button name="disposition" value="abandoned" class="reject">Abandon</button> <button name="disposition" value="normal">Go on</button>
            </form>
            """ : ""
        return """
            <p class="card">Stage: <b id="stage">\(run.stage)</b>\(run.dispositionReason.map { " — \($0)" as HTML } ?? "") · <a href="/runs/\(run.run.exp)/\(run.run.run)">the run in the registry</a> · <a href="/data-taking">all runs</a></p>
            \(form)
            <table id="events"><thead><tr><th>When</th><th>Stage</th><th>Why</th><th>By</th></tr></thead><tbody>\(events)</tbody></table>
            """
    }
}

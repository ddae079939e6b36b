import ConveyorConditions
import ConveyorCore
import ConveyorStore
import Foundation

/// The steps a workflow's action tasks may name, run inside Conveyor by the scheduler.
///
/// - `noop`: does nothing (joins branches, marks milestones).
/// - `gt.check`: fails when `tag` breaks the staging rules (gaps, overlaps, an open last IoV).
/// - `gt.merge`: merges `sources` (comma-separated, highest priority first) into `target`.
/// - `gt.running-update`: moves `staging` into `running` from run `valid_from` (EXP:RUN).
/// - `gt.prepare-staging`: creates `tag`, or checks it is OPEN and (with `empty: yes`) empties it.
/// - `request.calibrate`, `request.luminosity`: a request's calibration algorithm loop and its
///   luminosity account, central steps run by ``ConveyorRequests`` (plugged in as extensions).
/// - `gt.set-state`: moves `tag` through `state`, one state or a comma-separated path such as
///   `TESTING,VALIDATED` (a tag already at or past a state of the path continues from there).
public struct ActionSteps: Sendable {
    public static let names = [
        "noop", "gt.check", "gt.merge", "gt.running-update", "gt.prepare-staging", "gt.set-state",
        "request.calibrate", "request.luminosity",
    ]
    let store: Store
    /// Steps run by capabilities above the engine (`request.calibrate`, `request.luminosity`).
    let extensions: [String: any ActionStepRunner]

    public init(store: Store, extensions: [String: any ActionStepRunner] = [:]) {
        self.store = store
        self.extensions = extensions
    }

    /// Whether a step must record its effect to be safe to rerun. The others are idempotent by
    /// themselves: `gt.set-state` continues along its path from the tag's state, `gt.prepare-staging`
    /// finds its tag prepared, `gt.check` and `noop` change nothing. A merge or a running update
    /// applied twice would fail (the tag exists, valid_from is too early) or change the tag again.
    public static func recordsEffects(_ step: ActionStep) -> Bool {
        step.name == "gt.merge" || step.name == "gt.running-update"
    }

    /// Refuses unknown steps and missing parameters before a workflow runs.
    public static func validate(_ step: ActionStep, task: String) throws(ConveyorError) {
        let required: [String] =
            switch step.name {
            case "noop": []
            case "gt.check": ["tag"]
            case "gt.merge": ["sources", "target"]
            case "gt.running-update": ["running", "staging", "valid_from"]
            case "gt.prepare-staging": ["tag"]
            case "gt.set-state": ["tag", "state"]
            case "request.calibrate": ["request", "calibration"]
            case "request.luminosity": ["request"]
            default: throw .invalidInput("task \(task): unknown action '\(step.name)' (expected one of: \(names.joined(separator: ", ")))")
            }
        for key in required where (step.parameters[key] ?? "").isEmpty {
            throw .invalidInput("task \(task): action \(step.name) needs parameter '\(key)'")
        }
    }

    /// Runs a step. - Returns: a line saying what it did. - Throws: why it failed.
    public func run(_ step: ActionStep, as actor: Actor) async throws(ConveyorError) -> String {
        if let runner = extensions[step.name] { return try await runner.run(step, as: actor) }
        let conditions = ConditionsDatabase(store: store)
        let p = step.parameters
        switch step.name {
        case "noop":
            return "nothing to do"
        case "gt.check":
            let violations = try await conditions.check(tag: p["tag"]!)
            guard violations.isEmpty else {
                throw .conflict("\(p["tag"]!) breaks the staging rules: \(violations.prefix(3).map(\.description).joined(separator: "; "))")
            }
            return "\(p["tag"]!) passes the staging rules"
        case "gt.merge":
            let sources = p["sources"]!.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let merged = try await conditions.merge(sources, into: p["target"]!, by: actor)
            return "merged \(sources.joined(separator: ", ")) into \(merged.tag.name)"
        case "gt.running-update":
            let plan = try await conditions.runningUpdate(p["running"]!, from: p["staging"]!, validFrom: try ExpRun(parsing: p["valid_from"]!), by: actor)
            return "running update of \(p["running"]!) from \(p["staging"]!) at \(plan.validFrom): \(plan.changes.count) changes"
        case "gt.prepare-staging":
            return try await conditions.prepareStaging(p["tag"]!, empty: p["empty"] == "yes", by: actor)
        case "gt.set-state":
            var path: [GlobalTagState] = []
            for name in p["state"]!.split(separator: ",") { path.append(try GlobalTagState(parsing: name.trimmingCharacters(in: .whitespaces))) }
            let tag = try await conditions.tag(named: p["tag"]!)
            let remaining = path.firstIndex(of: tag.state).map { Array(path[($0 + 1)...]) } ?? path
            if remaining.isEmpty { return "\(tag.name) is already \(tag.state)" }
            for state in remaining { try await conditions.setState(ofTag: tag.name, to: state, by: actor) }
            return "\(tag.name): \(([tag.state] + remaining).map(\.rawValue).joined(separator: " → "))"
        default:
            if Self.names.contains(step.name) { throw .unavailable("action \(step.name) is not plugged into this scheduler") }
            throw .invalidInput("unknown action '\(step.name)'")
        }
    }
}

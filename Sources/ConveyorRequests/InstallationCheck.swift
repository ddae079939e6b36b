import ConveyorConditions
import ConveyorCore
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow

/// Holds a request against this installation before anything is generated: the bucket or runs,
/// the sites' pools, and the global tags it names must exist, in states that let the request run.
///
/// ```swift
/// let problems = try await InstallationCheck(store: store).problems(in: request)
/// // ["bucket 'bucket16' does not exist (conveyor bucket create …)", "prompt_tag: prompt is OPEN; a prompt request running-updates a RUNNING tag"]
/// ```
public struct InstallationCheck: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Every problem found, one line each (empty when the request can run here).
    public func problems(in request: ProcessingRequest) async throws(ConveyorError) -> [String] {
        var problems: [String] = []
        let registry = RunRegistry(store: store)
        if let bucket = request.bucket {
            do { _ = try await registry.bucket(named: bucket) } catch .notFound {
                problems.append("bucket '\(bucket)' does not exist (conveyor bucket create …)")
            }
        } else if request.monteCarlo != nil {
            // An MC production names its runs itself (run 0 of the geometry for run-independent MC).
        } else if let runs = request.runs, let query = request.runQuery {
            if try await registry.list(query).totals.runs == 0 { problems.append("runs: no run of \(runs) is registered") }
        }
        let pools = Set(try await Workflows(store: store).pools().map(\.name))
        for (i, site) in request.sites.enumerated() where !pools.contains(site.pool) {
            problems.append("sites[\(i)].pool: no pool '\(site.pool)' (conveyor pool add \(site.pool) …)")
        }
        let conditions = ConditionsDatabase(store: store)
        for (i, name) in request.globalTags.enumerated() {
            do {
                let tag = try await conditions.tag(named: name)
                if let reason = Self.refusal(of: tag.state, for: request.campaign) { problems.append("global_tags[\(i)]: \(name) is \(tag.state); \(reason)") }
            } catch .notFound {
                problems.append("global_tags[\(i)]: no global tag '\(name)'")
            }
        }
        if let prompt = request.promptTag {
            do {
                let tag = try await conditions.tag(named: prompt)
                if request.campaign == .prompt, tag.state != .running {
                    problems.append("prompt_tag: \(prompt) is \(tag.state); a prompt request running-updates a RUNNING tag")
                }
                if case .reprocessing = request.campaign { problems.append("prompt_tag: \(prompt) already exists; a reprocessing makes a new tag") }
            } catch .notFound {
                if request.campaign == .prompt { problems.append("prompt_tag: no global tag '\(prompt)'") }
            }
        }
        if let staging = request.stagingTag, !request.calibrations.isEmpty {
            do {
                let tag = try await conditions.tag(named: staging)
                if tag.state != .open { problems.append("staging_tag: \(staging) is \(tag.state); calibrations upload into an OPEN tag") }
            } catch .notFound {}  // created by the request's first step
        }
        return problems
    }

    /// Why a campaign may not read a tag in `state`, or nil when it may. OPEN tags may change under
    /// running jobs and INVALID ones must not be used at all; official processing (prompt, procN)
    /// also waits until a TESTING tag is validated, while unofficial and express processing may
    /// read one (user beware).
    static func refusal(of state: GlobalTagState, for campaign: ProcessingRequest.Campaign) -> String? {
        switch state {
        case .open: "an OPEN tag may still change while jobs read it (gt set-state it to TESTING or later)"
        case .invalid: "an INVALID tag may not be used"
        case .testing:
            switch campaign {
            case .prompt, .reprocessing: "prompt and reprocessing read only validated tags (VALIDATED, PUBLISHED or RUNNING)"
            case .unofficial, .express: nil
            }
        default: nil
        }
    }
}

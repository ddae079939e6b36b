/// The steps a request turns into, in the order of Belle II's prompt processing (DOMAIN.md, "The
/// flow"), with the dependencies between them and what each costs. The workflow generator and
/// the estimate read the same plan.
///
/// ```swift
/// let plan = RequestPlan(request)
/// plan.steps.map(\.name)   // ["staging", "local-calibrations", "raw-calibrations", "cdst-calibration-skims", …]
/// ```
public struct RequestPlan: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public enum Kind: String, Sendable { case job, signoff, action, wait }
        public let name: String
        public let kind: Kind
        public let dependsOn: [String]
        /// CPU-hours per /fb of input luminosity (jobs only).
        public let cpuHoursPerInverseFemtobarn: Double
        public let summary: String
    }

    public let steps: [Step]

    /// The one job step of an MC production.
    public static let generationStep = "mc-generation"

    /// CPU-hours per /fb by step, from seed 000: cDST of the HLT skims costs about 11,000 hCPU per
    /// /fb, mDST of the HLT skims the same, mDST of all events about 12 times that. Calibrations
    /// and skims are configured guesses until measured jobs replace them.
    public static let defaultCost: [String: Double] = [
        "raw-calibrations": 300, "cdst-calibration-skims": 11_000, "cdst-calibrations": 300,
        "hlt-skims": 50, "mdst-hlt-skims": 11_000, "mdst-all-events": 132_000, "quality-report": 50, "physics-skims": 2_000, "stripping": 2_000,
        "mc-generation": 0,
    ]

    public init(_ request: ProcessingRequest, cost: [String: Double] = RequestPlan.defaultCost) {
        var steps: [Step] = []
        var last: [String] = []
        func add(_ name: String, _ kind: Step.Kind, _ summary: String, after: [String]? = nil) {
            steps.append(
                Step(name: name, kind: kind, dependsOn: after ?? last, cpuHoursPerInverseFemtobarn: kind == .job ? cost[name] ?? 0 : 0, summary: summary))
            last = [name]
        }
        let calibrating = !request.calibrations.isEmpty
        if let mc = request.monteCarlo {
            let events = mc.runs.reduce(0) { $0 + $1.events }
            add(
                Self.generationStep, .job,
                "\(events) events of \(mc.eventType) \(mc.background.rawValue.uppercased()) in \(mc.runs.count) run(s), at most \(mc.eventsPerJob) per job")
            if !request.outputRules.isEmpty {
                add("outputs-placed", .wait, "\(request.outputRules.count) output rule(s) OK")
            }
            self.steps = steps
            return
        }
        if !request.hltSkims.isEmpty {
            add("hlt-skims", .job, "HLT skims of the raw data: \(request.hltSkims.joined(separator: ", "))")
        }
        switch request.campaign {
        case .prompt, .reprocessing:
            if calibrating {
                add("staging", .action, "create or empty \(request.stagingTag ?? "the staging tag")")
                add("local-calibrations", .signoff, "experts upload local-run payloads into \(request.stagingTag ?? "staging")")
                add("raw-calibrations", .job, "\(request.calibrations.count) calibration(s) on raw data")
                add("cdst-calibration-skims", .job, "cDST of the calibration skims with the new tracking")
                add("cdst-calibrations", .job, "calibrations on the cDST")
                add("staging-check", .action, "gt check \(request.stagingTag ?? "staging")")
                add("expert-signoffs", .signoff, "each calibration signed off by its expert")
                add("manager-signoff", .signoff, "the data-production manager signs off the whole")
                if case .prompt = request.campaign {
                    add("running-update", .action, "running update of \(request.promptTag ?? "the prompt tag") from \(request.stagingTag ?? "staging")")
                } else {
                    add("new-tag", .action, "merge \(request.stagingTag ?? "staging") into \(request.promptTag ?? "the new tag")")
                }
            }
        case .unofficial, .express:
            break
        }
        if request.outputs.contains(.mdst) {
            let from = last
            add("mdst-hlt-skims", .job, "mDST of the HLT skims first", after: from)
            add("mdst-all-events", .job, "mDST of all events")
        } else if request.outputs.contains(.cdst), !calibrating {
            add("cdst-calibration-skims", .job, "cDST production")
        }
        if let stripping = request.stripping {
            add(
                "stripping", .job,
                "round \(stripping.round): \(stripping.streams.count) stream(s) from each mDST: \(stripping.streams.map(\.name).joined(separator: ", "))")
        }
        add("luminosity", .job, "luminosity per bucket, from the outputs' provenance")
        add("quality-report", .job, "quality histograms against the reference")
        if !request.skims.isEmpty { add("physics-skims", .job, "\(request.skims.count) physics skim(s): \(request.skims.joined(separator: ", "))") }
        if !request.outputRules.isEmpty {
            add(
                "outputs-placed", .wait,
                "\(request.outputRules.count) output rule(s) OK: \(request.outputRules.map { "\($0.level.rawValue) on \($0.expression)" }.joined(separator: ", "))"
            )
        }
        self.steps = steps
    }
}

extension ProcessingRequest {
    /// The tag stack the calibration jobs and the cDST of the calibration skims read: the staging
    /// tag first, so that later calibrations see earlier ones.
    public var calibrationTags: [String] { (stagingTag.map { [$0] } ?? []) + globalTags }

    /// The tag stack the processing after the sign-offs reads.
    public var processingTags: [String] {
        switch campaign {
        case .prompt: (promptTag.map { [$0] } ?? []) + globalTags
        case .reprocessing: promptTag.map { [$0] } ?? globalTags
        case .unofficial, .express: globalTags
        }
    }

    /// Whether a step's jobs may read the OPEN staging tag: the calibration skims, made with the
    /// raw-data calibrations' constants before they are signed off. Every other job reads frozen tags.
    public func readsOpenStaging(step: String) -> Bool {
        step == "cdst-calibration-skims" && !calibrations.isEmpty && stagingTag != nil
    }

    /// The tags a step's jobs read.
    public func tags(forStep step: String) -> [String] {
        step == "cdst-calibration-skims" && !calibrations.isEmpty ? calibrationTags : processingTags
    }

    /// The tags one job reads: its step's, or for MC the stack of its run.
    public func tags(for job: RequestJob) -> [String] {
        if job.step == RequestPlan.generationStep, let run = monteCarlo?.run(job.run) { return run.globalTags }
        return tags(forStep: job.step)
    }

    /// The plan step a workflow task of the request belongs to (`calibrate:cdc` → raw- or
    /// cdst-calibrations, `mdst-all-events@DESY` → mdst-all-events, …).
    ///
    /// ```swift
    /// request.step(ofTask: "signoff:cdc")   // "expert-signoffs"
    /// ```
    public func step(ofTask task: String) -> String {
        let base = task.split(separator: "@", maxSplits: 1).first.map(String.init) ?? task
        if base.hasPrefix("calibrate:") {
            let name = String(base.dropFirst("calibrate:".count))
            return calibrations.first { $0.name == name }?.level == .cdst ? "cdst-calibrations" : "raw-calibrations"
        }
        if base.hasPrefix("signoff:") { return "expert-signoffs" }
        if base.hasPrefix("stage:") { return "tape-staging" }
        if base == "validate-staging" { return "running-update" }
        return base
    }
}

import ConveyorCore

extension RequestBuilder {
    /// An MC production's jobs: each run's events split into jobs of at most `events_per_job`,
    /// each with its seed and, with background, one of the run's random-trigger files in turn,
    /// at the first site that holds it. Without background every job runs at the first site.
    func monteCarloJobs(_ mc: ProcessingRequest.MonteCarlo) throws(ConveyorError) -> [RequestJob] {
        var background: [ExpRun: [CatalogFile]] = [:]
        if mc.background == .bgx1 {
            for file in context.inputFiles where file.level == .raw && file.dataTag == mc.backgroundTag && file.status == .good {
                background[file.run, default: []].append(file)
            }
        }
        let step = RequestPlan.generationStep
        var jobs: [RequestJob] = []
        for run in mc.runs {
            let files = (background[run.run] ?? []).sorted { $0.lfn < $1.lfn }
            if mc.background == .bgx1, files.isEmpty {
                throw .invalidInput("run \(run.run) has no good \(mc.backgroundTag) files to overlay background from: no job of it could start")
            }
            for (index, events) in MonteCarloPlan.split(run.events, perJob: mc.eventsPerJob).enumerated() {
                let overlay = files.isEmpty ? nil : files[index % files.count]
                let site = overlay.map { self.site(for: $0).name } ?? request.sites[0].name
                jobs.append(
                    RequestJob(
                        step: step, task: taskName(step, site: site), site: site, run: run.run, level: .mdst, dataTag: mc.eventType,
                        outputLFN: mc.lfn(run: run.run, sequence: request.firstSequence + index), inputs: overlay.map { [$0.lfn] } ?? [],
                        seed: MonteCarloPlan.seed(base: mc.seed, run: run.run, index: index), plannedEvents: events))
            }
        }
        return jobs
    }
}

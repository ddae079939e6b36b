import ConveyorCore

/// Which of a request's jobs may leave the site where they wait for staging, and where each job
/// step's elements sit: a site's own jobs first, then the reserves it holds for jobs that may move
/// there (``ElementMove``). Pure, so that the plan of a request can be read without a database.
///
/// A job moves with the jobs that read its outputs (its skims, its run's quality report), as one
/// group, so that no job is left at one site reading outputs written at another. A group moves only
/// when every job in it is still to run and the group's first jobs (those reading catalog files)
/// all wait at one staging wait.
///
/// ```swift
/// let plan = JobMovePlan(jobs: stored, open: nil, notOnDisk: notOnDisk, sites: ["KEKCC", "BNL"], taskName: builder.taskName)
/// plan.elements(step: "mdst-all-events", site: "BNL")   // BNL's jobs, then reserves for KEKCC's waiting ones
/// plan.moves(waitingIn: "mdst-all-events@KEKCC")        // the groups that may leave KEKCC
/// ```
public struct JobMovePlan: Sendable {
    /// An element of a job task: the job, and whether it is held in reserve for a move.
    public struct Slot: Sendable {
        public let job: RequestJob
        public let reserve: Bool
    }

    private var slots: [String: [Slot]] = [:]
    private var movesByTask: [String: [ElementMove]] = [:]

    /// - Parameters:
    ///   - jobs: every stored job of the request, in the order of their ids.
    ///   - open: the jobs still to run (all when nil).
    ///   - notOnDisk: per job task, the inputs not on disk at its site.
    ///   - sites: the request's sites, in their order of preference.
    ///   - taskName: the task of a step at a site.
    public init(jobs: [RequestJob], open: Set<Int64>?, notOnDisk: [String: [String]], sites: [String], taskName: (String, String) -> String) {
        let isOpen = { (job: RequestJob) in open?.contains(job.id) ?? true }
        var producer: [String: Int64] = [:]
        for job in jobs { if let output = job.outputLFN { producer[output] = job.id } }

        // Groups: a job and the jobs reading its outputs, transitively (union–find by job id).
        var parent: [Int64: Int64] = [:]
        func root(_ id: Int64) -> Int64 {
            var id = id
            while let up = parent[id], up != id {
                parent[id] = parent[up] ?? up
                id = up
            }
            return id
        }
        var pinned: Set<Int64> = []  // groups that hold a job already done
        for job in jobs {
            parent[job.id] = parent[job.id] ?? job.id
            for input in job.inputs {
                guard let from = producer[input] else { continue }
                parent[from] = parent[from] ?? from
                let (a, b) = (root(job.id), root(from))
                if a != b { parent[a] = b }
            }
        }
        for job in jobs where !isOpen(job) { pinned.insert(root(job.id)) }
        var groups: [Int64: [RequestJob]] = [:]
        for job in jobs { groups[root(job.id), default: []].append(job) }

        var reserves: [String: [RequestJob]] = [:]  // task → jobs held in reserve there
        var planned: [(task: String, inputs: [String], members: [RequestJob], targets: [String])] = []
        for key in groups.keys.sorted() where !pinned.contains(key) {
            let members = groups[key]!
            let first = members.filter { job in !job.inputs.contains { producer[$0] != nil } }
            guard let task = first.first?.task, first.allSatisfy({ $0.task == task }), let waiting = notOnDisk[task], !waiting.isEmpty else { continue }
            let site = first[0].site
            let waitingSet = Set(waiting)
            guard members.allSatisfy({ $0.site == site }), first.contains(where: { $0.inputs.contains(where: waitingSet.contains) }) else { continue }
            let targets = sites.filter { $0 != site }
            guard !targets.isEmpty else { continue }
            let inputs = Array(Set(first.flatMap(\.inputs))).sorted()
            for target in targets {
                for member in members { reserves[taskName(member.step, target), default: []].append(member) }
            }
            planned.append((task, inputs, members, targets))
        }

        // Each task's elements: its own open jobs, then its reserves.
        var index: [String: [Int64: Int]] = [:]  // task → job → element (reserves only; own jobs below)
        var own: [String: [Int64: Int]] = [:]
        for job in jobs where isOpen(job) {
            own[job.task, default: [:]][job.id] = slots[job.task, default: []].count
            slots[job.task, default: []].append(Slot(job: job, reserve: false))
        }
        for (task, held) in reserves {
            for job in held {
                index[task, default: [:]][job.id] = slots[task, default: []].count
                slots[task, default: []].append(Slot(job: job, reserve: true))
            }
        }
        for group in planned {
            let elements = group.members.map { ElementMove.Element(task: $0.task, index: own[$0.task]![$0.id]!) }
            let targets = group.targets.map { site in
                ElementMove.Target(
                    site: site,
                    elements: group.members.map { member in
                        let task = taskName(member.step, site)
                        return ElementMove.Element(task: task, index: index[task]![member.id]!)
                    })
            }
            movesByTask[group.task, default: []].append(ElementMove(inputs: group.inputs, elements: elements, targets: targets))
        }
    }

    /// The elements of a job task, in order: its own jobs still to run, then its reserves.
    public func elements(ofTask task: String) -> [Slot] { slots[task] ?? [] }

    /// The groups of jobs that may leave this job task for another site while they wait for staging.
    public func moves(waitingIn task: String) -> [ElementMove] { movesByTask[task] ?? [] }
}

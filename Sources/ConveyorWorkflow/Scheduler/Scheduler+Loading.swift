import ConveyorCore
import ConveyorStore

extension Scheduler {
    /// Forgets the mirrored state so that the next tick reloads it from the store (after a failed write).
    func reset() {
        tasks = [:]
        downstream = [:]
        elements = [:]
        workflowTasks = [:]
        openTasks = [:]
        lastExternalRead = nil
        lastWorkflowID = 0
        flights = [:]
        pollFailingSince = [:]
        loaded = false
        dirty = []
        queue = ReadyQueue()
        coolingOff = []
        nextWaitCheck = [:]
        changedTasks = [:]
        changedElements = [:]
        changedAttempts = []
        newSubmissions = []
        finishedSubmissions = []
        events = []
        finishedWorkflows = []
        appliedCommands = []
        submittedMarks = []
        touchedWorkflows = []
    }

    /// Adopts what a previous scheduler left in flight: submissions still open, with their live attempts.
    func loadOpenSubmissions() async throws {
        let (records, attempts) = try await store.read { session in
            let records = try await session.openSubmissions()
            return (records, try await session.liveAttempts(inSubmissions: records.map(\.uuid)))
        }
        let byUUID = Dictionary(grouping: attempts, by: \.submission)
        let now = ContinuousClock.now
        for record in records {
            let live = byUUID[record.uuid] ?? []
            guard let first = live.first else {
                finishedSubmissions.append(record.uuid)
                continue
            }
            flights[record.uuid] = Flight(
                record: record, taskID: first.taskID, attempts: Dictionary(live.map { ($0.arrayIndex, $0) }, uniquingKeysWith: { first, _ in first }),
                maybeSent: true, nextSend: now, sendFailures: 0, lastSeen: now)
        }
        loaded = true
    }

    /// Mirrors workflow runs submitted since the last look.
    func loadNewWorkflows() async throws {
        let after = lastWorkflowID
        let (ids, loadedTasks, states) = try await store.read { session in
            let ids = try await session.runningWorkflowIDs(after: after)
            let tasks = try await session.tasks(ofWorkflows: ids)
            let states = try await session.elementStates(ofTasks: tasks.filter { $0.definition.kind == .job }.map(\.id))
            return (ids, tasks, states)
        }
        guard let last = ids.last else { return }
        lastWorkflowID = last
        for id in ids { workflowTasks[id] = [] }
        let now = ContinuousClock.now
        for task in loadedTasks {
            tasks[task.id] = task
            workflowTasks[task.workflowID, default: []].append(task.id)
            if !task.state.isFinal { openTasks[task.workflowID, default: 0] += 1 }
            for upstream in task.upstream { downstream[upstream, default: []].append(task.id) }
            if let s = states[task.id] { elements[task.id] = s }
            switch task.state {
            case .pending: dirty.insert(task.id)
            case .cooloff:
                coolingOff.insert(task.id)
            case .ready, .submitted, .running:
                if task.definition.kind == .job, states[task.id]?.contains(.pending) == true { queue.insert(task.id, priority: task.definition.priority) }
                if task.definition.kind == .job { dirty.insert(task.id) }
                if task.definition.kind == .wait { nextWaitCheck[task.id] = now }
                if task.definition.kind == .action { dirty.insert(task.id) }
            default: break
            }
        }
        // Workflows whose tasks are all final (a crash between the last task and the workflow's end).
        for id in ids { touchedWorkflows.insert(id) }
    }
}

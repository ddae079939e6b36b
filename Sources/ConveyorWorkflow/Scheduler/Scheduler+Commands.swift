import ConveyorCore
import ConveyorExecutors
import ConveyorStore

extension Scheduler {
    /// Applies the commands people queued, oldest first. Each records its result.
    func applyCommands(_ now: Timestamp) async throws {
        let commands = try await store.read { try await $0.pendingCommands() }
        for command in commands {
            appliedCommands.append((command.id, try await apply(command, now)))
        }
    }

    private func apply(_ command: WorkflowCommand, _ now: Timestamp) async throws -> String {
        let who = command.actor
        if command.kind == .cancelWorkflow {
            guard let ids = workflowTasks[command.workflowID] else { return "refused: workflow \(command.workflowID) is not running" }
            for id in ids where !(tasks[id]?.state.isFinal ?? true) { try await cancelTask(id, by: who, reason: command.comment, now) }
            finishedWorkflows.append((command.workflowID, .cancelled))
            events.append(
                WorkflowEvent(
                    workflowID: command.workflowID, taskID: nil, at: now, actor: who, kind: "workflow", from: "running", to: "cancelled",
                    detail: command.comment))
            forget(workflow: command.workflowID)
            return "cancelled"
        }
        guard let id = command.taskID, var task = tasks[id] else { return "refused: the task is not part of a running workflow" }
        switch command.kind {
        case .approve, .reject:
            guard task.state == .awaiting_signoff else { return "refused: \(task.name) is \(task.state), not awaiting sign-off" }
            task.decidedBy = who
            task.decisionComment = command.comment
            save(task)
            let approved = command.kind == .approve
            let outcome: TaskState = approved ? .succeeded : (task.definition.onReject == .skip ? .skipped : .failed)
            setState(id, to: outcome, detail: "\(approved ? "approved" : "rejected") by \(who): \(command.comment)", by: who, at: now)
            return approved ? "approved" : "rejected"
        case .resume, .retry:
            let allowed: Set<TaskState> = command.kind == .resume ? [.paused] : [.paused, .failed, .upstream_failed]
            guard allowed.contains(task.state) else { return "refused: \(task.name) is \(task.state)" }
            if command.kind == .retry {
                task.tries = 0
                save(task)
            }
            if task.definition.kind == .job {
                let again = (elements[id] ?? []).indices.filter { elements[id]![$0] != .succeeded && elements[id]![$0] != .skipped }
                setElements(id, again, to: .pending)
                queue.insert(id, priority: task.definition.priority)
                setState(id, to: .ready, detail: "\(command.kind.rawValue) by \(who)\(command.comment.isEmpty ? "" : ": \(command.comment)")", by: who, at: now)
            } else {
                setState(id, to: .pending, detail: "\(command.kind.rawValue) by \(who)", by: who, at: now)
                dirty.insert(id)
            }
            if command.kind == .retry { reopenDownstream(of: id, by: who, now) }
            return command.kind == .resume ? "resumed" : "retrying"
        case .markSucceeded:
            guard [.paused, .failed, .upstream_failed].contains(task.state) else { return "refused: \(task.name) is \(task.state)" }
            if let states = elements[id] { setElements(id, states.indices.filter { states[$0] != .succeeded && states[$0] != .skipped }, to: .succeeded) }
            coolingOff.remove(id)
            setState(id, to: .succeeded, detail: "marked succeeded by \(who)\(command.comment.isEmpty ? "" : ": \(command.comment)")", by: who, at: now)
            reopenDownstream(of: id, by: who, now)
            return "marked succeeded"
        case .cancelTask:
            guard !task.state.isFinal else { return "refused: \(task.name) is already \(task.state)" }
            try await cancelTask(id, by: who, reason: command.comment, now)
            return "cancelled"
        case .cancelWorkflow:
            return "unreachable"
        }
    }

    /// Tasks that gave up because of this one may run once it does.
    private func reopenDownstream(of id: Int64, by who: String, _ now: Timestamp) {
        var stack = downstream[id] ?? []
        while let next = stack.popLast() {
            guard let task = tasks[next], task.state == .upstream_failed || task.state == .skipped else { continue }
            setState(next, to: .pending, detail: "reopened: upstream is tried again", by: who, at: now)
            dirty.insert(next)
            stack += downstream[next] ?? []
        }
    }

    func cancelTask(_ id: Int64, by who: String, reason: String, _ now: Timestamp) async throws {
        for (uuid, flight) in flights where flight.taskID == id {
            if flight.record.state == .submitted, let pool = pools[flight.record.pool], let externalID = flight.record.externalID {
                try? await executors.executor(for: pool).cancel(
                    TrackedSubmission(
                        uuid: uuid, externalID: externalID, directory: flight.record.directory,
                        arrayIndices: Array(flight.attempts.keys)))
            }
            for var attempt in flight.attempts.values {
                attempt.state = .cancelled
                attempt.reason = "cancelled by \(who)"
                attempt.finishedAt = now
                changedAttempts.append(attempt)
            }
            flights[uuid] = nil
            finishedSubmissions.append(uuid)
        }
        if let states = elements[id] { setElements(id, states.indices.filter { !states[$0].isFinal }, to: .cancelled) }
        setState(id, to: .cancelled, detail: reason.isEmpty ? "cancelled by \(who)" : "cancelled by \(who): \(reason)", by: who, at: now)
    }

    func forget(workflow id: Int64) {
        for task in workflowTasks[id] ?? [] {
            tasks[task] = nil
            elements[task] = nil
            downstream[task] = nil
            dirty.remove(task)
            queue.remove(task)
            coolingOff.remove(task)
            nextWaitCheck[task] = nil
        }
        workflowTasks[id] = nil
        openTasks[id] = nil
    }
}

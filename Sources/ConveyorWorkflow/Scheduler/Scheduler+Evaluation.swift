import ConveyorCore
import ConveyorStore
import Foundation

extension Scheduler {
    /// Decides what may run: cool-offs that are over, tasks whose upstream changed, wait conditions due.
    func evaluate(_ now: Timestamp) async throws {
        for id in coolingOff {
            guard let task = tasks[id], let at = task.retryAt, at <= now else { continue }
            coolingOff.remove(id)
            if task.definition.kind == .job {
                let failed = (elements[id] ?? []).indices.filter { elements[id]![$0] == .failed }
                setElements(id, failed, to: .pending)
                queue.insert(id, priority: task.definition.priority)
                setState(id, to: .ready, detail: "cool-off over: try \(task.tries + 1) of \(failed.count) element(s)", at: now)
            } else {
                setState(id, to: .pending, detail: "cool-off over: try \(task.tries + 1)", at: now)
                dirty.insert(id)
            }
        }
        while let id = dirty.popFirst() {
            guard let task = tasks[id] else { continue }
            switch task.state {
            case .pending:
                switch task.definition.trigger.decide(task.upstream.map { tasks[$0]?.state ?? .succeeded }) {
                case .wait: break
                case .skip: setState(id, to: .skipped, detail: "\(task.definition.trigger.rawValue): upstream skipped", at: now)
                case .upstreamFailed: setState(id, to: .upstream_failed, detail: "\(task.definition.trigger.rawValue): upstream failed", at: now)
                case .run: try await start(task, now)
                }
            case .ready, .submitted, .running:
                if task.definition.kind == .job { finishIfDone(task, now) }
                if task.definition.kind == .action { try await runAction(task, now) }
            default:
                break
            }
        }
        let instant = ContinuousClock.now
        for (id, due) in nextWaitCheck where due <= instant {
            guard let task = tasks[id], var condition = task.definition.wait else { continue }
            do {
                if let moves = task.definition.moves, !moves.isEmpty, case .filesOnDisk(let site, let lfns) = condition {
                    // Inputs whose jobs left for another site are no longer waited for here.
                    let gone = try await moveWaitingElements(of: task, site: site, moves, now)
                    if !gone.isEmpty { condition = .filesOnDisk(site: site, lfns: lfns.filter { !gone.contains($0) }) }
                }
                if try await condition.isMet(in: store, now: now) {
                    setState(id, to: .succeeded, detail: "condition met: \(condition.summary)", at: now)
                } else {
                    nextWaitCheck[id] = instant + configuration.waitCheckInterval
                }
            } catch {
                fail(task, reason: "checking \(condition.summary): \(error.message)", now)
            }
        }
    }

    private func start(_ task: WorkflowTask, _ now: Timestamp) async throws {
        switch task.definition.kind {
        case .job:
            let pool = task.definition.pool ?? WorkflowDefinition.defaultPool
            guard pools[pool] != nil else {
                setElements(task.id, (elements[task.id] ?? []).indices.map { $0 }, to: .failed)
                setState(task.id, to: .failed, detail: "pool \(pool) does not exist (conveyor pool add \(pool) …)", at: now)
                return
            }
            let states = elements[task.id] ?? []
            let toRun = states.filter { $0 == .pending }.count
            let held = states.count - toRun
            queue.insert(task.id, priority: task.definition.priority)
            setState(
                task.id, to: .ready,
                detail:
                    "\(toRun) element(s) for pool \(task.definition.pool ?? WorkflowDefinition.defaultPool)\(held > 0 ? " (\(held) moved away or held in reserve)" : "")",
                at: now)
            // A task whose jobs all went to other sites (or that holds only reserves) has nothing to run.
            if toRun == 0 { finishIfDone(tasks[task.id] ?? task, now) }
        case .signoff:
            setState(task.id, to: .awaiting_signoff, detail: "waiting for a \(task.definition.role?.rawValue ?? "manager") to approve or reject", at: now)
        case .wait:
            setState(task.id, to: .running, detail: "waiting: \(task.definition.wait?.summary ?? "")", at: now)
            nextWaitCheck[task.id] = ContinuousClock.now
        case .action:
            setState(task.id, to: .running, detail: "action \(task.definition.action?.name ?? "")", at: now)
            try await runAction(tasks[task.id]!, now)
        }
    }

    /// Runs an action step. Its writes are its own transactions, committed before this tick's
    /// write records the task's end, so a crash in between runs the step again: steps that are not
    /// idempotent by themselves record their effect with the task's try in the transaction of the
    /// effect, and a rerun that finds the record succeeds without applying it twice.
    private func runAction(_ task: WorkflowTask, _ now: Timestamp) async throws {
        guard let step = task.definition.action else { return }
        let (id, attempt) = (task.id, task.tries)
        do {
            let result: String
            if ActionSteps.recordsEffects(step) {
                if let done = try await store.read({ try await $0.actionEffect(task: id, attempt: attempt) }) {
                    setState(
                        task.id, to: .succeeded, detail: "\(step.name) was applied by try \(attempt + 1) at \(done.doneAt) (\(done.result)); not applied again",
                        at: now)
                    return
                }
                let kind = step.name
                result = try await Store.withWriteCheck({ session in
                    try await session.recordActionEffect(task: id, attempt: attempt, kind: kind, result: "applied", at: .now)
                }) {
                    try await actions.run(step, as: Actor(name: "scheduler", role: .manager))
                }
            } else {
                result = try await actions.run(step, as: Actor(name: "scheduler", role: .manager))
            }
            // Its own end, not the tick's start: a calibration's algorithm may run for minutes.
            setState(task.id, to: .succeeded, detail: result, at: .now)
        } catch let error where SchedulerLease.isLost(error) {
            throw error
        } catch {
            fail(tasks[task.id] ?? task, reason: (error as? ConveyorError)?.message ?? "\(error)", .now)
        }
    }

    /// A job task whose elements are all final has succeeded, or failed this try.
    func finishIfDone(_ task: WorkflowTask, _ now: Timestamp) {
        let states = elements[task.id] ?? []
        guard !states.contains(where: { $0 == .pending || $0 == .submitted || $0 == .running }) else { return }
        // Skipped elements moved to another site or are reserves that were never needed.
        let counted = states.filter { $0 != .skipped }.count
        let failed = states.filter { $0 != .succeeded && $0 != .skipped }.count
        if failed == 0 {
            let held = states.count - counted
            let detail =
                if counted == 0 {
                    "nothing to run here: \(held) element(s) moved to another site or held in reserve"
                } else {
                    counted == 1 && held == 0
                        ? "succeeded" : "all \(counted) element(s) succeeded\(held > 0 ? " (\(held) moved to another site or held in reserve)" : "")"
                }
            setState(task.id, to: .succeeded, detail: detail, at: now)
        } else {
            fail(task, reason: "\(failed) of \(counted) element(s) failed", now)
        }
    }

    /// Counts a failed try and cools off, pauses or fails as the retry policy says.
    func fail(_ task: WorkflowTask, reason: String, _ now: Timestamp) {
        var task = task
        task.tries += 1
        let policy = task.definition.retry
        switch policy.afterFailure(tries: task.tries) {
        case .cooloff(let seconds):
            task.retryAt = Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch + Int64(seconds * 1_000_000))
            save(task)
            coolingOff.insert(task.id)
            setState(task.id, to: .cooloff, detail: "try \(task.tries) failed: \(reason); next try in \(seconds.formatted()) s", at: now)
        case .pause:
            save(task)
            setState(task.id, to: .paused, detail: "try \(task.tries) failed: \(reason); paused for a person (resume, retry or cancel)", at: now)
        case .fail:
            save(task)
            setState(
                task.id, to: .failed, detail: "try \(task.tries) failed: \(reason)\(policy.limit > 0 ? "; retry limit \(policy.limit) reached" : "")", at: now)
        }
    }

    /// Ends workflows whose tasks are all final.
    func finishWorkflows(_ now: Timestamp) {
        for id in touchedWorkflows {
            guard let ids = workflowTasks[id], openTasks[id, default: 0] <= 0 else { continue }
            let ok = ids.allSatisfy { tasks[$0]?.state == .succeeded || tasks[$0]?.state == .skipped }
            let state: WorkflowState = ok ? .succeeded : .failed
            finishedWorkflows.append((id, state))
            events.append(
                WorkflowEvent(
                    workflowID: id, taskID: nil, at: now, actor: actor, kind: "workflow", from: "running", to: state.rawValue,
                    detail: ok ? "every task succeeded or was skipped" : "\(ids.filter { tasks[$0]?.state.isFailure ?? false }.count) task(s) failed"))
            forget(workflow: id)
        }
        touchedWorkflows = []
    }
}

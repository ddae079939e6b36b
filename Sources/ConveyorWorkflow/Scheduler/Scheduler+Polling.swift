import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import Foundation

extension Scheduler {
    /// Asks each pool's executor about its submissions (one poll per pool per tick) and applies the reports.
    func pollExecutors(_ now: Timestamp) async throws {
        var byPool: [String: [TrackedSubmission]] = [:]
        for (uuid, flight) in flights where flight.record.state == .submitted {
            guard let external = flight.record.externalID else { continue }
            byPool[flight.record.pool, default: []].append(
                TrackedSubmission(
                    uuid: uuid, externalID: external, directory: flight.record.directory,
                    arrayIndices: flight.attempts.keys.sorted()))
        }
        for (poolName, tracked) in byPool {
            guard let pool = pools[poolName] else { continue }
            let reports: [BatchJobStatus]
            do {
                reports = try await executors.executor(for: pool).poll(tracked)
            } catch {
                // A failing status command is tried again next cycle; jobs stay tracked, and the
                // time the batch system cannot answer does not count towards a job being lost.
                if pollFailingSince[poolName] == nil { pollFailingSince[poolName] = ContinuousClock.now }
                logger.warning("polling pool \(poolName) failed: \(error.message)")
                continue
            }
            let instant = ContinuousClock.now
            if let since = pollFailingSince.removeValue(forKey: poolName) {
                let outage = instant - since
                for (uuid, flight) in flights where flight.record.pool == poolName { flights[uuid]?.lastSeen = flight.lastSeen + outage }
                logger.notice("pool \(poolName) answers again after \(outage) without an answer; its jobs' ages were kept")
            }
            for report in reports { apply(report, now, instant) }
        }
        try await sweepLostJobs(now)
    }

    /// Jobs the batch system has not reported for `lostAfter` (while it answered for others) are
    /// cancelled, so that no copy can still be running, and then failed as lost, to be retried.
    /// A job whose cancellation fails stays tracked until the batch system takes the call.
    func sweepLostJobs(_ now: Timestamp) async throws {
        let instant = ContinuousClock.now
        let lost = flights.filter { _, flight in
            flight.record.state == .submitted && pollFailingSince[flight.record.pool] == nil && instant - flight.lastSeen > configuration.lostAfter
        }
        for (uuid, flight) in lost.sorted(by: { $0.key < $1.key }) {
            guard let pool = pools[flight.record.pool], let external = flight.record.externalID else { continue }
            let tracked = TrackedSubmission(uuid: uuid, externalID: external, directory: flight.record.directory, arrayIndices: flight.attempts.keys.sorted())
            do {
                try await fence?.confirm(maxAge: .seconds(1))
                try await executors.executor(for: pool).cancel(tracked)
            } catch let error where SchedulerLease.isLost(error) {
                throw error
            } catch {
                logger.warning("cancelling lost submission \(uuid) failed, trying again later: \(String(describing: error))")
                continue
            }
            for attempt in flight.attempts.values {
                apply(
                    BatchJobStatus(
                        uuid: uuid, arrayIndex: attempt.arrayIndex, state: .failed,
                        reason: "lost: not reported by the batch system for \(configuration.lostAfter); cancelled before a new try"), now, instant)
            }
        }
    }

    /// Has the accountants judge the elements that ended in this tick by their reports (one call,
    /// and so one transaction, per accountant), then applies their verdicts. When an accountant
    /// fails, its elements stay tracked and are reported and accounted again next tick.
    func accountEnded(_ now: Timestamp) async throws {
        guard !endedForAccounting.isEmpty else { return }
        let ended = endedForAccounting
        endedForAccounting = []
        var byAccountant: [String: [(status: BatchJobStatus, ended: EndedJob)]] = [:]
        for item in ended { byAccountant[item.accountant, default: []].append((item.status, item.ended)) }
        let instant = ContinuousClock.now
        for (name, items) in byAccountant.sorted(by: { $0.key < $1.key }) {
            guard let accountant = configuration.plugins.accountants[name] else {
                for item in items {
                    var status = item.status
                    status.state = .failed
                    status.reason = "no accountant '\(name)' in this scheduler to read the job's report"
                    apply(status, now, instant, accounted: true)
                }
                continue
            }
            let verdicts: [JobVerdict]
            do {
                verdicts = try await accountant.account(items.map(\.ended))
            } catch {
                logger.warning("accounting \(items.count) ended job(s) failed, trying again next tick: \(error.message)")
                continue
            }
            for (item, verdict) in zip(items, verdicts) {
                var status = item.status
                status.state = verdict.succeeded ? .succeeded : .failed
                status.reason = verdict.detail
                apply(status, now, instant, accounted: true)
            }
        }
    }

    func apply(_ report: BatchJobStatus, _ now: Timestamp, _ instant: ContinuousClock.Instant, accounted: Bool = false) {
        guard var flight = flights[report.uuid], var attempt = flight.attempts[report.arrayIndex] else { return }
        if !accounted, report.state == .succeeded || report.state == .failed, let task = tasks[attempt.taskID], let name = task.definition.accountant,
            let pool = pools[flight.record.pool]
        {
            // Judged by its report, not by its exit code: the accountant decides this tick.
            flight.lastSeen = instant
            flights[report.uuid] = flight
            endedForAccounting.append(
                (
                    report, name,
                    EndedJob(
                        element: task.definition.commands[attempt.element],
                        folder: "\(flight.record.directory)/\(attempt.arrayIndex)", pool: pool, status: report)
                ))
            return
        }
        flight.lastSeen = instant
        defer {
            if flight.attempts.isEmpty {
                flights[report.uuid] = nil
                finishedSubmissions.append(report.uuid)
            } else {
                flights[report.uuid] = flight
            }
        }
        switch report.state {
        case .queued:
            return
        case .running:
            guard attempt.state != .running else { return }
            attempt.state = .running
            attempt.startedAt = now
            flight.attempts[report.arrayIndex] = attempt
            changedAttempts.append(attempt)
            setElements(attempt.taskID, [attempt.element], to: .running)
            if tasks[attempt.taskID]?.state == .submitted { setState(attempt.taskID, to: .running, at: now) }
        case .succeeded, .failed, .cancelled:
            attempt.state = report.state == .succeeded ? .succeeded : report.state == .cancelled ? .cancelled : .failed
            attempt.exitCode = report.exitCode
            attempt.reason = report.reason
            attempt.wallSeconds = report.wallSeconds
            attempt.cpuSeconds = report.cpuSeconds
            attempt.maxRSSKilobytes = report.maxRSSKilobytes
            // A job that ran between two looks: its start is its end less its wall time.
            attempt.startedAt =
                attempt.startedAt
                ?? report.wallSeconds.map { Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch - Int64($0 * 1_000_000)) } ?? now
            attempt.finishedAt = now
            flight.attempts[report.arrayIndex] = nil
            changedAttempts.append(attempt)
            setElements(attempt.taskID, [attempt.element], to: report.state == .succeeded ? .succeeded : .failed)
            if report.state != .succeeded, let task = tasks[attempt.taskID] {
                events.append(
                    WorkflowEvent(
                        workflowID: task.workflowID, taskID: task.id, at: now, actor: actor, kind: "attempt",
                        detail: "element \(attempt.element) try \(attempt.attempt): \(report.reason ?? report.state.rawValue)"))
            }
            dirty.insert(attempt.taskID)
            activity.finishedElements += 1
        }
    }
}

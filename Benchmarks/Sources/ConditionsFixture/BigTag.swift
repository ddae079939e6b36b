import ConveyorConditions
import ConveyorCore
import ConveyorStore
import Foundation

/// The conditions workload of issue 3: one tag of `names` payload names × `iovsPerName` IoVs.
///
/// Each name cycles through `revisionsPerName` payload revisions (so the payload table stays
/// small); IoVs are five runs wide in experiment 10, the last one open.
public enum BigTag {
    public static let experiment = 10
    public static let runsPerIoV = 5

    /// Creates `tag` (state RUNNING unless told otherwise) and fills it in one transaction.
    /// The first `shiftedNames` names use revisions shifted by `shiftRevisions`, so two tags built
    /// with and without a shift differ in exactly those names.
    public static func build(
        in store: Store, tag: String, names: Int = 500, iovsPerName: Int = 2_000, revisionsPerName: Int = 10,
        state: GlobalTagState = .running, payloadSeed: String = "", shiftRevisions: Int = 0, shiftedNames: Int = 0
    ) async throws {
        let actor = Actor.localOperator(named: "bench")
        try await store.write { session in
            let now = Timestamp.now
            let created = try await session.insertGlobalTag(name: tag, description: "benchmark", type: .data, state: state, at: now, by: actor.name)
            var iovs: [NewIoV] = []
            iovs.reserveCapacity(names * iovsPerName)
            for n in 0..<names {
                var payloadIDs: [Int64] = []
                for r in 0..<revisionsPerName {
                    let bytes = Data("\(payloadSeed)payload \(n) revision \(r)".utf8)
                    let sums = PayloadChecksums(of: bytes)
                    let (payload, _) = try await session.insertPayload(
                        name: name(n), bytes: bytes, sha256: sums.sha256, md5: sums.md5, description: "", at: now, by: actor.name)
                    payloadIDs.append(payload.id)
                }
                for i in 0..<iovsPerName {
                    let start = ExpRun(exp: experiment, run: i * runsPerIoV)
                    let iov: IntervalOfValidity =
                        i == iovsPerName - 1
                        ? .from(start)
                        : .between(start, .run(ExpRun(exp: experiment, run: i * runsPerIoV + runsPerIoV - 1)))
                    let shift = n < shiftedNames ? shiftRevisions : 0
                    iovs.append(NewIoV(payloadID: payloadIDs[(i + shift) % revisionsPerName], iov: iov))
                }
            }
            try await session.insertIoVs(iovs, intoTag: created.id, at: now)
        }
    }

    /// A VALIDATED staging tag with one open IoV from (0,0) for each of the names.
    public static func buildStaging(in store: Store, tag: String, names: Int = 500, seed: String) async throws {
        let actor = Actor.localOperator(named: "bench")
        try await store.write { session in
            let now = Timestamp.now
            let created = try await session.insertGlobalTag(
                name: tag, description: "benchmark staging", type: .data, state: .validated, at: now, by: actor.name)
            var iovs: [NewIoV] = []
            for n in 0..<names {
                let bytes = Data("staging \(seed) \(n)".utf8)
                let sums = PayloadChecksums(of: bytes)
                let (payload, _) = try await session.insertPayload(
                    name: name(n), bytes: bytes, sha256: sums.sha256, md5: sums.md5, description: "", at: now, by: actor.name)
                iovs.append(NewIoV(payloadID: payload.id, iov: .from(ExpRun(exp: 0, run: 0))))
            }
            try await session.insertIoVs(iovs, intoTag: created.id, at: now)
        }
    }

    public static func name(_ n: Int) -> String { "Payload\(n)" }

    /// A run inside the tag's coverage.
    public static func randomRun(iovsPerName: Int = 2_000, using generator: inout some RandomNumberGenerator) -> ExpRun {
        ExpRun(exp: experiment, run: Int.random(in: 0..<(iovsPerName * runsPerIoV), using: &generator))
    }
}

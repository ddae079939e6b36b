import ConveyorCore
import ConveyorRequests
import ConveyorStore
import Foundation

extension LiveFeeder {
    /// Hands the run stream's new raw files to express as one new request (a chunk), submits any
    /// chunk a crash left without its request, and fills in what the machine needs to know.
    /// Request names are fixed by run, stream and chunk, so a chunk is never submitted twice.
    /// - Returns: how many express requests it submitted.
    func feedExpress(
        _ stream: inout LiveStream, _ settings: DataTakingConfiguration.Stream, _ express: DataTakingConfiguration.Express,
        _ configuration: DataTakingConfiguration, _ facts: inout LiveStreamMachine.Facts, arrived all: [(lfn: String, dataTag: String?, at: Timestamp)],
        states known: [String: String?]
    ) async throws(ConveyorError) -> Int {
        let (run, name) = (stream.run, stream.stream)
        let arrived = all.filter { settings.contains(dataTag: $0.dataTag) }
        let taken = arrived.filter { DataTakingConfiguration.expressTakes(lfn: $0.lfn, dataTag: $0.dataTag, express: express) }.map(\.lfn)
        let passed = Set(arrived.map(\.lfn)).subtracting(taken).sorted()
        if !taken.isEmpty || !passed.isEmpty {
            let chunk = stream.expressChunks
            if !taken.isEmpty {
                stream.expressFiles += taken.count
                stream.expressChunks += 1
            }
            let changed = stream
            try await store.write { session in
                if !taken.isEmpty { try await session.insertExpressFiles(taken, stream: name, run: run, chunk: chunk) }
                if !passed.isEmpty { try await session.insertExpressFiles(passed, stream: name, run: run, chunk: -1) }
                try await session.updateLiveStream(changed)
                if !taken.isEmpty {
                    try await session.appendLiveStreamEvent(
                        LiveStreamEvent(
                            run: run, stream: name, at: .now, stage: "express",
                            reason:
                                "\(taken.count) file(s) to \(LiveStream.expressRequestName(run, stream: name, chunk: chunk))\(passed.isEmpty ? "" : "; \(passed.count) outside the express selection")"
                        ))
                }
            }
        }

        let names = Self.expressRequestNames(stream)
        var states = known
        let unknown = names.filter { known[$0] == nil }
        if !unknown.isEmpty {
            // Chunks this cycle made, or ones a crash left without a request: read them here.
            for (request, state) in try await store.read({ try await $0.requestWorkflowStates(unknown) }) { states[request] = state }
        }
        var submitted = 0
        for (chunk, request) in names.enumerated() where states[request] == nil {
            do {
                let data = try await expressRequest(request, run: run, stream: name, chunk: chunk, express: express, configuration)
                _ = try await Requests(store: store).submit(data, name: "\(request).json", by: actor)
                submitted += 1
                states[request] = .some(WorkflowState.running.rawValue)
            } catch {
                try await record(stream, event: "express", "\(request) not submitted, tried again next cycle: \(error.message)", at: .now)
            }
        }
        let open = names.filter { states[$0] != .some(WorkflowState.succeeded.rawValue) }
        facts.chunksOpen = open.count
        if open.isEmpty, !names.isEmpty, stream.expressLatencySeconds == nil || !taken.isEmpty,
            let last = try await store.read({ try await $0.lastOutputRegistered(requests: names) }),
            let raw = try await store.read({ try await $0.lastRawFileRegistered(run) })
        {
            stream.expressLatencySeconds = max(0, last.seconds(since: raw))
        }
        return submitted
    }

    static func expressRequestNames(_ stream: LiveStream) -> [String] {
        (0..<stream.expressChunks).map { LiveStream.expressRequestName(stream.run, stream: stream.stream, chunk: $0) }
    }

    /// The express request of one chunk: the chunk's files, with the express tags, numbered on
    /// after the chunks before it; its outputs kept for the express lifetime where configured.
    func expressRequest(
        _ request: String, run: ExpRun, stream: String, chunk: Int, express: DataTakingConfiguration.Express, _ configuration: DataTakingConfiguration
    ) async throws(ConveyorError) -> Data {
        let (files, before) = try await store.read { session in
            (try await session.expressFiles(run, stream: stream, chunk: chunk), try await session.expressFileCount(run, stream: stream, below: chunk))
        }
        var input: [String: Any] = ["level": "raw", "files": files]
        if !express.hltSkims.isEmpty, !express.selection.isEmpty { input["selection"] = express.selection }
        var commands = ["reconstruction": configuration.commands.reconstruction]
        if !express.hltSkims.isEmpty, let skim = configuration.commands.hltSkim { commands["hlt_skim"] = skim }
        var body: [String: Any] = [
            "name": request, "campaign": "express", "runs": "\(run.exp):\(run.run)-\(run.run)", "release": configuration.release,
            "input": input, "outputs": express.outputs.map(\.rawValue), "global_tags": configuration.expressTags,
            "sites": [Self.site(configuration.site)], "commands": commands, "output_base": configuration.outputBase, "first_sequence": before,
        ]
        if !express.hltSkims.isEmpty { body["hlt_skims"] = express.hltSkims }
        if let lifetime = configuration.expressLifetimeSeconds, let keep = configuration.expressKeepOn {
            body["output_rules"] = express.outputs.map { ["level": $0.rawValue, "rse": keep, "lifetime": "\(lifetime)s"] }
        }
        return try Self.json(body)
    }

    static func site(_ site: ProcessingRequest.Site) -> [String: Any] {
        site.storage.isEmpty ? ["name": site.name, "pool": site.pool] : ["name": site.name, "pool": site.pool, "storage": site.storage]
    }

    static func json(_ body: [String: Any]) throws(ConveyorError) -> Data {
        do { return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) } catch {
            throw .storeFailure("cannot write a request: \(error.localizedDescription)")
        }
    }
}

extension DataTakingConfiguration {
    static let levels = RequestSchema.Kind.list(.choice(["cdst", "mdst"]))

    /// Every key a data-taking configuration may hold: the reader and the published JSON Schema
    /// are made from this one table.
    public static let fields: [RequestSchema.Field] = [
        .init(
            "global",
            .object([
                .init("release", .text, required: true, "the software release express and PromptReco run, recorded on every output"),
                .init("express_tags", .list(.text), required: true, "global tags express runs with, highest priority first"),
                .init("prompt_tags", .list(.text), required: true, "global tags PromptReco runs with; the first is its prompt tag"),
                .init(
                    "site",
                    .object([
                        .init("name", .text, required: true, "the site"),
                        .init("pool", .text, required: true, "the workflow pool that runs express and PromptReco jobs"),
                        .init("storage", .text, "prefix of the site's copies (default: the LFN itself)"),
                    ]), required: true, "where the jobs run"),
                .init("output_base", .text, required: true, "the base path of the outputs, e.g. /belle/Data"),
                .init(
                    "commands",
                    .object([
                        .init("reconstruction", .text, required: true, "raw → cDST/mDST, one job per input file"),
                        .init("skim", .text, "mDST → a physics skim's uDST"),
                        .init("quality", .text, "per run: histograms compared with the reference"),
                        .init("hlt_skim", .text, "raw → an HLT skim's raw file (needed when express makes hlt_skims)"),
                    ]), required: true, "the experiment's programs"),
                .init(
                    "prompt",
                    .object([
                        .init("delay", .duration, "from a run's end to its PromptReco release (default 48h)"),
                        .init("lock_offset", .duration, "how long before its release a run is locked (default 30m)"),
                        .init("close_after", .duration, "a run without an end record is closed this long after its last file (default 4h)"),
                        .init("minimum_delay", .duration, "a run whose calibrations are all done is released this long after its end (default 8h)"),
                    ]), "the handshake's delays, as durations: 48h, 30m, 90s, 2d"),
                .init("express_lifetime", .duration, "how long express outputs are kept, e.g. 30d (needs express_keep_on)"),
                .init("express_keep_on", .text, "where express outputs are kept, a site expression, e.g. site=KEKCC&kind=disk"),
            ]), required: true, "settings for every run and stream"),
        .init(
            "streams",
            .list(
                .object([
                    .init("name", .text, required: true, "the stream, unique"),
                    .init("data_tags", .list(.text), "data tags of the raw files in the stream (default: every raw file)"),
                    .init(
                        "express",
                        .object([
                            .init("selection", .list(.text), "data tags (HLT skims) express processes (default: every file of the stream)"),
                            .init("fraction", .number(minimum: 0), "the share of those files, chosen by name (default 1)"),
                            .init("outputs", levels, "output levels (default [mdst])"),
                            .init("hlt_skims", .list(.text), "HLT skims (data tags) express makes from the all-events raw files first"),
                        ]), "express processing as the files arrive"),
                    .init(
                        "calibrations",
                        .list(
                            .object([
                                .init("name", .text, required: true, "the producer, unique in the stream"),
                                .init("command", .text, required: true, "the algorithm's command"),
                                .init("tag", .text, required: true, "the global tag its payloads are appended to (synchronisation pcl)"),
                                .init("input", .choice(["raw", "express"]), "raw files or the express outputs of the run (default express)"),
                                .init("data_tags", .list(.text), "data tags it reads (default: all)"),
                                .init("min_events", .wholeNumber(minimum: 0), "fewer events: the run is finished without a payload"),
                                .init("harvest_timeout", .duration, "after this long from the run's end, harvest what there is (default 12h)"),
                                .init("upload_timeout", .duration, "after this long from the run's end, give up uploading (default 18h)"),
                                .init("max_iterations", .wholeNumber(minimum: 1), "how often it may ask to iterate (default 3)"),
                                .init("level", .choice(["raw", "cdst", "mdst"]), "the level of the express outputs it reads (raw: express's HLT skims)"),
                            ])), "the prompt calibration loop: producers per run"),
                    .init(
                        "prompt_reco",
                        .object([
                            .init("outputs", levels, "output levels (default [mdst])"),
                            .init("skims", .list(.text), "physics skims made from the mDST"),
                        ]), "PromptReco of each released run (omit, or give false in a run override, for none)"),
                ])), required: true, "the streams, at least one"),
        .init(
            "runs",
            .list(
                .object([
                    .init("runs", .text, required: true, "EXP:FIRST-LAST"),
                    .init("streams", .list(.text), "only these streams for the runs"),
                    .init("express", .bool, "false: no express for the runs"),
                    .init("prompt_reco", .bool, "false: no PromptReco for the runs"),
                ])), "overrides for ranges of runs; the last one that matches wins"),
    ]

    /// Reads and checks a configuration; every error names the file and the key path.
    public init(configuration root: ConfigurationValue) throws(ConveyorError) {
        try RequestSchema.check(root, against: Self.fields)
        let global = root["global"]
        release = try global["release"].string()
        expressTags = try global["express_tags"].strings()
        guard !expressTags.isEmpty else { throw global["express_tags"].error("needs at least one global tag") }
        promptTags = try global["prompt_tags"].strings()
        guard !promptTags.isEmpty else { throw global["prompt_tags"].error("needs at least one global tag") }
        let s = global["site"]
        site = ProcessingRequest.Site(name: try s["name"].string(), pool: try s["pool"].string(), storage: try s["storage"].string(default: ""))
        outputBase = try global["output_base"].string()
        guard outputBase.hasPrefix("/") else { throw global["output_base"].error("expected an absolute path such as /belle/Data, found '\(outputBase)'") }
        let c = global["commands"]
        commands = ProcessingRequest.Commands(
            reconstruction: try c["reconstruction"].string(), skim: try c["skim"].optionalString(), quality: try c["quality"].optionalString(),
            hltSkim: try c["hlt_skim"].optionalString())
        let p = global["prompt"]
        let defaults = PromptSettings()
        prompt = PromptSettings(
            delaySeconds: try p["delay"].duration(default: defaults.delaySeconds),
            lockOffsetSeconds: try p["lock_offset"].duration(default: defaults.lockOffsetSeconds),
            closeAfterSeconds: try p["close_after"].duration(default: defaults.closeAfterSeconds),
            minimumDelaySeconds: try p["minimum_delay"].duration(default: defaults.minimumDelaySeconds))
        do { try prompt.validate() } catch { throw p.error(error.message) }
        expressLifetimeSeconds = global["express_lifetime"].isMissing ? nil : Int64(try global["express_lifetime"].duration(default: 0))
        expressKeepOn = try global["express_keep_on"].optionalString()
        if expressLifetimeSeconds != nil, expressKeepOn == nil {
            throw global["express_keep_on"].error("is required with express_lifetime: where are the express outputs kept?")
        }

        streams = []
        var streamNames: Set<String> = []
        for (i, item) in try root["streams"].list().enumerated() {
            let node = root["streams"][i]
            let name = try item["name"].string()
            guard Self.isName(name) else { throw node["name"].error("a stream name is 1–40 letters, digits, '-' or '_'") }
            guard streamNames.insert(name).inserted else { throw node["name"].error("stream '\(name)' is listed twice") }
            var express: Express?
            if !item["express"].isMissing {
                let e = item["express"]
                let fraction = try e["fraction"].double(default: 1, minimum: 0, maximum: 1)
                guard fraction > 0 else { throw e["fraction"].error("a fraction above 0 and at most 1; leave express out for none") }
                express = Express(
                    selection: try e["selection"].strings(), fraction: fraction, outputs: try Self.levels(e["outputs"]), hltSkims: try e["hlt_skims"].strings())
                if !(express?.hltSkims.isEmpty ?? true), commands.hltSkim == nil {
                    throw global["commands"]["hlt_skim"].error("is required when express makes hlt_skims")
                }
            }
            var producers: [Producer] = []
            var producerNames: Set<String> = []
            if !item["calibrations"].isMissing {
                for (j, entry) in try item["calibrations"].list().enumerated() {
                    let at = node["calibrations"][j]
                    let producer = Producer(
                        name: try entry["name"].string(), command: try entry["command"].string(), tag: try entry["tag"].string(),
                        input: try entry["input"].named(ProducerInput.self, default: .express), dataTags: try entry["data_tags"].strings(),
                        minimumEvents: try entry["min_events"].int(default: 0, minimum: 0),
                        harvestTimeoutSeconds: try entry["harvest_timeout"].duration(default: 12 * 3_600),
                        uploadTimeoutSeconds: try entry["upload_timeout"].duration(default: 18 * 3_600),
                        maxIterations: try entry["max_iterations"].int(default: 3, minimum: 1),
                        level: entry["level"].isMissing ? nil : try entry["level"].named(DataLevel.self))
                    guard Self.isName(producer.name) else { throw at["name"].error("a calibration name is 1–40 letters, digits, '-' or '_'") }
                    guard producerNames.insert(producer.name).inserted else { throw at["name"].error("'\(producer.name)' is listed twice in the stream") }
                    if producer.input == .express, express == nil {
                        throw at["input"].error("stream \(name) has no express processing to read; give input: raw or add express")
                    }
                    guard producer.uploadTimeoutSeconds >= producer.harvestTimeoutSeconds else {
                        throw at["upload_timeout"].error("must not be shorter than the harvest timeout")
                    }
                    producers.append(producer)
                }
            }
            var prompt: PromptOutputs?
            if !item["prompt_reco"].isMissing {
                let r = item["prompt_reco"]
                prompt = PromptOutputs(outputs: try Self.levels(r["outputs"]), skims: try r["skims"].strings())
                if !(prompt?.skims.isEmpty ?? true) {
                    if commands.skim == nil { throw global["commands"]["skim"].error("is required when PromptReco makes skims") }
                    if !(prompt?.outputs.contains(.mdst) ?? false) { throw r["skims"].error("physics skims are made from the mDST: add mdst to outputs") }
                }
            }
            streams.append(Stream(name: name, dataTags: try item["data_tags"].strings(), express: express, calibrations: producers, promptReco: prompt))
        }
        guard !streams.isEmpty else { throw root["streams"].error("needs at least one stream") }

        runs = []
        if !root["runs"].isMissing {
            for (i, item) in try root["runs"].list().enumerated() {
                let node = root["runs"][i]
                let text = try item["runs"].string()
                guard let query = ProcessingRequest.runQuery(text), let range = query.runRange, let exp = query.exp else {
                    throw node["runs"].error("expected EXP:FIRST-LAST, e.g. 8:100-250, found '\(text)'")
                }
                let names: [String]? = item["streams"].isMissing ? nil : try item["streams"].strings()
                for (j, stream) in (names ?? []).enumerated() where !streamNames.contains(stream) {
                    throw node["streams"][j].error("unknown stream '\(stream)' (the streams are \(streams.map(\.name).joined(separator: ", ")))")
                }
                runs.append(
                    RunOverride(
                        exp: exp, firstRun: range.lowerBound, lastRun: range.upperBound, streams: names,
                        express: item["express"].isMissing ? nil : try item["express"].bool(default: true),
                        promptReco: item["prompt_reco"].isMissing ? nil : try item["prompt_reco"].bool(default: true)))
            }
        }
    }

    public static func isName(_ text: String) -> Bool {
        (1...40).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func levels(_ value: ConfigurationValue) throws(ConveyorError) -> [DataLevel] {
        guard !value.isMissing else { return [.mdst] }
        var levels: [DataLevel] = []
        for item in try value.list() { levels.append(try item.named(DataLevel.self)) }
        guard !levels.isEmpty else { throw value.error("needs at least one output level") }
        return levels
    }
}

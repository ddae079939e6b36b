extension ProcessingRequest {
    /// An MC production as its processing request carries it (made by `conveyor mc submit`):
    /// the generator configuration, and per run the events and the tag stack its jobs read. Jobs
    /// are derived from it with ``MonteCarloPlan``, so a job needs nothing but its description.
    public struct MonteCarlo: Codable, Sendable, Equatable {
        public struct Run: Codable, Sendable, Equatable {
            public var run: ExpRun
            public var events: Int64
            /// The stack the run's data was processed with (run-dependent), or the campaign's.
            public var globalTags: [String]

            public init(run: ExpRun, events: Int64, globalTags: [String]) {
                self.run = run
                self.events = events
                self.globalTags = globalTags
            }
        }

        /// The MC request's id (its production number in the paths, `prod<ID>`).
        public var request: Int64
        public var campaign: String
        public var eventType: String
        public var background: MonteCarloRequest.Background
        /// The data tag of the random-trigger files background is overlaid from.
        public var backgroundTag: String
        public var eventsPerJob: Int
        /// The production's seed; each job's comes from it (``MonteCarloPlan/seed(base:run:index:)``).
        public var seed: Int64
        /// `/belle/MC/<release>/DB<id>/<campaign>`.
        public var lpnBase: String
        public var energy: String
        public var runs: [Run]

        public init(
            request: Int64, campaign: String, eventType: String, background: MonteCarloRequest.Background, backgroundTag: String, eventsPerJob: Int,
            seed: Int64, lpnBase: String, energy: String, runs: [Run]
        ) {
            self.request = request
            self.campaign = campaign
            self.eventType = eventType
            self.background = background
            self.backgroundTag = backgroundTag
            self.eventsPerJob = eventsPerJob
            self.seed = seed
            self.lpnBase = lpnBase
            self.energy = energy
            self.runs = runs
        }

        public func run(_ run: ExpRun) -> Run? { runs.first { $0.run == run } }

        /// The folder of a run's files, as seed 001's MC12 paths:
        /// `<base>/prod<ID>/s00/e<EEEE>/<energy>/r<RRRRR>/<event type>/mdst`.
        public func folder(run: ExpRun) -> String {
            "\(lpnBase)/prod\(OutputPath.padded(request, 8))/s00/e\(OutputPath.padded(Int64(run.exp), 4))/\(energy)/r\(OutputPath.padded(Int64(run.run), 5))/\(eventType)/mdst"
        }

        /// The `sequence`-th file of a run, 1,000 to a `subNN` folder.
        public func lfn(run: ExpRun, sequence: Int) -> String {
            let name =
                "mdst_\(OutputPath.padded(request, 8))_e\(OutputPath.padded(Int64(run.exp), 4))r\(OutputPath.padded(Int64(run.run), 5))_\(OutputPath.padded(Int64(sequence), 6)).root"
            return "\(folder(run: run))/sub\(OutputPath.padded(Int64(sequence / OutputPath.filesPerFolder), 2))/\(name)"
        }

        static let fields: [RequestSchema.Field] = [
            .init("request", .wholeNumber(minimum: 1), required: true, "the MC request's id"),
            .init("campaign", .text, required: true, "the MC campaign"),
            .init("event_type", .text, required: true, "the generator configuration (CONVEYOR_EVENT_TYPE)"),
            .init("background", .choice(["bgx0", "bgx1"]), required: true, "no background, or one random-trigger event overlaid per event"),
            .init("background_tag", .text, required: true, "the data tag of the runs' random-trigger files"),
            .init("events_per_job", .wholeNumber(minimum: 1), required: true, "the largest job"),
            .init("seed", .wholeNumber(minimum: 0), required: true, "the production's seed"),
            .init("lpn_base", .text, required: true, "/belle/MC/<release>/DB<id>/<campaign>"),
            .init("energy", .text, "the energy folder (default 4S)"),
            .init(
                "runs",
                .list(
                    .object([
                        .init("run", .text, required: true, "EXP:RUN (run 0 for run-independent MC)"),
                        .init("events", .wholeNumber(minimum: 1), required: true, "events simulated for the run"),
                        .init("global_tags", .list(.text), required: true, "the tag stack its jobs read"),
                    ])), required: true, "the runs"),
        ]

        init(configuration node: ConfigurationValue) throws(ConveyorError) {
            request = Int64(try node["request"].int(minimum: 1))
            campaign = try node["campaign"].string()
            eventType = try node["event_type"].string()
            do { try MonteCarloCampaign.validateWord(eventType, "event type") } catch { throw node["event_type"].error(error.message) }
            background = try node["background"].named(MonteCarloRequest.Background.self)
            backgroundTag = try node["background_tag"].string()
            eventsPerJob = try node["events_per_job"].int(minimum: 1)
            seed = Int64(try node["seed"].int(minimum: 0))
            lpnBase = try node["lpn_base"].string()
            guard lpnBase.hasPrefix("/") else { throw node["lpn_base"].error("expected an absolute path, found '\(lpnBase)'") }
            energy = try node["energy"].string(default: "4S")
            runs = []
            for (i, item) in try node["runs"].list().enumerated() {
                let text = try item["run"].string()
                let run: ExpRun
                do { run = try ExpRun(parsing: text) } catch { throw node["runs"][i]["run"].error(error.message) }
                let tags = try item["global_tags"].strings()
                guard !tags.isEmpty else { throw node["runs"][i]["global_tags"].error("needs at least one global tag") }
                runs.append(Run(run: run, events: Int64(try item["events"].int(minimum: 1)), globalTags: tags))
            }
            guard !runs.isEmpty else { throw node["runs"].error("needs at least one run") }
        }
    }
}

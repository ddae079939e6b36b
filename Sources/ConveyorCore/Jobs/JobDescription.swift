/// Everything one job needs on a worker node, written into its folder as `job.json` when the
/// scheduler dispatches it: no database, no secret, no shared file system required. The job
/// runner (`conveyor-job job.json`) reads it, runs ``program``, checksums ``outputs`` and writes
/// a ``JobReport``; the scheduler's accountant registers what the report says, centrally.
///
/// ```swift
/// let description = try JobDescription.decode(from: Data(contentsOf: folder.appending(path: "job.json")))
/// for input in description.inputs { print(input.lfn, "at", input.location) }
/// ```
public struct JobDescription: Codable, Sendable, Equatable {
    /// The file the scheduler writes into a job's folder.
    public static let fileName = "job.json"
    /// The current format; a runner refuses a description of a later one.
    public static let currentFormat = 1

    /// An input file, and where the job reads it at its site.
    public struct Input: Codable, Sendable, Equatable {
        public var lfn: String
        /// A path on the site's file system, or a file name in the job's folder when the batch
        /// system transfers inputs in, or a URL.
        public var location: String
        public var size: Int64
        public var adler32: String

        public init(lfn: String, location: String, size: Int64, adler32: String) {
            self.lfn = lfn
            self.location = location
            self.size = size
            self.adler32 = adler32
        }
    }

    /// An output the job must write.
    public struct Output: Codable, Sendable, Equatable {
        public var lfn: String
        /// Where the program writes it: the physical path at the site (shared file system), or a
        /// file name in the job's folder that comes home with the job (file transfer).
        public var location: String
        public var level: DataLevel
        public var dataTag: String?

        public init(lfn: String, location: String, level: DataLevel, dataTag: String?) {
            self.lfn = lfn
            self.location = location
            self.level = level
            self.dataTag = dataTag
        }
    }

    /// How the job reads its constants.
    public struct Conditions: Codable, Sendable, Equatable {
        public enum Mode: String, Codable, Sendable {
            /// Payload files exported into the job's folder at dispatch: works with no network.
            case files
            /// Looked up over HTTP from `conveyor serve` (behind a cache), with a job token.
            case http
        }

        /// A payload revision resolved centrally at dispatch: what an `http` job fetches. Revisions
        /// never change, so their bytes are cacheable for ever, and the checksum catches a cache
        /// that serves anything else.
        public struct Pinned: Codable, Sendable, Equatable {
            public var name: String
            public var revision: Int
            public var sha256: String

            public init(name: String, revision: Int, sha256: String) {
                self.name = name
                self.revision = revision
                self.sha256 = sha256
            }
        }

        public var mode: Mode
        /// `files`: the folder (relative to the job's folder). `http`: the server's base URL.
        public var location: String
        /// `http`: a short-lived read-only token for the conditions lookups.
        public var token: String?
        /// `http`: an HTTP cache to go through (Squid, as Frontier's), `http://host:port`.
        public var proxy: String?
        /// `http`: the payloads of the job's run, resolved from its tag stack as of ``resolvedAt``.
        public var payloads: [Pinned]?
        /// The moment the tag stack is resolved at, recorded with the outputs.
        public var resolvedAt: Timestamp

        public init(mode: Mode, location: String, token: String? = nil, proxy: String? = nil, payloads: [Pinned]? = nil, resolvedAt: Timestamp) {
            self.mode = mode
            self.location = location
            self.token = token
            self.proxy = proxy
            self.payloads = payloads
            self.resolvedAt = resolvedAt
        }
    }

    /// What the job may use before the runner stops its program.
    public struct Limits: Codable, Sendable, Equatable {
        public var wallSeconds: Int?
        public var memoryMegabytes: Int?

        public init(wallSeconds: Int? = nil, memoryMegabytes: Int? = nil) {
            self.wallSeconds = wallSeconds
            self.memoryMegabytes = memoryMegabytes
        }
    }

    public var format: Int
    /// Who the job is, for its report and its log: `request NAME job ID`.
    public var job: String
    public var request: String
    public var step: String
    public var site: String
    public var run: ExpRun
    public var release: String
    public var globalTags: [String]
    /// The experiment's program, run with `/bin/sh -c`.
    public var program: String
    /// Set for the program, besides the `CONVEYOR_*` variables the runner derives.
    public var environment: [String: String]
    public var inputs: [Input]
    public var outputs: [Output]
    public var conditions: Conditions
    public var limits: Limits

    public init(
        job: String, request: String, step: String, site: String, run: ExpRun, release: String, globalTags: [String], program: String,
        environment: [String: String], inputs: [Input], outputs: [Output], conditions: Conditions, limits: Limits = Limits()
    ) {
        self.format = Self.currentFormat
        self.job = job
        self.request = request
        self.step = step
        self.site = site
        self.run = run
        self.release = release
        self.globalTags = globalTags
        self.program = program
        self.environment = environment
        self.inputs = inputs
        self.outputs = outputs
        self.conditions = conditions
        self.limits = limits
    }
}

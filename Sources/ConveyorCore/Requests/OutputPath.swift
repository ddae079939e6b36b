/// Where a request's output goes: Belle II's path convention (DOMAIN.md),
/// `/<base>/<release>/DB<gt-id>/<campaign>/e<EEEE>/<energy>/r<RRRRR>/<all|skim/NAME>/<format>/subNN/`,
/// with at most 1,000 files per `subNN` folder.
///
/// ```swift
/// let path = OutputPath(base: "/belle/Data", release: "release-08", globalTagID: 1234, campaign: "prompt",
///                       run: ExpRun(exp: 8, run: 12), energy: "4S", dataTag: nil, level: .mdst)
/// path.lfn(sequence: 1_001)   // /belle/Data/release-08/DB00001234/prompt/e0008/4S/r00012/all/mdst/sub01/mdst_e0008r00012_001001.dst
/// ```
public struct OutputPath: Sendable, Hashable {
    public static let filesPerFolder = 1_000

    public var base: String
    public var release: String
    public var globalTagID: Int64
    public var campaign: String
    public var run: ExpRun
    public var energy: String
    /// An HLT or physics skim; nil for all events.
    public var dataTag: String?
    public var level: DataLevel

    public init(base: String, release: String, globalTagID: Int64, campaign: String, run: ExpRun, energy: String, dataTag: String?, level: DataLevel) {
        self.base = base
        self.release = release
        self.globalTagID = globalTagID
        self.campaign = campaign
        self.run = run
        self.energy = energy
        self.dataTag = dataTag
        self.level = level
    }

    /// The folder above the `subNN` folders.
    public var folder: String {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        let selection = dataTag.map { "skim/\($0)" } ?? "all"
        return
            "\(trimmed)/\(release)/DB\(Self.padded(globalTagID, 8))/\(campaign)/e\(Self.padded(Int64(run.exp), 4))/\(energy)/r\(Self.padded(Int64(run.run), 5))/\(selection)/\(level)"
    }

    /// The LFN of the folder's `sequence`-th file (0-based).
    public func lfn(sequence: Int) -> String {
        let sub = sequence / Self.filesPerFolder
        let name = "\(level)_e\(Self.padded(Int64(run.exp), 4))r\(Self.padded(Int64(run.run), 5))_\(Self.padded(Int64(sequence), 6)).dst"
        return "\(folder)/sub\(Self.padded(Int64(sub), 2))/\(name)"
    }

    static func padded(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// Job elements that wait at one site for their inputs to be staged, and leave for another site
/// when a disk copy of every input appears there first (seed 000: "could have rescheduled the
/// jobs at KEKCC once raw data was available at BNL").
///
/// A move is listed on the staging wait task of the site the elements wait at (a wait for
/// ``WaitCondition/filesOnDisk(site:lfns:)``). Each target site holds the same elements in
/// reserve: its tasks list them in ``TaskDefinition/standby``, and they start `skipped`. When the
/// scheduler checks the wait and finds the inputs on disk at a target site but not here, it skips
/// the elements here and makes their reserves there pending, in one tick's write; the wait then
/// no longer waits for the moved inputs. The elements move together: a job and the jobs that
/// read its outputs (its skims, its run's quality report) go as one.
///
/// ```swift
/// let move = ElementMove(
///     inputs: ["/belle/raw/e0008/r00001/raw_all_0.sroot"],
///     elements: [.init(task: "mdst-all-events@KEKCC", index: 3), .init(task: "physics-skims@KEKCC", index: 3)],
///     targets: [.init(site: "BNL", elements: [.init(task: "mdst-all-events@BNL", index: 0), .init(task: "physics-skims@BNL", index: 0)])])
/// ```
public struct ElementMove: Codable, Sendable, Equatable {
    /// One element of a job task, by the task's name in its workflow.
    public struct Element: Codable, Sendable, Hashable {
        public var task: String
        public var index: Int

        public init(task: String, index: Int) {
            self.task = task
            self.index = index
        }
    }

    /// Where the elements may go: their reserves at `site`, in the order of ``ElementMove/elements``.
    public struct Target: Codable, Sendable, Equatable {
        public var site: String
        public var elements: [Element]

        public init(site: String, elements: [Element]) {
            self.site = site
            self.elements = elements
        }
    }

    /// The files that must all be on disk at a target before the elements go there.
    public var inputs: [String]
    /// The elements as they wait at the wait's site.
    public var elements: [Element]
    /// The other sites, in the order they are preferred.
    public var targets: [Target]

    public init(inputs: [String], elements: [Element], targets: [Target]) {
        self.inputs = inputs
        self.elements = elements
        self.targets = targets
    }
}

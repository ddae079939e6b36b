/// A file a round wrote, with one selection it holds (a stream file holds several) and whether it
/// can still be read.
public struct RoundFile: Codable, Sendable, Equatable {
    public var lfn: String
    public var stream: String
    public var selection: String
    public var run: ExpRun
    public var events: Int64
    public var size: Int64
    public var status: FileStatus

    public init(lfn: String, stream: String, selection: String, run: ExpRun, events: Int64, size: Int64, status: FileStatus) {
        self.lfn = lfn
        self.stream = stream
        self.selection = selection
        self.run = run
        self.events = events
        self.size = size
        self.status = status
    }
}

import ConveyorCore
import Foundation

extension FileChecksums {
    /// A file's size and the checksums the catalog keeps, read in 1 MiB pieces: what a job runner
    /// reports for its outputs and what the accountant checks again when they arrive.
    ///
    /// ```swift
    /// let sums = try FileChecksums(ofFileAt: "/data/mdst_000001.dst")
    /// CatalogFile(lfn: lfn, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, …)
    /// ```
    public init(ofFileAt path: String) throws(ConveyorError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .notFound("no file at \(path)") }
        defer { try? handle.close() }
        self.init()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch { throw .storeFailure("reading \(path): \(error.localizedDescription)") }
            if chunk.isEmpty { break }
            update(chunk)
        }
    }
}

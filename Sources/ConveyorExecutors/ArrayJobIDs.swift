/// The external id of a submission that went to the batch system as several arrays (Slurm's and
/// LSF's array size limits): each array's job id with the element offset of its first element.
///
/// ```swift
/// ArrayJobIDs.parts("123+0,124+1000")   // [("123", 0), ("124", 1000)]
/// ```
enum ArrayJobIDs {
    static func parts(_ externalID: String) -> [(job: String, offset: Int)] {
        externalID.split(separator: ",").compactMap { part in
            let pieces = part.split(separator: "+")
            guard let job = pieces.first else { return nil }
            return (String(job), pieces.count > 1 ? Int(pieces[1]) ?? 0 : 0)
        }
    }
}

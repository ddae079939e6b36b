/// Where one input file of a request stands (DOMAIN.md, "Jobs and files"; DIRAC's file status).
///
/// Unused → Assigned (a job reads it) → Processed (its output is registered), or Problematic once
/// its jobs failed `max_file_failures` times. Invalidated takes a bad file out until someone
/// revalidates it (seed 000: "temporary invalidation of problematic input files, and
/// revalidation when patch available").
public enum InputFileState: String, CaseIterable, Codable, Sendable, NamedValueSet {
    public static let valueKind = "input file state"
    public static let isUppercase = false
    case unused
    case assigned
    case processed
    case problematic
    case invalidated

    /// Nothing more happens to the file in this request unless a person acts.
    public var isFinal: Bool { self == .processed || self == .problematic }
}

/// An error Conveyor explains to its user in one line.
///
/// Each case says what kind of failure it is, so that the command line can pick an exit code and
/// the REST API an HTTP status without knowing where the error came from.
public enum ConveyorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is malformed or breaks a rule (HTTP 400, exit 1).
    case invalidInput(String)
    /// No credentials, or credentials that match nobody (HTTP 401).
    case unauthenticated(String)
    /// Authenticated, but the role is too low (HTTP 403).
    case forbidden(String)
    /// The thing asked for does not exist (HTTP 404).
    case notFound(String)
    /// The change conflicts with what is there (HTTP 409), e.g. a duplicate name.
    case conflict(String)
    /// Something Conveyor needs cannot be used: the database (unreachable, not a Conveyor database,
    /// too new), a port to listen on, a batch system (HTTP 503, exit 3).
    case unavailable(String)
    /// The database refused a statement for a reason that is not the caller's fault (HTTP 500).
    case storeFailure(String)

    public var message: String {
        switch self {
        case .invalidInput(let m), .unauthenticated(let m), .forbidden(let m), .notFound(let m),
             .conflict(let m), .unavailable(let m), .storeFailure(let m):
            m
        }
    }

    public var description: String { message }
}

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

    /// The reason on one line: control characters of quoted input (a line break in a CSV field,
    /// a NUL in a name) are shown escaped, so a refusal never spans lines or hides text.
    public var message: String {
        let text: String =
            switch self {
            case .invalidInput(let m), .unauthenticated(let m), .forbidden(let m), .notFound(let m),
                .conflict(let m), .unavailable(let m), .storeFailure(let m):
                m
            }
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.properties.generalCategory == .control: escaped += "\\u{\(String(scalar.value, radix: 16))}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    public var description: String { message }
}

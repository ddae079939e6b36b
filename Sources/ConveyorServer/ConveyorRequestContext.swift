import ConveyorCore
import Hummingbird

/// The per-request context: Hummingbird's core storage plus who is asking.
public struct ConveyorRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthenticationMiddleware`` from a bearer token, the page session cookie, or the
    /// server's anonymous role; `nil` when the request carries no credentials.
    public var actor: Actor?
    /// The client's IP address (the peer of the connection; a proxy's own address behind one), for
    /// rate-limiting sign-ins.
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.actor = nil
        self.remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The actor, if it holds `role`; otherwise an error telling the caller what is missing.
    public func require(_ role: Role, to action: String) throws(ConveyorError) -> Actor {
        guard let actor else {
            throw .unauthenticated("\(action) needs a token: send Authorization: Bearer TOKEN (create one with 'conveyor user add')")
        }
        try actor.require(role, to: action)
        return actor
    }
}

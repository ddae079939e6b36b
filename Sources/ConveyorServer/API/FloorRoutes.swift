import ConveyorCore
import Hummingbird

/// Constant answers through the server's whole stack (logging, metrics, errors, authentication),
/// for the benchmarks' floors (`conveyor serve --floor-routes`, `Benchmarks/compare.sh`):
///
/// - `GET /floor`: no credentials, no work; what any route costs at the least (the HTTP floor).
/// - `GET /floor/authenticated`: the same behind a token (the authentication's cost): a
///   conditions lookup is measured against this one, since it needs a token too.
///
/// ```sh
/// conveyor serve --floor-routes & wrk -c32 -d10s http://127.0.0.1:8080/floor
/// ```
struct FloorRoutes {
    static let body = ByteBuffer(string: "ok")

    func register(on router: Router<ConveyorRequestContext>) {
        router.get("/floor") { _, _ in Self.constant }
        router.get("/floor/authenticated") { _, context in
            _ = try context.require(.viewer, to: "reading the authenticated floor")
            return Self.constant
        }
    }

    static var constant: Response { Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: body)) }
}

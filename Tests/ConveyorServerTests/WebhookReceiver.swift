import Foundation
import Hummingbird
import Logging
import Synchronization

/// A chat server's incoming webhook, for tests: records every JSON body posted to it, and answers
/// 500 to the first `failures` posts, as a chat server having a bad minute does.
final class WebhookReceiver: Sendable {
    let posts = Mutex<[String]>([])
    let failuresLeft: Mutex<Int>

    init(failures: Int = 0) {
        failuresLeft = Mutex(failures)
    }

    var received: [String] { posts.withLock { $0 } }

    /// Runs the receiver while `body` runs, giving it the webhook's URL.
    func serve<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/hooks/conveyor") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let fail = self.failuresLeft.withLock { left in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
            if fail { return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "database is locked"))) }
            self.posts.withLock { $0.append(text) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        let (stream, port) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "webhook")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var ports = stream.makeAsyncIterator()
            guard let bound = await ports.next() else { throw CancellationError() }
            let result = try await body("http://127.0.0.1:\(bound)/hooks/conveyor")
            group.cancelAll()
            return result
        }
    }
}

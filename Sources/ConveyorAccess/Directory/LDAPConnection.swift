import NIOCore
import NIOPosix

/// One LDAP conversation over TCP: connect, send requests, read their answers, unbind. Every
/// step is bounded by the deadline, so a directory that accepts and never answers fails the
/// sign-in instead of holding it.
///
/// ```swift
/// let answers = try await LDAPConnection.converse(host: "ldap.lab", port: 389, timeout: .seconds(5)) { ldap in
///     let bound = try await ldap.bind(dn: dn, password: password)
///     return bound.code == 0 ? try await ldap.search(base: dn, scope: .base, filter: .present(attribute: "objectClass"), attributes: ["mail"]) : []
/// }
/// ```
struct LDAPConnection {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var nextID = 1

    /// Why a conversation could not be had: the server is down, refused, timed out or spoke nonsense.
    struct Unreachable: Error, CustomStringConvertible {
        let description: String
    }

    /// Connects, runs `body`, and closes; the whole conversation is bounded by `timeout`.
    static func converse<Result: Sendable>(
        host: String, port: Int, timeout: Duration, _ body: @Sendable @escaping (inout LDAPConnection) async throws -> Result
    ) async throws -> Result {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.init(timeout))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(BERFrameDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Unreachable(description: "cannot connect to ldap://\(host):\(port) (\(error))")
        }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    var connection = LDAPConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound)
                    let result = try await body(&connection)
                    try? await connection.send(LDAPMessage.unbind(id: connection.takeID()))
                    return result
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                channel.channel.close(promise: nil)
                throw Unreachable(description: "ldap://\(host):\(port) did not answer within \(timeout)")
            }
            return result
        }
    }

    private mutating func takeID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    private func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    private mutating func receive() async throws -> LDAPResponse {
        guard var frame = try await inbound.next() else { throw Unreachable(description: "the directory closed the connection") }
        do {
            return try LDAPResponse(bytes: frame.readBytes(length: frame.readableBytes) ?? [])
        } catch {
            throw Unreachable(description: "the directory's answer is not LDAPv3 (\(error))")
        }
    }

    /// A simple bind as `dn`; the answer's code says whether the password was right (0) or not (49).
    mutating func bind(dn: String, password: String) async throws -> LDAPResult {
        let id = takeID()
        try await send(LDAPMessage.bind(id: id, dn: dn, password: password))
        while true {
            if case .result(let answered, let result) = try await receive(), answered == id || answered == 0 { return result }
        }
    }

    /// The entries a search finds, or the result that ended it when that was not success.
    mutating func search(base: String, scope: LDAPMessage.Scope, filter: LDAPMessage.Filter, attributes: [String]) async throws -> ([LDAPEntry], LDAPResult) {
        let id = takeID()
        try await send(LDAPMessage.search(id: id, base: base, scope: scope, filter: filter, attributes: attributes))
        var entries: [LDAPEntry] = []
        while true {
            switch try await receive() {
            case .entry(let answered, let entry) where answered == id: entries.append(entry)
            case .result(let answered, let result) where answered == id || answered == 0: return (entries, result)
            default: continue
            }
        }
    }
}

/// Cuts the byte stream into whole BER elements (one `LDAPMessage` each), reading their lengths.
struct BERFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    /// Larger answers than this are not a sign-in's; refusing them bounds memory.
    static let largest = 1 << 20

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= 2, let first = buffer.getInteger(at: start + 1, as: UInt8.self) else { return .needMoreData }
        var header = 2
        var length = Int(first)
        if first & 0x80 != 0 {
            let count = Int(first & 0x7f)
            guard count >= 1, count <= 4 else { throw LDAPProtocolError("an LDAP message with an unsupported length form") }
            guard buffer.readableBytes >= 2 + count, let bytes = buffer.getBytes(at: start + 2, length: count) else { return .needMoreData }
            length = bytes.reduce(0) { $0 << 8 | Int($1) }
            header += count
        }
        guard length <= Self.largest else { throw LDAPProtocolError("an LDAP message of \(length) bytes is larger than a sign-in needs") }
        guard buffer.readableBytes >= header + length, let frame = buffer.readSlice(length: header + length) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }
}

import ConveyorCore
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Rucio's REST API, as much of it as Conveyor needs: a userpass token, then JSON in and JSON
/// (or newline-delimited JSON for listings) out. Every failure is one line: the server down, a
/// 5xx (transient), or Rucio's own `ExceptionClass: ExceptionMessage` for a 4xx.
///
/// ```swift
/// let rucio = RucioClient(url: URL(string: "http://127.0.0.1:8080")!, account: "root", username: "ddmlab", password: "secret")
/// let ids = try await rucio.json("POST", "/rules/", ["dids": [["scope": "belle", "name": "b16.raw"]], "copies": 1, "rse_expression": "BNL_DISK"])
/// ```
public final class RucioClient: Sendable {
    public let url: URL
    let account: String
    let username: String
    let password: String
    private let token = Mutex<String?>(nil)
    private let session: URLSession

    public init(url: URL, account: String, username: String, password: String, timeoutSeconds: Double = 30) {
        self.url = url
        self.account = account
        self.username = username
        self.password = password
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        session = URLSession(configuration: configuration)
    }

    /// A Rucio refusal: its exception class (`InvalidRSEExpression`, `DataIdentifierNotFound`, …) and message.
    public struct Refusal: Error, Sendable {
        public let status: Int
        public let exceptionClass: String
        public let message: String
    }

    /// Sends a request and returns the status and body; a refusal or an unreachable server throws.
    func send(_ method: String, _ path: String, body: Any? = nil, retryingAuth: Bool = true) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url.absoluteString.trimmingCharacters(in: ["/"]) + path) ?? url)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(try await authToken(), forHTTPHeaderField: "X-Rucio-Auth-Token")
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        let (data, response) = try await perform(request)
        if response.statusCode == 401, retryingAuth {
            token.withLock { $0 = nil }
            return try await send(method, path, body: body, retryingAuth: false)
        }
        guard response.statusCode < 400 else { throw refusal(response, data) }
        return (response.statusCode, data)
    }

    /// The JSON answer of a request.
    func json(_ method: String, _ path: String, _ body: Any? = nil) async throws -> Any? {
        let (_, data) = try await send(method, path, body: body)
        guard !data.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// A listing Rucio streams as one JSON object per line.
    func lines(_ path: String) async throws -> [[String: Any]] {
        let (_, data) = try await send("GET", path)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Like ``send(_:_:body:retryingAuth:)``, treating "already there" (409, `Duplicate`) as success.
    func ensure(_ method: String, _ path: String, _ body: Any? = nil) async throws {
        do { _ = try await send(method, path, body: body) } catch let refusal as Refusal
            where refusal.status == 409 || refusal.exceptionClass.hasPrefix("Duplicate")
        {
        }
    }

    private func authToken() async throws -> String {
        if let cached = token.withLock({ $0 }) { return cached }
        var request = URLRequest(url: URL(string: url.absoluteString.trimmingCharacters(in: ["/"]) + "/auth/userpass") ?? url)
        request.setValue(account, forHTTPHeaderField: "X-Rucio-Account")
        request.setValue(username, forHTTPHeaderField: "X-Rucio-Username")
        request.setValue(password, forHTTPHeaderField: "X-Rucio-Password")
        let (data, response) = try await perform(request)
        guard response.statusCode == 200, let value = response.value(forHTTPHeaderField: "X-Rucio-Auth-Token") else {
            throw refusal(response, data)
        }
        token.withLock { $0 = value }
        return value
    }

    private func perform(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let result: (Data, URLResponse)
        do { result = try await session.data(for: request) } catch {
            throw ConveyorError.unavailable("Rucio at \(url.absoluteString) cannot be reached: \(error.localizedDescription)")
        }
        guard let response = result.1 as? HTTPURLResponse else { throw ConveyorError.unavailable("Rucio at \(url.absoluteString) gave no HTTP answer") }
        if response.statusCode >= 500 {
            let line = String(decoding: result.0.prefix(300), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            throw ConveyorError.unavailable("Rucio at \(url.absoluteString) answered \(response.statusCode)\(line.isEmpty ? "" : ": \(line)")")
        }
        return (result.0, response)
    }

    private func refusal(_ response: HTTPURLResponse, _ data: Data) -> Refusal {
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let exceptionClass = response.value(forHTTPHeaderField: "ExceptionClass") ?? object?["ExceptionClass"] as? String ?? "HTTP \(response.statusCode)"
        let message =
            response.value(forHTTPHeaderField: "ExceptionMessage") ?? object?["ExceptionMessage"] as? String
            ?? String(decoding: data.prefix(200), as: UTF8.self)
        return Refusal(status: response.statusCode, exceptionClass: exceptionClass, message: message.split(separator: "\n").first.map(String.init) ?? message)
    }
}

extension RucioClient.Refusal {
    /// As a Conveyor error: what the user got wrong is invalid input, a missing thing not found.
    var conveyorError: ConveyorError {
        let text = "Rucio refused: \(exceptionClass): \(message)"
        switch exceptionClass {
        case "DataIdentifierNotFound", "RuleNotFound", "RSENotFound", "ScopeNotFound", "AccountNotFound": return .notFound(text)
        case _ where status == 401 || status == 403: return .forbidden(text)
        default: return .invalidInput(text)
        }
    }
}

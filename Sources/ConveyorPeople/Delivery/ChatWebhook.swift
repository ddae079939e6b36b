import ConveyorCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Posts a message to a Mattermost- or Slack-compatible incoming webhook:
/// `{"text": "…", "username": "Conveyor"}`. Any answer but 2xx is a failure, retried by the outbox.
///
/// ```swift
/// try await ChatWebhook(settings: webhook).post("@alice sign off … [Act here](https://…)")
/// ```
public struct ChatWebhook: Sendable {
    public let settings: NotificationSettings.Webhook

    public init(settings: NotificationSettings.Webhook) {
        self.settings = settings
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public func post(_ text: String) async throws {
        guard let url = URL(string: settings.url) else { throw Failure(description: "the webhook address \(settings.url) is not a URL") }
        var request = URLRequest(url: url, timeoutInterval: settings.timeoutSeconds)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["text": text, "username": "Conveyor"])
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = settings.timeoutSeconds
        configuration.timeoutIntervalForResource = settings.timeoutSeconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw Failure(description: "the webhook \(url.host ?? settings.url) cannot be reached: \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw Failure(description: "the webhook answered \(status): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }
}

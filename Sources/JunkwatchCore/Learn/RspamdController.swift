public import AsyncHTTPClient
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A client of the rspamd controller's HTTP API (`/learnham`, `/learnspam`, `/fuzzyadd`,
/// `/fuzzydel`), shared by ``RspamdLearner`` and ``RspamdFuzzyLearner``.
///
/// All requests go through one `HTTPClient` with a keep-alive pool (by default
/// ``sharedHTTPClient``); rspamd 3.4 answers `Connection: close` to every request, so in practice
/// each request opens a connection. The password is read from its file on every request, so a
/// changed password needs no restart.
public struct RspamdController: Sendable {
    /// Where the controller is and how to reach it.
    public struct Configuration: Sendable, Hashable {
        /// The controller's base URL, e.g. `http://127.0.0.1:11334` (not the normal worker's 11333).
        public var url: String
        /// Where the controller password comes from.
        public var password: RspamdPassword
        /// The longest one request may take, connecting included.
        public var timeout: Duration

        /// Creates a configuration; the defaults are rspamd's stock controller on loopback.
        public init(
            url: String = "http://127.0.0.1:11334",
            password: RspamdPassword = .none,
            timeout: Duration = .seconds(30)
        ) {
            self.url = url
            self.password = password
            self.timeout = timeout
        }
    }

    /// An answer from the controller.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]

        /// The `error` string of a JSON body such as `{"error":"..."}`, else the body as text.
        var errorText: String {
            if let value = RspamdController.jsonError(in: body) {
                return value
            }
            return StageText.oneLine(body, limit: 300)
        }
    }

    /// Where the controller is and how to reach it.
    public let configuration: Configuration
    private let client: HTTPClient
    private let environment: [String: String]

    /// Creates a controller client.
    ///
    /// - Parameters:
    ///   - client: the HTTP client to share, by default ``sharedHTTPClient``; it is not shut
    ///     down by this value.
    ///   - environment: where `CREDENTIALS_DIRECTORY` is looked up; by default the process's.
    public init(
        configuration: Configuration = Configuration(),
        client: HTTPClient? = nil,
        environment: [String: String]? = nil
    ) {
        self.configuration = configuration
        self.client = client ?? Self.sharedHTTPClient
        self.environment = environment ?? RspamdPassword.processEnvironment()
    }

    /// The settings junkwatch's HTTP client uses for rspamd.
    ///
    /// Unlike `HTTPClient.shared`'s: a refused connection fails the request at once (the
    /// pipeline retries later with its own backoff) instead of being retried until the request's
    /// deadline; redirects are not followed, so the `Password` header never goes elsewhere.
    public static var httpClientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5)),
            decompression: .disabled
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// One client for the whole process, with ``httpClientConfiguration``; never shut down.
    public static let sharedHTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: httpClientConfiguration
    )

    /// POSTs `body` to `path` with the password and `headers`.
    ///
    /// - Throws: a configuration error when the password cannot be read or the URL is wrong;
    ///   a transient error when the controller cannot be reached or does not answer in time.
    func post(_ path: String, body: [UInt8], headers: [(String, String)]) async throws(StageError) -> Response {
        try await send(.POST, path, body: body, headers: headers, timeout: configuration.timeout)
    }

    /// Asks the controller for `/stat` with the password: whether rspamd answers and takes the
    /// password, before any message is sent.
    /// - Returns: `nil` when it does; a transient error when rspamd cannot be reached; a
    ///   configuration error naming the setting when the URL or the password is wrong.
    public func check() async -> StageError? {
        do {
            let response = try await send(.GET, "/stat", body: nil, headers: [], timeout: .seconds(10))
            return response.status == 200 ? nil : unexpected(response, path: "/stat")
        } catch {
            return error
        }
    }

    /// Sends one request with the password and `headers`, and collects the answer.
    private func send(
        _ method: HTTPMethod,
        _ path: String,
        body: [UInt8]?,
        headers: [(String, String)],
        timeout: Duration
    ) async throws(StageError) -> Response {
        let password = try configuration.password.load(environment: environment)
        let base = configuration.url.hasSuffix("/") ? String(configuration.url.dropLast()) : configuration.url
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let password {
            request.headers.add(name: "Password", value: password)
        }
        for (name, value) in headers {
            request.headers.add(name: name, value: value)
        }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = TimeAmount.nanoseconds(
            Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        )
        do {
            let response = try await client.execute(request, timeout: deadline)
            let status = Int(response.status.code)
            do {
                var collected = try await response.body.collect(upTo: 1024 * 1024)
                return Response(status: status, body: collected.readBytes(length: collected.readableBytes) ?? [])
            } catch {
                // rspamd 3.4 sends a body with its 204 (Content-Length and all), which HTTP forbids;
                // the parser then takes that body for garbage and fails. The status is all there is.
                guard status == 204 else { throw error }
                return Response(status: status, body: [])
            }
        } catch let error as HTTPClientError {
            throw Self.stageError(error, url: base + path, timeout: timeout)
        } catch {
            throw .transient("rspamd controller \(base + path) unreachable: \(error)")
        }
    }

    /// The error for a request that got no answer.
    private static func stageError(_ error: HTTPClientError, url: String, timeout: Duration) -> StageError {
        switch error {
        case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath:
            return .configuration(
                "the rspamd controller URL \(StageText.quoted(url)) is not usable (\(error)): "
                    + "fix the rspamd URL setting"
            )
        case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout:
            return .transient("rspamd controller \(url) did not answer within \(timeout)")
        default:
            if "\(error)".contains("unsupportedScheme") {
                return .configuration(
                    "the rspamd controller URL \(StageText.quoted(url)) has a scheme other than http or https: "
                        + "fix the rspamd URL setting"
                )
            }
            return .transient("rspamd controller \(url) unreachable: \(error)")
        }
    }

    /// The error for an HTTP status that no learner treats specially, naming the setting to fix.
    func unexpected(_ response: Response, path: String) -> StageError {
        Self.statusError(
            response.status,
            errorText: response.errorText,
            path: path,
            url: configuration.url,
            password: configuration.password
        )
    }

    /// The error for an HTTP status from the controller that no learner treats specially, naming
    /// the setting to fix; shared by the HTTP learners and ``RspamcLearner``.
    ///
    /// - Parameters:
    ///   - errorText: what rspamd said (its JSON `error`), or empty.
    ///   - path: the request, e.g. `/learnham`.
    ///   - url: where the controller was asked, for the message.
    ///   - password: where the password came from, to name the setting at fault.
    static func statusError(
        _ status: Int,
        errorText: String,
        path: String,
        url: String,
        password: RspamdPassword
    ) -> StageError {
        let said = errorText.isEmpty ? "" : ": \(errorText)"
        switch status {
        case 401, 403:
            switch password {
            case .none:
                return .configuration(
                    "rspamd wants a controller password (HTTP \(status)\(said)) and none is configured: "
                        + "set the rspamd password file, or list junkwatch's address in the controller's secure_ip"
                )
            default:
                return .configuration(
                    "rspamd refused the password from the \(password.settingDescription) "
                        + "(HTTP \(status)\(said)): fix that file or the controller's password"
                )
            }
        case 404:
            return .configuration(
                "rspamd at \(url) has no \(path) (HTTP 404\(said)): "
                    + "the rspamd URL setting must name the controller worker (port 11334 by default)"
            )
        case 500 where errorText == "invalid command":
            return .configuration(
                "rspamd at \(url) does not know \(path) (HTTP 500 invalid command): "
                    + "the rspamd URL setting names the normal worker, not the controller (port 11334 by default)"
            )
        case 500...:
            return .transient("rspamd \(path) failed (HTTP \(status)\(said))")
        default:
            return .permanent("rspamd \(path) rejected the message (HTTP \(status)\(said))")
        }
    }

    /// The `error` member of rspamd's JSON answer (`{"error":"..."}`), if there is one.
    static func jsonError(in body: [UInt8]) -> String? {
        struct Answer: Decodable {
            var error: String?
        }
        return (try? JSONDecoder().decode(Answer.self, from: Data(body)))?.error
    }
}

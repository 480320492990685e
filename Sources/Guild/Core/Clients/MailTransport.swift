import Foundation
import NIOConcurrencyHelpers

/// Where outgoing email goes. Swapped for a recording fake in tests.
protocol MailTransport: Sendable {
    func send(_ email: Email) async throws
}

struct Email: Sendable, Equatable {
    var from: String
    var to: String
    var subject: String
    var body: String
    var messageID: String
    /// Adds `List-Unsubscribe` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    var unsubscribeURL: String? = nil
    /// A member writing to a contact: "Ada Lovelace (via Guild)" on Guild's own address (the domain's
    /// SPF and DKIM stay true), and the per-message address answers go to.
    var fromName: String? = nil
    var replyTo: String? = nil
    /// An iCalendar invitation: the message becomes multipart, the text beside a `text/calendar`
    /// part with the invitation's METHOD (what Google, Apple and Thunderbird act on) and the same as an
    /// `invite.ics` attachment for clients that only offer files.
    var calendar: String? = nil

    /// The From line: Guild's address, under the writing member's name when there is one.
    var fromHeader: String {
        guard let fromName else { return from }
        let address = from.split(separator: "<").last.map { "<" + $0 } ?? "<\(from)>"
        let display = fromName.filter { !$0.isNewline && $0 != "\"" && $0 != "\\" } + " (via Guild)"
        let encoded = display.allSatisfy(\.isASCII) ? "\"\(display)\"" : "=?UTF-8?B?\(Data(display.utf8).base64EncodedString())?="
        return encoded + " " + address
    }

    /// RFC 5322 text with UTF-8 body; the subject is RFC 2047-encoded when it is not plain ASCII.
    var rfc5322: String {
        let subjectHeader = subject.allSatisfy(\.isASCII)
            ? subject : "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let body = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let replyTo = replyTo.map { ["Reply-To: \($0)"] } ?? []
        let unsubscribe = unsubscribeURL.map { ["List-Unsubscribe: <\($0)>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"] } ?? []
        let headers = [
            "From: \(fromHeader)", "To: \(to)", "Subject: \(subjectHeader)", "Date: \(formatter.string(from: Date()))",
            "Message-ID: <\(messageID)>",
        ] + replyTo + unsubscribe + ["MIME-Version: 1.0"]
        guard let calendar else {
            return (headers + ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body, ""]).joined(separator: "\r\n")
        }
        let method = calendar.split(separator: "\r\n").first(where: { $0.hasPrefix("METHOD:") }).map { String($0.dropFirst(7)) } ?? "PUBLISH"
        let mixed = "guild-mixed-" + messageID.prefix(while: { $0 != "@" })
        let alternative = "guild-alt-" + messageID.prefix(while: { $0 != "@" })
        let encoded = Self.base64Lines(Data(calendar.utf8))
        return (headers + [
            "Content-Type: multipart/mixed; boundary=\"\(mixed)\"", "",
            "--\(mixed)", "Content-Type: multipart/alternative; boundary=\"\(alternative)\"", "",
            "--\(alternative)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body, "",
            "--\(alternative)", "Content-Type: text/calendar; charset=utf-8; method=\(method)", "Content-Transfer-Encoding: base64", "", encoded, "",
            "--\(alternative)--", "",
            "--\(mixed)", "Content-Type: application/ics; name=\"invite.ics\"", "Content-Disposition: attachment; filename=\"invite.ics\"",
            "Content-Transfer-Encoding: base64", "", encoded, "",
            "--\(mixed)--", "",
        ]).joined(separator: "\r\n")
    }

    /// Base64 in lines of 76 characters (RFC 2045).
    static func base64Lines(_ data: Data) -> String {
        let text = data.base64EncodedString()
        return stride(from: 0, to: text.count, by: 76).map { start in
            let from = text.index(text.startIndex, offsetBy: start)
            return String(text[from..<(text.index(from, offsetBy: 76, limitedBy: text.endIndex) ?? text.endIndex)])
        }.joined(separator: "\r\n")
    }
}

/// Writes each message as an `.eml` file, so nothing leaves a development machine.
struct FileMailTransport: MailTransport {
    var directory: String

    func send(_ email: Email) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = "\(Int(Date().timeIntervalSince1970))-\(email.messageID.prefix(while: { $0 != "@" })).eml"
        try Data(email.rfc5322.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
    }
}

/// Pipes each message into a sendmail-compatible command (`msmtp -t`, postfix's `sendmail -t`).
struct SendmailTransport: MailTransport {
    var command: [String]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func send(_ email: Email) async throws {
        let command = self.command
        let message = Data(email.rfc5322.utf8)
        // Process blocks its thread, so it runs on a thread of its own, never on an event loop.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: command[0])
                    process.arguments = Array(command.dropFirst())
                    let input = Pipe(), errors = Pipe()
                    process.standardInput = input
                    process.standardError = errors
                    process.standardOutput = FileHandle.nullDevice
                    try process.run()
                    input.fileHandleForWriting.write(message)
                    try input.fileHandleForWriting.close()
                    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    guard process.terminationStatus == 0 else {
                        let text = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                        throw Failure(description: "\(command[0]) exited with \(process.terminationStatus): \(text.prefix(500))")
                    }
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// Keeps messages in memory; tests read them to follow links.
final class RecordingMailTransport: MailTransport {
    private let box = NIOLockedValueBox<[Email]>([])
    private let failure = NIOLockedValueBox<String?>(nil)

    init() {}

    var sent: [Email] { box.withLockedValue { $0 } }

    /// Makes every send fail with this message until set back to nil.
    func fail(with message: String?) { failure.withLockedValue { $0 = message } }

    func send(_ email: Email) async throws {
        if let message = failure.withLockedValue({ $0 }) { throw SendmailTransport.Failure(description: message) }
        box.withLockedValue { $0.append(email) }
    }
}

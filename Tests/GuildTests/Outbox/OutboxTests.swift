import Fluent
import Testing
import VaporTesting

@testable import Guild

@Suite("Outbox delivery")
struct OutboxTests {
    @Test("due messages are sent once and marked sent")
    func delivers() async throws {
        try await withGuild { app, mail in
            try await Outbox.enqueue(to: "a@example.com", subject: "Grüße", body: "Hello\nthere", for: .account, on: app.db)
            let first = try await app.outboxDelivery().deliverDue()
            let second = try await app.outboxDelivery().deliverDue()
            #expect(first.sent == 1 && second.sent == 0)
            #expect(mail.sent.map(\.to) == ["a@example.com"])
            #expect(mail.sent[0].rfc5322.contains("Subject: =?UTF-8?B?"))
            #expect(mail.sent[0].rfc5322.contains("Hello\r\nthere"))
            #expect(try await OutboxMessage.query(on: app.db).first()?.status == .sent)
        }
    }

    @Test("a failure is retried with back-off, then gives up and shows on the admin page")
    func retriesThenFails() async throws {
        try await withGuild { app, mail in
            // setup
            mail.fail(with: "connection refused by smtp.example")
            try await Outbox.enqueue(to: "b@example.com", subject: "Hi", body: "x", for: .account, on: app.db)
            // act: the first failure schedules a retry a minute later
            try await app.outboxDelivery().deliverDue()
            let message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == .pending)
            #expect(message.lastError?.contains("connection refused") == true)
            #expect(message.nextAttemptAt > Date().addingTimeInterval(50))
            #expect(try await app.outboxDelivery().deliverDue().failed == 0)  // not due yet
            // keep failing until it gives up
            var now = Date()
            for _ in 1..<OutboxDelivery.maxAttempts {
                now = now.addingTimeInterval(7 * 3600)
                try await app.outboxDelivery().deliverDue(now: now)
            }
            let failed = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(failed.status == .failed)
            #expect(failed.attempts == OutboxDelivery.maxAttempts)
            // assert: an admin sees it and can retry it
            let admin = try await User.make(email: "admin@example.com", role: .admin, on: app)
            let browser = Browser(app)
            try await browser.signIn(email: admin.email)
            #expect(try await browser.get("/admin").body.string.contains("connection refused"))
            mail.fail(with: nil)
            #expect(try await browser.post("/admin/outbox/\(try failed.requireID())/retry", [:]).status == .seeOther)
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.count == 1)
        }
    }

    @Test("back-off doubles and is capped")
    func backoff() {
        #expect(OutboxDelivery.backoff(afterAttempt: 1) == 60)
        #expect(OutboxDelivery.backoff(afterAttempt: 2) == 120)
        #expect(OutboxDelivery.backoff(afterAttempt: 5) == 960)
        #expect(OutboxDelivery.backoff(afterAttempt: 30) == 6 * 3600)
    }

    @Test("several workers at once never send a message twice")
    func concurrentWorkers() async throws {
        try await withGuild { app, mail in
            for index in 0..<40 {
                try await Outbox.enqueue(to: "r\(index)@example.com", subject: "S", body: "B", for: .account, on: app.db)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<5 { try await app.outboxDelivery().deliverDue(limit: 5) }
                    }
                }
                try await group.waitForAll()
            }
            try await app.outboxDelivery().deliverDue(limit: 100)
            #expect(mail.sent.count == 40)
            #expect(Set(mail.sent.map(\.to)).count == 40)
        }
    }

    @Test("the file transport writes an .eml file")
    func fileTransport() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await FileMailTransport(directory: directory).send(
            Email(from: "Guild <g@example.com>", to: "x@example.com", subject: "Hi", body: "Body", messageID: "1@guild"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count == 1 && files[0].hasSuffix(".eml"))
        let text = try String(contentsOfFile: directory + "/" + files[0], encoding: .utf8)
        #expect(text.contains("To: x@example.com\r\n"))
    }
}

import Testing
@testable import Validation

@Suite("Secret scan: runbooks refuse secrets and accept ordinary notes")
struct SecretScanTests {
    /// Built from pieces, so that no scanner mistakes this file for a leak.
    static func join(_ parts: String...) -> String { parts.joined() }

    /// Secrets as people paste them into notes. Each must be found, on the line given.
    static let secrets: [(text: String, kind: SecretScan.Kind)] = [
        ("password: hunter22", .labelledPassword),
        ("Xero login\nPassword: Tr0ub4dor&3", .labelledPassword),
        ("WordPress admin — pwd = correcthorse", .labelledPassword),
        ("Password (Squarespace): Summer2026!", .labelledPassword),
        ("PIN: 4921", .labelledPassword),
        ("alarm pin for the studio: 80451", .labelledPassword),
        ("api key: 3f9a1c7d2b", .labelledPassword),
        ("Client secret = abcdefghij123", .labelledPassword),
        ("mot de passe : soleil2026", .labelledPassword),
        ("passphrase: correct horse battery staple", .labelledPassword),
        (join("-----BEGIN ", "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"), .privateKey),
        (join("-----BEGIN ", "OPENSSH PRIVATE KEY-----"), .privateKey),
        (join("aws ", "AKIA", "IOSFODNN7EXAMPLE"), .knownToken),
        (join("deploy with ", "ghp_", "16C7e42F292c6912E7710c838347Ae178B4a"), .knownToken),
        (join("stripe ", "sk_live_", "4eC39HqLyjWDarjtT1zdp7dc"), .knownToken),
        (join("slack bot ", "xoxb-", "17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"), .knownToken),
        (join("AIza", "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"), .knownToken),
        (join("OPENAI_KEY ", "sk-proj-", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34"), .knownToken),
        (join("SG.", "ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"), .knownToken),
        (join("eyJhbGciOiJIUzI1NiJ9", ".eyJzdWIiOiIxMjM0NTY3ODkwIn0", ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"), .knownToken),
        ("card 4111 1111 1111 1111 exp 12/28", .cardNumber),
        ("Amex 3782-822463-10005", .cardNumber),
        ("mastercard5555555555554444", .cardNumber),
        ("db: postgres://app:s3cretpass@db.internal:5432/shop", .credentialsInLink),
        ("ftp://studio:Lemon-Tree-9@files.example.com", .credentialsInLink),
        ("token for the CMS Zq8mK2pL9xR4vN7bT1wY6cH3", .randomString),
        ("webhook signing: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", .randomString),
        ("backup codes: kQ7vX2mN9pL4rT8wZ1yB5cF3hJ6", .randomString),
    ]

    /// Notes a small business owner writes in a runbook, none of them a secret.
    static let ordinary: [String] = [
        "Renew client domains on the 1st via Namecheap; the login is in 1Password under \"Namecheap\".",
        "Password: in Bitwarden, shared vault \"Studio\".",
        "The password is on the sticky note in the top drawer — no, really, ask Jane.",
        "Password: ask Maria (07700 900123) for the reset link",
        "PIN: see the emergency sheet",
        "Call Maria at +1 (555) 123-4567 or +44 20 7946 0958 before 6pm.",
        "Send the Thursday newsletter from Mailchimp: template \"Weekly-Roundup-2026\", list \"Clients\".",
        "Order 4556-7373-1234 from the printer is due 14 March.",
        "Invoices live in Google Drive › Clients › 2026 › Invoices; export as PDF and email to accounts@acme.example.",
        "The shop's IBAN is GB82WEST12345698765432 (for clients who ask how to pay).",
        "UPS tracking 1Z999AA10123456784 for the Henderson prints.",
        "Project id 9b2c4f1e-7a3d-4e8b-9c1f-2d3e4f5a6b7c in Harvest.",
        "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit#gid=0",
        "The staging site is https://staging.example.com/wp-admin (log in with your own account).",
        "Shipping: free over $50; pinned post on Instagram explains it.",
        "Opinion: the spring campaign should go out before Easter.",
        "Deadline 2026-12-15 for the Harlow brochure; proof #3 is with the client.",
        "Use the InvoiceNinjaQuickBooksSync2024 integration only on Fridays.",
        "Call references 2024 2025 2026 2027 in the archive box.",
        "Token of thanks: send Ana flowers when the launch ships.",
        "Secret Santa list is in the shared folder.",
        "Access key holder for the office: Dana (she has the spare keys).",
        "Zoom meeting ID 845 2291 0047, passcode in the calendar invite.",
        "VAT number GB123456789; company number 09876543.",
        "Our long-running-project-name-for-the-harbour-festival-2026 board is on Trello.",
        "Bank reference: ACME-INV-2026-0042-HENDERSON.",
        "git commit 3f2c1d0 fixed the footer.",
        "Hashtag #SmallBusinessSaturday every week.",
        "Call 0800 123 4567 8 for the landline (extension 8).",
        "Wi-Fi is \"Studio-Guest\"; the code is on the router.",
        "Steps: 1. open Canva 2. duplicate last week's post 3. change the date 4. schedule for 9:00.",
        "Emergency: my sister Ana Ruiz, ana.ruiz@example.com, +34 612 345 678.",
    ]

    @Test("every secret in the corpus is found, with its kind, and the sentence never repeats it")
    func findsSecrets() {
        for (text, kind) in Self.secrets {
            let finding = SecretScan.first(in: text)
            #expect(finding?.kind == kind, "\(text.debugDescription) → \(String(describing: finding))")
            if let problem = SecretScan.problem(text, what: "The notes") {
                #expect(problem.contains("password manager"))
                // The value itself (a word with a digit, or the one after the label) never comes back.
                for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) where word.count >= 6 && word.contains(where: \.isNumber) {
                    #expect(!problem.contains(word), "the message repeats “\(word)”")
                }
            }
        }
    }

    @Test("ordinary runbook notes pass: no false positives in the corpus")
    func acceptsOrdinaryText() {
        for text in Self.ordinary {
            #expect(SecretScan.first(in: text) == nil, "\(text) → \(String(describing: SecretScan.first(in: text)))")
        }
        #expect(SecretScan.first(in: Self.ordinary.joined(separator: "\n")) == nil)
    }

    @Test("a secret is named by its line in a longer text")
    func namesTheLine() {
        let text = Self.ordinary.prefix(3).joined(separator: "\n") + "\npassword: hunter22\n" + Self.ordinary[4]
        #expect(SecretScan.first(in: text)?.line == 4)
        #expect(SecretScan.problem(text, what: "The steps")?.hasPrefix("The steps, line 4, looks like it holds a password.") == true)
    }

    @Test("the Luhn check and card prefixes, against hand-checked numbers")
    func luhn() {
        #expect(SecretScan.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
        #expect(!SecretScan.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]))
        #expect(SecretScan.first(in: "4111 1111 1111 1112") == nil)  // fails Luhn
        #expect(SecretScan.first(in: "+4111 1111 1111 1111") == nil)  // a phone number's + before it
        #expect(SecretScan.first(in: "6011 1111 1111 1117")?.kind == .cardNumber)  // Discover
    }
}

import Foundation

/// Finds secrets in text a member is about to store where others may one day read it (a cover plan's
/// runbook): passwords on labelled lines, private keys, API keys and tokens with a known prefix,
/// payment card numbers, and long random-looking strings. Guild refuses them and points to a password
/// manager's emergency access instead; the rules aim at few false positives on ordinary runbook text
/// (phone numbers, order numbers, addresses, links, "the password is in Bitwarden").
public enum SecretScan {
    public enum Kind: String, Sendable, Equatable {
        case labelledPassword, privateKey, knownToken, cardNumber, credentialsInLink, randomString
    }

    public struct Finding: Sendable, Equatable {
        /// 1-based line of the text the secret is on.
        public var line: Int
        public var kind: Kind
        /// What was seen, in words, never the secret itself.
        public var what: String
    }

    /// Where to keep secrets instead: said after every finding.
    public static let advice = "Guild does not keep passwords, keys or card numbers in a runbook: keep them in a password manager and give your backup its emergency access (1Password, Bitwarden and Dashlane have it)."

    /// The first secret in the text, or nil.
    public static func first(in text: String) -> Finding? { findings(in: text, stopAtFirst: true).first }

    /// A sentence naming the first secret found (`what` is the field's name: "The notes"), or nil.
    public static func problem(_ text: String, what: String) -> String? {
        guard let finding = first(in: text) else { return nil }
        let place = text.contains("\n") ? "\(what), line \(finding.line), " : "\(what) "
        return "\(place)looks like it holds \(finding.what). \(advice)"
    }

    public static func findings(in text: String, stopAtFirst: Bool = false) -> [Finding] {
        var found: [Finding] = []
        var insidePEM = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            if line.contains("-----BEGIN"), line.contains("PRIVATE KEY") { insidePEM = true }
            if insidePEM {
                found.append(Finding(line: number, kind: .privateKey, what: "a private key"))
                if stopAtFirst { return found }
                insidePEM = false
                continue
            }
            if let finding = scan(line: Substring(line), number: number) {
                found.append(finding)
                if stopAtFirst { return found }
            }
        }
        return found
    }

    // MARK: the rules, one line at a time

    static func scan(line: Substring, number: Int) -> Finding? {
        if let label = passwordLabel(in: line) { return Finding(line: number, kind: .labelledPassword, what: "a \(label)") }
        // Tokens, links with credentials and random strings are long words: most words of a note are skipped at once.
        let long = words(of: line).filter { $0.utf8.count >= 14 }
        for word in long {
            if let token = knownToken(word) { return Finding(line: number, kind: .knownToken, what: token) }
            if hasCredentials(word) { return Finding(line: number, kind: .credentialsInLink, what: "a link with a password in it") }
        }
        if line.utf8.contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), hasCardNumber(line) {
            return Finding(line: number, kind: .cardNumber, what: "a payment card number")
        }
        for word in long where isRandom(word) {
            return Finding(line: number, kind: .randomString, what: "a long random string (a key or a token)")
        }
        return nil
    }

    static let separators: Set<Character> = Set("\"'`()[]{}<>,;|")

    /// Words split on white space and the punctuation around values (quotes, brackets, commas, `=`).
    static func words(of line: Substring) -> [Substring] {
        line.split(whereSeparator: { $0.isWhitespace || separators.contains($0) })
    }

    /// Labels whose value, written after `:` or `=`, is the secret itself.
    static let secretLabels = [
        "password", "passwd", "pwd", "passcode", "passphrase", "pin", "secret", "client secret", "api key", "apikey",
        "api_key", "api-key", "access key", "secret key", "secret_key", "private key", "access token", "auth token",
        "token", "mot de passe", "passwort", "contraseña", "senha", "wachtwoord",
    ]

    /// First words of a value that say where a secret is kept, not what it is ("password: in 1Password").
    static let referenceWords: Set<String> = [
        "in", "on", "see", "ask", "stored", "kept", "from", "via", "at", "the", "my", "our", "their", "with", "none", "n/a",
        "na", "-", "—", "tbd", "same", "saved", "shared", "1password", "bitwarden", "lastpass", "dashlane", "keepass",
        "keeper", "vault", "manager", "reset", "changed", "not", "no", "is", "are", "was", "under", "inside", "check", "use",
    ]

    /// "password: hunter2", "API key = abc…", "PIN: 4921": the label's name, or nil.
    static func passwordLabel(in line: Substring) -> String? {
        // Every rule below needs a `:` or `=` after the label.
        guard line.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "=") }) else { return nil }
        let lower = line.lowercased()
        for label in secretLabels {
            var searchStart = lower.startIndex
            while let range = lower.range(of: label, range: searchStart..<lower.endIndex) {
                searchStart = range.upperBound
                // A whole word: "pin" must not match "shipping:" nor "opinion".
                if range.lowerBound > lower.startIndex, lower[lower.index(before: range.lowerBound)].isLetter { continue }
                var rest = lower[range.upperBound...].drop(while: { $0 == " " || $0 == "\t" })
                // The value follows a colon or `=` at once, or after a short qualifier: "Password (Xero): …",
                // "pin for the alarm: …". Any other word makes the label part of another phrase ("access key holder").
                let qualified = rest.first == "(" || ["for ", "to ", "at ", "- ", "— "].contains(where: { rest.hasPrefix($0) })
                if rest.first == ":" || rest.first == "=" {
                    rest = rest.dropFirst()
                } else if qualified, let colon = rest.firstIndex(where: { $0 == ":" || $0 == "=" }),
                          rest.distance(from: rest.startIndex, to: colon) <= 24,
                          !rest[..<colon].contains(where: { $0 == "." || $0 == "?" || $0 == "!" }) {
                    rest = rest[rest.index(after: colon)...]
                } else {
                    continue
                }
                let value = rest.drop(while: { $0 == " " || $0 == "\t" })
                guard let first = value.split(whereSeparator: { $0.isWhitespace }).first else { continue }
                let word = String(first).trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?\"'()"))
                if word.count < 4, !(label == "pin" && word.count >= 4) { continue }
                if referenceWords.contains(word) || word.hasPrefix("http") || word.hasPrefix("(") { continue }
                if label == "pin", !word.allSatisfy(\.isNumber) { continue }
                return label == "pin" ? "PIN" : label.contains("key") || label.contains("token") || label.contains("secret")
                    ? "key or token" : "password"
            }
        }
        return nil
    }

    /// Prefixes of keys and tokens that services issue, each with the shortest body they have.
    static let tokenPrefixes: [(prefix: String, body: Int, name: String)] = [
        ("AKIA", 16, "an AWS access key"), ("ASIA", 16, "an AWS access key"),
        ("ghp_", 30, "a GitHub token"), ("gho_", 30, "a GitHub token"), ("ghu_", 30, "a GitHub token"),
        ("ghs_", 30, "a GitHub token"), ("ghr_", 30, "a GitHub token"), ("github_pat_", 30, "a GitHub token"),
        ("glpat-", 20, "a GitLab token"), ("xoxb-", 20, "a Slack token"), ("xoxp-", 20, "a Slack token"),
        ("xoxa-", 20, "a Slack token"), ("xoxs-", 20, "a Slack token"), ("sk_live_", 16, "a Stripe secret key"),
        ("sk_test_", 16, "a Stripe secret key"), ("rk_live_", 16, "a Stripe key"), ("whsec_", 16, "a webhook secret"),
        ("sk-ant-", 20, "an Anthropic API key"), ("sk-proj-", 20, "an OpenAI API key"), ("sk-", 32, "an API key"),
        ("AIza", 35, "a Google API key"), ("ya29.", 20, "a Google access token"), ("SG.", 40, "a SendGrid key"),
        ("npm_", 30, "an npm token"), ("pypi-", 30, "a PyPI token"), ("shpat_", 24, "a Shopify token"),
        ("shpss_", 24, "a Shopify secret"), ("EAACEdEose0cBA", 10, "a Facebook token"), ("dop_v1_", 30, "a DigitalOcean token"),
        ("hf_", 30, "a Hugging Face token"), ("key-", 32, "a Mailgun key"),
    ]

    static func knownToken(_ word: Substring) -> String? {
        for (prefix, body, name) in tokenPrefixes where word.hasPrefix(prefix) {
            let rest = word.dropFirst(prefix.count)
            if rest.count >= body, rest.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }),
               rest.contains(where: \.isNumber) {
                return name
            }
        }
        // A JSON Web Token: three base64url parts, the first two JSON objects.
        if word.hasPrefix("eyJ"), word.split(separator: ".").count == 3, word.count >= 40 { return "a signed token (JWT)" }
        return nil
    }

    /// `https://user:password@host`, `postgres://app:s3cret@db`.
    static func hasCredentials(_ word: Substring) -> Bool {
        guard let scheme = word.range(of: "://") else { return false }
        let rest = word[scheme.upperBound...]
        guard let at = rest.firstIndex(of: "@") else { return false }
        let userInfo = rest[..<at]
        guard !userInfo.contains("/"), let colon = userInfo.firstIndex(of: ":") else { return false }
        return userInfo.distance(from: colon, to: userInfo.endIndex) > 1
    }

    /// 13 to 19 digits in one run (spaces or dashes between groups allowed) that pass the Luhn check and
    /// start as a card network's numbers do. A run after `+` is a phone number.
    static func hasCardNumber(_ line: Substring) -> Bool {
        var digits: [UInt8] = []
        var previous: Character = " "
        var runStartsAfterPlus = false
        func check() -> Bool {
            defer { digits.removeAll() }
            guard (13...19).contains(digits.count), !runStartsAfterPlus else { return false }
            return isCardPrefix(digits) && luhn(digits)
        }
        for character in line {
            if character.isASCII, let digit = character.wholeNumberValue {
                if digits.isEmpty { runStartsAfterPlus = previous == "+" }
                digits.append(UInt8(digit))
            } else if (character == " " || character == "-"), !digits.isEmpty {
                // A separator inside a number: the run goes on only if a digit follows.
            } else if !digits.isEmpty {
                if check() { return true }
            }
            if !(character == " " || character == "-") || digits.isEmpty { previous = character }
        }
        return check()
    }

    static func isCardPrefix(_ digits: [UInt8]) -> Bool {
        let two = Int(digits[0]) * 10 + Int(digits[1])
        let four = two * 100 + Int(digits[2]) * 10 + Int(digits[3])
        switch digits[0] {
        case 4: return [13, 16, 19].contains(digits.count)  // Visa
        case 5: return (51...55).contains(two) && digits.count == 16  // Mastercard
        case 2: return (2221...2720).contains(four) && digits.count == 16  // Mastercard
        case 3: return ([34, 37].contains(two) && digits.count == 15) || (two == 35 && digits.count >= 16)
            || ([30, 36, 38].contains(two) && digits.count == 14)
        case 6: return four == 6011 || two == 65 || (644...649).contains(four / 10) || two == 62
        default: return false
        }
    }

    public static func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if offset % 2 == 1 { value *= 2; if value > 9 { value -= 9 } }
            sum += value
        }
        return sum % 10 == 0
    }

    /// A long word of letters and digits that looks drawn at random: at least 24 characters (32 for
    /// hex), upper case, lower case and digits all present (hex: digits and letters), and a Shannon
    /// entropy near what random text of its alphabet has. Links, e-mail addresses, paths and UUIDs
    /// are not secrets on their own.
    static func isRandom(_ raw: Substring) -> Bool {
        let word = raw.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?"))
        guard word.count >= 24, word.count <= 512 else { return false }
        if word.contains("://") || word.contains("@") || word.hasPrefix("/") || word.hasPrefix("www.") { return false }
        guard word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+/=_-".contains($0)) }) else { return false }
        if UUID(uuidString: word) != nil { return false }
        let core = word.filter { $0.isLetter || $0.isNumber }
        // Words joined by dashes or underscores ("my-very-long-project-name-2026") are names, not keys.
        let pieces = word.split(whereSeparator: { "-_/".contains($0) })
        if pieces.count > 2, pieces.allSatisfy({ $0.count <= 12 }) { return false }
        let isHex = core.allSatisfy(\.isHexDigit)
        if isHex {
            guard core.count >= 32, core.contains(where: \.isLetter), core.contains(where: \.isNumber) else { return false }
            return entropy(core) >= 3.3
        }
        let hasUpper = core.contains(where: \.isUppercase), hasLower = core.contains(where: \.isLowercase)
        let digitCount = core.filter(\.isNumber).count
        guard hasUpper, hasLower, digitCount >= 2 else { return false }
        // Mixed case that reads as words ("InvoiceNinjaQuickBooksSync2024") has long letter runs and few case
        // changes; random text of letters and digits changes class between about 6 in 10 neighbours.
        var changes = 0
        var last: Character?
        for character in core {
            if let previous = last, (previous.isUppercase != character.isUppercase) || (previous.isNumber != character.isNumber) { changes += 1 }
            last = character
        }
        guard Double(changes) / Double(core.count) >= 0.45 else { return false }
        return entropy(core) >= 4.0
    }

    /// Bits per character of the text's own character frequencies.
    static func entropy(_ text: String) -> Double {
        var counts: [Character: Int] = [:]
        for character in text { counts[character, default: 0] += 1 }
        let total = Double(text.count)
        return counts.values.reduce(0) { sum, count in
            let p = Double(count) / total
            return sum - p * log2(p)
        }
    }
}

import Testing
@testable import Validation

@Suite("Internationalised domains: Punycode and the mail form of an address")
struct PunycodeTests {
    @Test("labels encode as RFC 3492 and Python's codec say",
          arguments: [("bücher", "bcher-kva"), ("münchen", "mnchen-3ya"), ("garcía21", "garca21-bza"), ("ελληνικά", "hxargifdar"),
                      ("日本語", "wgv71a119e"), ("straße", "strae-oqa"), ("café-bar", "caf-bar-dya"),
                      // RFC 3492, section 7.1, sample (A): Arabic (Egyptian).
                      ("\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}",
                       "egbpdaj6bu4bxfgehfvwxn")])
    func encodes(label: String, expected: String) {
        #expect(Punycode.encode(label) == expected)
    }

    @Test("an address keeps its ASCII form; an internationalised domain becomes A-labels; anything else is no address")
    func mailForm() {
        #expect(EmailAddress.mailForm("ada@example.com") == "ada@example.com")
        #expect(EmailAddress.mailForm("ines@garcía21.example") == "ines@xn--garca21-bza.example")
        #expect(EmailAddress.mailForm("Ines@GARCÍA21.Example") == "Ines@xn--garca21-bza.example")
        // Composed or decomposed, the same domain.
        #expect(EmailAddress.mailForm("ines@garci\u{0301}a21.example") == "ines@xn--garca21-bza.example")
        #expect(EmailAddress.mailForm("info@bücher.de") == "info@xn--bcher-kva.de")
        for bad in ["ines@garcía 21.example", "ines@.example", "ínes@garcía21.example", "a@☃.example", "a@b", "garcía21.example",
                    "a@bü\u{0000}cher.de", "a@" + String(repeating: "ü", count: 64) + ".de"] {
            #expect(EmailAddress.mailForm(bad) == nil, "\(bad.debugDescription)")
        }
        // A local part with letters beyond ASCII is an address (RFC 6531) but has no mail form Guild sends to.
        #expect(EmailAddress.mailForm("garcía.21@mail.example") == nil)
        #expect(EmailAddress.isInternational("garcía.21@mail.example") && EmailAddress.isInternational("josé@garcía21.example"))
        for bad in ["ada@example.com", "gar cía@mail.example", ".garcía@mail.example", "garcía..x@mail.example", "garcía@", "garcía☃@mail.example"] {
            #expect(!EmailAddress.isInternational(bad), "\(bad)")
        }
        // Accounts keep the plain rule: the check that signs people up is unchanged.
        #expect(!EmailAddress.isValid("ines@garcía21.example"))
    }

    @Test("a contact may have an address at an internationalised domain, kept as written")
    func contactsKeepIt() throws {
        var raw = ContactFields(name: "Inés García", emails: [.init("ines@garcía21.example", types: ["work"])])
        let fields = try ContactRules.validate(raw).get()
        #expect(fields.emails.map(\.value) == ["ines@garcía21.example"])
        raw.emails = [.init("ines@garcía 21.example")]
        guard case .failure(let problem) = ContactRules.validate(raw) else { Issue.record("accepted a space in a domain"); return }
        #expect(problem.field == "emails")
    }
}

import Testing
import Validation

@Suite("Account field rules")
struct AccountRulesTests {
    @Test("valid addresses", arguments: ["a@example.com", "first.last+tag@sub.example.co.uk", "x_y@a-b.io", "0@a.museum"])
    func validEmail(address: String) {
        #expect(EmailAddress.isValid(address))
    }

    @Test("invalid addresses",
          arguments: ["", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a b@c.com", ".a@b.com", "a..b@c.com",
                      "a@-b.com", "a@b..com", "a@1.2.3.4", "\"q\"@b.com", "a@b.com\n"])
    func invalidEmail(address: String) {
        #expect(!EmailAddress.isValid(address))
    }

    @Test("email is trimmed and lowercased")
    func emailNormalised() throws {
        #expect(try AccountRules.email("  Ada@Example.COM ").get() == "ada@example.com")
    }

    @Test("names are trimmed, required and at most 100 characters")
    func names() throws {
        #expect(try AccountRules.name("  Ada  ").get() == "Ada")
        #expect(throws: FieldProblem.self) { try AccountRules.name("   ").get() }
        #expect(throws: FieldProblem.self) { try AccountRules.name(String(repeating: "a", count: 10_240)).get() }
        #expect(throws: FieldProblem.self) { try AccountRules.name("Ada\u{0}").get() }
        #expect(try AccountRules.name(String(repeating: "é", count: 100)).get().count == 100)
    }

    @Test("passwords need 10 to 128 characters")
    func passwords() throws {
        #expect(throws: FieldProblem.self) { try AccountRules.password("123456789").get() }
        #expect(try AccountRules.password("1234567890").get() == "1234567890")
        #expect(throws: FieldProblem.self) { try AccountRules.password(String(repeating: "p", count: 129)).get() }
    }
}

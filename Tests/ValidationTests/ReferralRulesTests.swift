import Testing
@testable import Validation

@Suite("Referral rules: the status machine and money")
struct ReferralRulesTests {
    @Test("every step not in the diagram is refused, and every step in it is allowed")
    func statusMachine() {
        let allowed: Set<String> = ["new→accepted", "new→declined", "accepted→contacted", "accepted→lost", "contacted→meeting",
                                    "contacted→won", "contacted→lost", "meeting→won", "meeting→lost"]
        for from in ReferralStatus.allCases {
            for to in ReferralStatus.allCases {
                let reason = to == .declined || to == .lost ? "not a fit" : nil
                let value = to == .won ? Money(minorUnits: 100, currency: "EUR") : nil
                let problem = ReferralRules.check(from: from, to: to, reason: reason, value: value)
                if allowed.contains("\(from.rawValue)→\(to.rawValue)") {
                    #expect(problem == nil, "\(from) → \(to)")
                } else {
                    #expect(problem == .notAllowed(from: from, to: to), "\(from) → \(to)")
                }
            }
        }
        #expect(ReferralStatus.allCases.filter(\.isClosed) == [.declined, .won, .lost])
    }

    @Test("a decline or a loss needs a reason, a win needs a value, and only a win takes one")
    func reasonsAndValues() {
        #expect(ReferralRules.check(from: .new, to: .declined, reason: "  ", value: nil) == .reasonRequired)
        #expect(ReferralRules.check(from: .meeting, to: .lost, reason: nil, value: nil) == .reasonRequired)
        #expect(ReferralRules.check(from: .meeting, to: .lost, reason: String(repeating: "x", count: 501), value: nil) == .reasonTooLong)
        #expect(ReferralRules.check(from: .meeting, to: .won, reason: nil, value: nil) == .valueRequired)
        #expect(ReferralRules.check(from: .new, to: .accepted, reason: nil, value: Money(minorUnits: 1, currency: "EUR")) == .valueOnlyWhenWon)
    }

    @Test("amounts become minor units exactly, by each currency's own decimals", arguments: [
        ("1250.50", "eur", 125_050, "EUR 1,250.50"), ("0.1", "USD", 10, "USD 0.10"), ("1000", "JPY", 1000, "JPY 1,000"),
        ("1.234", "BHD", 1234, "BHD 1.234"), ("999999999999.99", "GBP", 99_999_999_999_999, "GBP 999,999,999,999.99"),
        ("0.29", "EUR", 29, "EUR 0.29"), ("19.99", "CHF", 1999, "CHF 19.99"),
    ] as [(String, String, Int64, String)])
    func parsesMoney(amount: String, currency: String, minor: Int64, display: String) throws {
        let money = try Money.parse(amount: amount, currency: currency).get()
        #expect(money.minorUnits == minor)
        #expect(money.display == display)
        #expect(try Money.parse(amount: money.amountText, currency: money.currency).get() == money)
    }

    @Test("bad amounts and currencies are refused with what is wrong")
    func refusesBadMoney() {
        #expect(Money.parse(amount: "10", currency: "XYZ") == .failure(.unknownCurrency("XYZ")))
        #expect(Money.parse(amount: "100.5", currency: "JPY") == .failure(.tooManyDecimals(currency: "JPY", allowed: 0)))
        #expect(Money.parse(amount: "1.005", currency: "EUR") == .failure(.tooManyDecimals(currency: "EUR", allowed: 2)))
        for bad in ["", "-5", "1,000", "1e3", "12.", ".5", "١٢", "1 000", "+3", "NaN"] {
            #expect(Money.parse(amount: bad, currency: "EUR") == .failure(.badAmount(bad)), "\(bad)")
        }
        #expect(Money.parse(amount: "1000000000000", currency: "EUR") == .failure(.tooLarge))
    }
}

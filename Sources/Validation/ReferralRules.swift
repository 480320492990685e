/// Where a referral stands. The receiver moves it along; every step is kept in its history.
///
///     new ─► accepted ─► contacted ─► meeting ─► won
///      │         │            │  └──────────────► won
///      ▼         └────────────┴──────┴──────────► lost (with a reason)
///   declined (with a reason; the giver may pass the client on to someone else)
///
/// A client may buy without a separate meeting, so `won` follows `contacted` as well as `meeting`.
public enum ReferralStatus: String, Sendable, CaseIterable, Codable {
    case new, accepted, declined, contacted, meeting, won, lost

    public var isClosed: Bool { self == .declined || self == .won || self == .lost }

    /// The steps that may follow this one.
    public var next: [ReferralStatus] {
        switch self {
        case .new: [.accepted, .declined]
        case .accepted: [.contacted, .lost]
        case .contacted: [.meeting, .won, .lost]
        case .meeting: [.won, .lost]
        case .declined, .won, .lost: []
        }
    }

    /// Words for a person: "Accepted", "In a meeting".
    public var label: String {
        switch self {
        case .new: "New"
        case .accepted: "Accepted"
        case .declined: "Declined"
        case .contacted: "Client contacted"
        case .meeting: "Meeting held"
        case .won: "Won"
        case .lost: "Lost"
        }
    }
}

public enum ReferralUrgency: String, Sendable, CaseIterable, Codable {
    case thisWeek = "this_week", thisMonth = "this_month", whenever

    public var label: String {
        switch self {
        case .thisWeek: "This week"
        case .thisMonth: "This month"
        case .whenever: "Whenever"
        }
    }
}

/// A transition asked for, checked before anything is written.
public enum ReferralTransitionProblem: Error, Equatable, Sendable {
    case notAllowed(from: ReferralStatus, to: ReferralStatus)
    case reasonRequired
    case reasonTooLong
    case valueRequired
    case valueOnlyWhenWon
}

public enum ReferralRules {
    public static let clientNameMax = 120, needMax = 2000, noteMax = 2000, reasonMax = 500, phoneMax = 40

    /// Checks a step: that it may follow, that a decline or a loss says why, and that a win says for how much.
    public static func check(from: ReferralStatus, to: ReferralStatus, reason: String?, value: Money?) -> ReferralTransitionProblem? {
        guard from.next.contains(to) else { return .notAllowed(from: from, to: to) }
        let reason = reason?.trimmingWhitespace() ?? ""
        if (to == .declined || to == .lost) && reason.isEmpty { return .reasonRequired }
        if reason.count > reasonMax { return .reasonTooLong }
        if to == .won && value == nil { return .valueRequired }
        if to != .won && value != nil { return .valueOnlyWhenWon }
        return nil
    }
}

/// An amount of money in a currency's minor units (cents), never floating point.
public struct Money: Sendable, Equatable, Hashable, Codable {
    public var minorUnits: Int64
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public enum Problem: Error, Equatable, Sendable {
        case unknownCurrency(String)
        case badAmount(String)
        case tooManyDecimals(currency: String, allowed: Int)
        case tooLarge
    }

    /// "1234.5" in EUR → 123450 cents; "1000" in JPY → 1000 yen; "1.234" in BHD → 1234 fils. Plain
    /// decimal digits with an optional point; no signs, no thousands separators, nothing negative.
    public static func parse(amount raw: String, currency rawCurrency: String) -> Result<Money, Problem> {
        let currency = rawCurrency.trimmingWhitespace().uppercased()
        guard let exponent = minorUnitDigits[currency] else { return .failure(.unknownCurrency(rawCurrency)) }
        let amount = raw.trimmingWhitespace()
        let parts = amount.split(separator: ".", omittingEmptySubsequences: false)
        guard !amount.isEmpty, parts.count <= 2, let whole = parts.first, !whole.isEmpty,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy({ $0.isASCII && $0.isNumber }))
        else { return .failure(.badAmount(raw)) }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= exponent else { return .failure(.tooManyDecimals(currency: currency, allowed: exponent)) }
        let digits = String(whole) + fraction + String(repeating: "0", count: exponent - fraction.count)
        // At most a trillion in the major unit: more is a typo, and it keeps sums far from overflow.
        guard whole.count <= 12, let minor = Int64(digits) else { return .failure(.tooLarge) }
        return .success(Money(minorUnits: minor, currency: currency))
    }

    /// "1234.50" (no grouping, as a form or a CSV cell wants it).
    public var amountText: String {
        let exponent = Self.minorUnitDigits[currency] ?? 2
        guard exponent > 0 else { return String(minorUnits) }
        var divisor: Int64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let fraction = String(minorUnits % divisor)
        return "\(minorUnits / divisor).\(String(repeating: "0", count: exponent - fraction.count))\(fraction)"
    }

    /// "EUR 1,234.50" for people.
    public var display: String {
        let parts = amountText.split(separator: ".")
        var grouped = "", count = 0
        for character in parts[0].reversed() {
            if count > 0 && count % 3 == 0 { grouped.insert(",", at: grouped.startIndex) }
            grouped.insert(character, at: grouped.startIndex)
            count += 1
        }
        return "\(currency) \(grouped)" + (parts.count > 1 ? ".\(parts[1])" : "")
    }

    /// ISO 4217 codes in use and their minor-unit digits (the common ones; funds and metals left out).
    public static let minorUnitDigits: [String: Int] = {
        var digits: [String: Int] = [:]
        for code in ["AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD",
                     "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY", "COP", "CRC", "CUP",
                     "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD",
                     "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KYD",
                     "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
                     "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR",
                     "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD",
                     "SSP", "STN", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU",
                     "UZS", "VES", "WST", "XCD", "YER", "ZAR", "ZMW", "ZWL"] { digits[code] = 2 }
        for code in ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"] {
            digits[code] = 0
        }
        for code in ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"] { digits[code] = 3 }
        return digits
    }()
}

/// Limits of the requests board, shared by its pages, its API document and its checks.
public enum RequestRules {
    public static let titleMax = 140, detailsMax = 2000, answerReasonMax = 500, cityMax = 100
    public static let nicheRange = 1...5
    /// A request is open for this long after it is posted or extended.
    public static let openDays = 30
}

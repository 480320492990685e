import Foundation

/// What a circle may hold: an open group's name, what it is about, and where it meets.
public struct CircleFields: Sendable, Equatable {
    public var name: String
    public var description: String
    public var city: String
    public var online: Bool

    public init(name: String = "", description: String = "", city: String = "", online: Bool = false) {
        self.name = name
        self.description = description
        self.city = city
        self.online = online
    }
}

/// What an event may hold before its recurrence rule is read (that is `Formats.Recurrence`'s job).
/// `start` is a wall-clock time ("2027-03-17T08:00") in `timeZone`, as the person typed it.
public struct EventFields: Sendable, Equatable {
    public struct AgendaItem: Sendable, Equatable {
        public var speaker: String
        public var topic: String
        public var speakerCancelled: Bool
        public init(speaker: String, topic: String, speakerCancelled: Bool = false) {
            self.speaker = speaker
            self.topic = topic
            self.speakerCancelled = speakerCancelled
        }
    }

    public var title: String
    public var description: String
    public var start: String
    public var minutes: Int
    public var timeZone: String
    public var place: String
    public var onlineURL: String
    public var capacity: Int?
    public var attendeesPublic: Bool
    public var agenda: [AgendaItem]
    /// The start as an instant (the JSON API sends one); when set, `start` is not read.
    public var startInstant: Date?

    public init(title: String = "", description: String = "", start: String = "", minutes: Int = 90, timeZone: String = "UTC",
                place: String = "", onlineURL: String = "", capacity: Int? = nil, attendeesPublic: Bool = true,
                agenda: [AgendaItem] = [], startInstant: Date? = nil) {
        self.title = title
        self.description = description
        self.start = start
        self.minutes = minutes
        self.timeZone = timeZone
        self.place = place
        self.onlineURL = onlineURL
        self.capacity = capacity
        self.attendeesPublic = attendeesPublic
        self.agenda = agenda
        self.startInstant = startInstant
    }
}

public enum EventRules {
    public static let maxTitle = 120
    public static let maxDescription = 20_000
    public static let maxPlace = 300
    /// The longest an event may last: 14 days. Lists of what is still on look back this far.
    public static let maxMinutes = 24 * 60 * 14
    public static let maxCapacity = 10_000
    public static let maxAgenda = 20
    public static let maxReason = 500
    /// Wall-clock times as HTML's `datetime-local` sends them (seconds optional) and the API takes them.
    public static let localTimePattern = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"#

    public static func validate(_ raw: CircleFields) -> Result<CircleFields, FieldProblem> {
        var fields = raw
        fields.name = raw.name.trimmingWhitespace()
        fields.city = raw.city.trimmingWhitespace()
        fields.description = raw.description.trimmingWhitespace()
        if fields.name.isEmpty || raw.name.unicodeScalars.count > 80 {
            return .failure(.init(field: "name", message: "A circle's name is 1 to 80 characters."))
        }
        if let problem = TextRules.lineProblem(fields.name, what: "The name") { return .failure(.init(field: "name", message: problem)) }
        if fields.description.unicodeScalars.count > maxDescription {
            return .failure(.init(field: "description", message: "The description can be at most \(maxDescription) characters."))
        }
        if let problem = TextRules.controlProblem(raw.description, what: "The description", multiline: true)
            ?? TextRules.textProblem(fields.description, what: "The description") {
            return .failure(.init(field: "description", message: problem))
        }
        if fields.city.unicodeScalars.count > 80 { return .failure(.init(field: "city", message: "The city can be at most 80 characters.")) }
        if let problem = TextRules.lineProblem(fields.city, what: "The city") { return .failure(.init(field: "city", message: problem)) }
        // A circle without a city meets online.
        if fields.city.isEmpty { fields.online = true }
        return .success(fields)
    }

    /// The fields trimmed and checked, with the start as an instant in the event's zone.
    public static func validate(_ raw: EventFields) -> Result<(EventFields, start: Date, zone: TimeZone), FieldProblem> {
        var fields = raw
        fields.title = raw.title.trimmingWhitespace()
        fields.description = raw.description.trimmingWhitespace()
        fields.place = raw.place.trimmingWhitespace()
        fields.onlineURL = raw.onlineURL.trimmingWhitespace()
        if fields.title.isEmpty || raw.title.unicodeScalars.count > maxTitle {
            return .failure(.init(field: "title", message: "A title is 1 to \(maxTitle) characters."))
        }
        if let problem = TextRules.controlProblem(raw.title, what: "The title") ?? TextRules.lineProblem(fields.title, what: "The title") {
            return .failure(.init(field: "title", message: problem))
        }
        if fields.description.unicodeScalars.count > maxDescription {
            return .failure(.init(field: "description", message: "The description can be at most \(maxDescription) characters."))
        }
        if let problem = TextRules.controlProblem(raw.description, what: "The description", multiline: true)
            ?? TextRules.textProblem(fields.description, what: "The description") {
            return .failure(.init(field: "description", message: problem))
        }
        guard let zone = timeZone(fields.timeZone) else {
            return .failure(.init(field: "timeZone", message: "“\(fields.timeZone.prefix(60))” is not a time zone; use a name like Europe/London or America/New_York."))
        }
        guard let start = raw.startInstant ?? instant(fields.start, in: zone) else {
            return .failure(.init(field: "start", message: "Give the start as a date and time, like 2027-03-17T08:00."))
        }
        if !(5...maxMinutes).contains(fields.minutes) {
            return .failure(.init(field: "minutes", message: "An event lasts from 5 minutes to 14 days (20160 minutes)."))
        }
        if fields.place.unicodeScalars.count > maxPlace {
            return .failure(.init(field: "place", message: "The place can be at most \(maxPlace) characters."))
        }
        if let problem = TextRules.controlProblem(raw.place, what: "The place") ?? TextRules.lineProblem(fields.place, what: "The place") {
            return .failure(.init(field: "place", message: problem))
        }
        if !fields.onlineURL.isEmpty && !isWebAddress(fields.onlineURL) {
            return .failure(.init(field: "onlineUrl", message: "The online link must be a full http:// or https:// address."))
        }
        if let capacity = fields.capacity, !(1...maxCapacity).contains(capacity) {
            return .failure(.init(field: "capacity", message: "Capacity is from 1 to \(maxCapacity) people, or empty for no limit."))
        }
        if fields.agenda.count > maxAgenda {
            return .failure(.init(field: "agenda", message: "An agenda can have at most \(maxAgenda) items."))
        }
        var agenda: [EventFields.AgendaItem] = []
        for item in fields.agenda {
            if let problem = TextRules.controlProblem(item.speaker, what: "A speaker") ?? TextRules.controlProblem(item.topic, what: "A topic") {
                return .failure(.init(field: "agenda", message: problem))
            }
            let speaker = item.speaker.trimmingWhitespace(), topic = item.topic.trimmingWhitespace()
            if speaker.isEmpty && topic.isEmpty { continue }
            if speaker.unicodeScalars.count > 120 || topic.unicodeScalars.count > 200 {
                return .failure(.init(field: "agenda", message: "A speaker is at most 120 characters and a topic at most 200."))
            }
            if let problem = TextRules.lineProblem(speaker, what: "A speaker") ?? TextRules.lineProblem(topic, what: "A topic") {
                return .failure(.init(field: "agenda", message: problem))
            }
            agenda.append(.init(speaker: speaker, topic: topic, speakerCancelled: item.speakerCancelled))
        }
        fields.agenda = agenda
        return .success((fields, start, zone))
    }

    /// A reason given to people (a removal, a cancellation): one to `maxReason` characters of text.
    public static func reason(_ raw: String, field: String = "reason", required: Bool = true) -> Result<String, FieldProblem> {
        let text = raw.trimmingWhitespace()
        if required && text.isEmpty { return .failure(.init(field: field, message: "Give a reason; the people it concerns will read it.")) }
        if text.unicodeScalars.count > maxReason { return .failure(.init(field: field, message: "A reason can be at most \(maxReason) characters.")) }
        if let problem = TextRules.textProblem(text, what: "The reason") { return .failure(.init(field: field, message: problem)) }
        return .success(text)
    }

    /// An IANA zone name the system knows ("Europe/London"); abbreviations like "EST" are refused,
    /// because they do not say when daylight saving applies.
    public static func timeZone(_ name: String) -> TimeZone? {
        // Foundation on Linux calls UTC "GMT": both are IANA names.
        guard name == "UTC" || name == "GMT" || (name.contains("/") && name.count <= 64), let zone = TimeZone(identifier: name) else { return nil }
        return zone
    }

    /// "2027-03-17T08:00" on the wall clock of `zone`, as an instant; nil for anything else, a
    /// date outside 2000–2099 or a time that the clocks skip.
    public static func instant(_ local: String, in zone: TimeZone) -> Date? {
        guard local.range(of: localTimePattern, options: .regularExpression) != nil else { return nil }
        let digits = local.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 5, (2000...2099).contains(digits[0]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: digits[0], month: digits[1], day: digits[2], hour: digits[3], minute: digits[4],
                                        second: digits.count > 5 ? digits[5] : 0)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        // Reading back the same wall clock proves the time exists in that zone (not 02:30 on a spring-forward night).
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard back.hour == digits[3], back.minute == digits[4], back.day == digits[2] else { return nil }
        return date
    }

    static func isWebAddress(_ text: String) -> Bool {
        guard text.unicodeScalars.count <= 500, !text.contains(where: { $0.isWhitespace }),
              let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else { return false }
        return true
    }
}

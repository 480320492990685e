import Foundation
import Testing
@testable import Validation

@Suite("Text rules: control characters are refused as sent, before trimming could hide them")
struct TextRulesTests {
    @Test("a trailing U+0085 or a leading tab is refused in a one-line value; line breaks and tabs pass in a text")
    func controlsBeforeTrimming() {
        #expect(TextRules.controlProblem("·\u{85}", what: "A topic") == "A topic must not contain control characters.")
        #expect(TextRules.controlProblem("\tName", what: "The name") != nil)
        #expect(TextRules.controlProblem("a\u{202E}b", what: "The name")?.contains("reverse") == true)
        #expect(TextRules.controlProblem("Plain ASCII, with punctuation!", what: "x") == nil)
        #expect(TextRules.controlProblem("Zoë Ørsted — café", what: "x") == nil)
        #expect(TextRules.controlProblem("line one\r\nline two\ttabbed", what: "x", multiline: true) == nil)
        #expect(TextRules.controlProblem("line one\u{85}", what: "x", multiline: true) != nil)
    }

    @Test("an event's agenda topic with a control character that trimming would remove is refused (found by schemathesis)")
    func eventAgenda() {
        var fields = EventFields(title: "Breakfast", start: "2027-03-17T08:00")
        fields.agenda = [.init(speaker: "", topic: "·\u{85}")]
        guard case .failure(let problem) = EventRules.validate(fields) else { Issue.record("accepted"); return }
        #expect(problem.field == "agenda")
        fields.agenda = [.init(speaker: "Ada", topic: " Books before tax season ")]
        #expect((try? EventRules.validate(fields).get()) != nil)
        fields.title = "Breakfast\u{85}"
        guard case .failure(let title) = EventRules.validate(fields) else { Issue.record("accepted"); return }
        #expect(title.field == "title")
    }
}

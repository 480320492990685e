import Testing
@testable import Formats

@Suite("CSV writer: RFC 4180 and formula injection")
struct CSVWriterTests {
    @Test("quotes only what needs quoting, doubles quotes, ends records in CRLF")
    func quoting() {
        #expect(CSVWriter.record(["plain", "a,b", "say \"hi\"", "two\nlines", ""]) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n")
        #expect(CSVWriter.field("Zoë 🎉") == "Zoë 🎉")
    }

    @Test("cells a spreadsheet would run as a formula are defused", arguments: [
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""), ("+1 512 555", "'+1 512 555"), ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("1250.50", "1250.50"), ("a=b", "a=b"),
    ] as [(String, String)])
    func formulas(input: String, expected: String) {
        #expect(CSVWriter.field(input) == expected)
    }
}

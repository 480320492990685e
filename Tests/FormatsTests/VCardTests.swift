import Formats
import Foundation
import Testing

@Suite("vCard")
struct VCardTests {
    @Test("a vCard 3.0 export from Apple Contacts: folding, escapes, types, several cards")
    func apple() {
        let text = """
            BEGIN:VCARD\r
            VERSION:3.0\r
            N:Lovelace;Ada;;;\r
            FN:Ada Lovelace\r
            ORG:Analytical Engines\\, Ltd.;Research\r
            EMAIL;type=INTERNET;type=WORK;type=pref:ada@engines.example\r
            EMAIL;TYPE=INTERNET,HOME:ada@home.example\r
            TEL;type=CELL;type=VOICE;type=pref:+44 20 7946 0000\r
            TEL;TYPE=WORK:020 7946 0001\r
            item1.URL;type=pref:https://engines.example\r
            item1.X-ABLabel:_$!<HomePage>!$_\r
            NOTE:Met at the Wednesday breakfast\\; wants a logo\\nand a site. This line is lo\r
             ng enough to be folded.\r
            CATEGORIES:breakfast club,designers\r
            PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwg\r
             JC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIy\r
            END:VCARD\r
            BEGIN:VCARD\r
            VERSION:3.0\r
            N:Okafor;Bayo;;;\r
            TEL:555-0101\r
            END:VCARD\r

            """
        let parsed = VCard.parse(text: text)
        #expect(parsed.problems.isEmpty)
        #expect(parsed.cards.count == 2)
        let ada = parsed.cards[0]
        #expect(ada.name == "Ada Lovelace")
        #expect(ada.business == "Analytical Engines, Ltd., Research")
        #expect(ada.emails == [.init("ada@engines.example", types: ["work"]), .init("ada@home.example", types: ["home"])])
        #expect(ada.phones == [.init("+44 20 7946 0000", types: ["cell"]), .init("020 7946 0001", types: ["work"])])
        #expect(ada.website == "https://engines.example")
        #expect(ada.notes == "Met at the Wednesday breakfast; wants a logo\nand a site. This line is long enough to be folded.")
        #expect(ada.tags == ["breakfast club", "designers"])
        #expect(ada.line == 1)
        #expect(parsed.cards[1].name == "Bayo Okafor")
        #expect(parsed.cards[1].line == 18)
    }

    @Test("vCard 2.1 from an old phone: bare types, CHARSET and QUOTED-PRINTABLE with soft breaks, Latin-1 bytes")
    func oldPhone() throws {
        let text = """
            BEGIN:VCARD
            VERSION:2.1
            N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;
            TEL;CELL;PREF:+49 151 2345678
            TEL;HOME;VOICE:030 123456
            NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Caf=E9 owner, met at the=0D=0Amarket. A long note that=
             continues=20here
            END:VCARD

            """
        let parsed = VCard.parse(text: text)
        #expect(parsed.problems.isEmpty)
        let card = try #require(parsed.cards.first)
        #expect(card.name == "Jürgen Müller")
        #expect(card.phones == [.init("+49 151 2345678", types: ["cell"]), .init("030 123456", types: ["home"])])
        #expect(card.notes == "Café owner, met at the\r\nmarket. A long note that continues here")

        // A whole file in Windows-1252 (no CHARSET), as Outlook writes it.
        var latin = Data("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ren".utf8)
        latin.append(0xE9)
        latin.append(contentsOf: Array(" Dupont\r\nEND:VCARD\r\n".utf8))
        #expect(try VCard.parse(latin).cards.map(\.name) == ["René Dupont"])
    }

    @Test("vCard 4.0: tel: URIs, lower-case types, PREF parameters, quoted parameter values")
    func version4() {
        let text = """
            BEGIN:VCARD\r
            VERSION:4.0\r
            FN:Zoë Ng\r
            TEL;VALUE=uri;PREF=1;TYPE="voice,cell":tel:+1-555-555-0100\r
            EMAIL;TYPE=work:zoe@example.com\r
            X-SOCIAL;LABEL="a:b;c":ignored\r
            END:VCARD\r

            """
        let parsed = VCard.parse(text: text)
        #expect(parsed.cards.first?.name == "Zoë Ng")
        #expect(parsed.cards.first?.phones == [.init("+1-555-555-0100", types: ["cell"])])
        #expect(parsed.cards.first?.emails == [.init("zoe@example.com", types: ["work"])])
    }

    @Test("a broken card is reported by position and line; garbage between cards is skipped; the rest is read")
    func problems() {
        let text = """
            Exported by SomeMail 2.0 — 3 contacts
            BEGIN:VCARD
            VERSION:3.0
            FN:First
            END:VCARD
            --- page break ---
            BEGIN:VCARD
            VERSION:3.0
            FN:Second
            this line lost its colon
            END:VCARD
            BEGIN:VCARD
            VERSION:3.0
            NOTE:a card with nobody on it
            END:VCARD
            BEGIN:VCARD
            FN:Fourth, never closed
            BEGIN:VCARD
            FN:Fifth
            END:VCARD
            BEGIN:VCARD
            FN:Sixth, cut off
            """
        let parsed = VCard.parse(text: text)
        #expect(parsed.cards.map(\.name) == ["First", "Fifth"])
        #expect(parsed.ignoredLines == 2)
        #expect(parsed.problems.map(\.position) == [2, 3, 4, 6])
        #expect(parsed.problems.map(\.line) == [7, 12, 16, 21])
        #expect(parsed.problems[0].description == "card 2 (line 7): line 10 is not a vCard property: “this line lost its colon”")
        #expect(parsed.problems[1].reason.contains("no name"))
        #expect(parsed.problems[2].reason.contains("END:VCARD"))
        #expect(parsed.problems[3].reason.contains("ends inside"))
    }

    @Test("a file over 10 MB is refused with its size")
    func tooBig() {
        let data = Data(repeating: UInt8(ascii: "A"), count: 10 * 1_048_576 + 1)
        #expect(throws: ContactFileError.self) { try VCard.parse(data) }
        do { _ = try VCard.parse(data) } catch { #expect(error.reason.contains("at most 10 MB")) }
    }

    @Test("written cards fold at 75 octets without splitting a character, escape text, and read back the same", arguments: VCard.Version.allCases)
    func roundTrip(version: VCard.Version) {
        let cards = [
            ContactCard(name: "Ada Lovelace", business: "Engines; Analytical, Ltd.",
                        emails: [.init("ada@engines.example", types: ["work"])],
                        phones: [.init("+44 20 7946 0000", types: ["cell"]), .init("020 7946", types: ["work"])],
                        website: "https://engines.example/a,b", notes: "Line one\nline two with a backslash \\ and " + String(repeating: "ü", count: 60),
                        tags: ["breakfast, Wednesday", "designers"], uid: "5A3C2E8F-0000-4000-8000-000000000001"),
            ContactCard(name: "Bayo", phones: [.init("555-0101")]),
        ]
        let text = VCard.write(cards, version: version)
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 75)
        }
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let back = VCard.parse(text: text)
        #expect(back.problems.isEmpty)
        #expect(back.cards.count == 2)
        let expected0 = cards
        var expected = expected0
        var read = back.cards
        for index in read.indices { read[index].line = 0 }
        if version == .v4 { expected[0].phones[0].value = "+442079460000" }
        #expect(read == expected)
    }
}

@Suite("Contacts CSV")
struct ContactCSVTests {
    @Test("Google Contacts' export headers map themselves; several addresses in a cell split; labels become tags")
    func google() throws {
        let csv = [
            "First Name,Middle Name,Last Name,Organization Name,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Notes",
            #"Ada,,Lovelace,Engines,* myContacts ::: Breakfast,Work,ada@engines.example ::: ada@home.example,,,Mobile,+44 20 7946 0000,"Met in May, ""keen""""#,
            ",,,,,,,,,,,", "",
        ].joined(separator: "\r\n")
        let table = try ContactCSV.table(Data(csv.utf8))
        let mapping = ContactCSV.guessMapping(table.header)
        #expect(mapping == [.firstName, .ignore, .lastName, .business, .tags, .ignore, .email, .ignore, .email, .ignore, .phone, .notes])
        let (cards, problems) = ContactCSV.cards(table, mapping: mapping)
        #expect(cards.count == 1)
        #expect(cards[0].name == "Ada Lovelace")
        #expect(cards[0].emails.map(\.value) == ["ada@engines.example", "ada@home.example"])
        #expect(cards[0].tags == ["Breakfast"])
        #expect(cards[0].notes == "Met in May, \"keen\"")
        #expect(problems.map(\.line) == [3])
    }

    @Test("Outlook's headers, and a mapping chosen by hand")
    func outlook() throws {
        let csv = "First Name,Last Name,Company,E-mail Address,Mobile Phone,Business Fax,Web Page,Categories,Shoe size\r\n"
            + "Bayo,Okafor,Okafor Plumbing,bayo@okafor.example,07700 900123,,okafor.example,Trades;Breakfast,44\r\n"
        let table = try ContactCSV.table(Data(csv.utf8))
        var mapping = ContactCSV.guessMapping(table.header)
        #expect(mapping == [.firstName, .lastName, .business, .email, .phone, .ignore, .website, .tags, .ignore])
        mapping[8] = .notes
        let card = try #require(ContactCSV.cards(table, mapping: mapping).cards.first)
        #expect(card.name == "Bayo Okafor")
        #expect(card.tags == ["Trades", "Breakfast"])
        #expect(card.notes == "44")
        #expect(card.website == "okafor.example")
    }
}

@Suite("RFC 5322 messages")
struct MailMessageTests {
    @Test("headers unfold and decode; the text part of a multipart reply is found")
    func reply() {
        let raw = """
            From: =?UTF-8?B?Wm/DqyBOZw==?= <zoe@example.com>\r
            To: reply+abc@reply.guild.test\r
            Subject: Re: Coffee?\r
            Message-ID: <r1@example.com>\r
            In-Reply-To: <0f0e@guild>\r
            References: <x@y>\r
             <0f0e@guild>\r
            Content-Type: multipart/alternative; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Yes please, Thursday works. Caf=C3=A9 on =\r
            Main St?\r
            --b1\r
            Content-Type: text/html\r
            \r
            <p>Yes please</p>\r
            --b1--\r

            """
        let message = MailMessage.parse(Data(raw.utf8))
        #expect(message.header("from") == "Zoë Ng <zoe@example.com>")
        #expect(MailMessage.addresses(message.header("From")) == ["zoe@example.com"])
        #expect(MailMessage.messageIDs(message.header("References")) == ["x@y", "0f0e@guild"])
        #expect(message.text == "Yes please, Thursday works. Café on Main St?")
    }
}

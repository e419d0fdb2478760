import Reports
import Testing

@Suite("Text tables")
struct TextTableTests {
    @Test func columnsAlignAndNumbersAlignRight() {
        let lines = TextTable.lines([["arm", "deals", "note"], ["control", "60", ""], ["treatment", "125", "new"]], rightAligned: [1])
        #expect(lines == ["arm        deals  note", "control       60", "treatment    125  new"])
    }

    @Test func shortRowsAndNoRows() {
        #expect(TextTable.lines([]) == [])
        #expect(TextTable.lines([["a", "b"], ["long cell"]]) == ["a          b", "long cell"])
    }
}

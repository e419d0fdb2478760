/// Rows of cells as aligned terminal lines: columns two spaces apart, each as wide as its widest cell;
/// `rightAligned` columns (numbers) padded on the left; no line ends in spaces.
///
/// ```swift
/// TextTable.lines([["arm", "deals"], ["control", "60"]], rightAligned: [1])
/// // ["arm      deals", "control     60"]
/// ```
public enum TextTable {
    public static func lines(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        var widths = [Int](repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            let cells = row.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }
            return Formatting.trimmingTrailingSpaces(cells.joined(separator: "  "))
        }
    }
}

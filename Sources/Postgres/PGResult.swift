import CLibPQ

/// A query result that frees itself: owns a `PGresult*` and calls `PQclear` exactly once.
///
/// `~Copyable` so the pointer can have only one owner; read it through `rows { }` or `row(_:)`, whose
/// `PGRow` views are valid only inside the call.
public struct PGResult: ~Copyable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    deinit { PQclear(handle) }

    /// Number of rows returned.
    public var rowCount: Int { Int(PQntuples(handle)) }
    /// Number of columns returned.
    public var columnCount: Int { Int(PQnfields(handle)) }

    /// Rows inserted, updated or deleted by the command (0 for commands that report none).
    public var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// Column names in order.
    public var columnNames: [String] {
        (0..<columnCount).map { String(cString: PQfname(handle, Int32($0))) }
    }

    /// Maps every row; the `PGRow` must not escape the closure.
    public func rows<T>(_ transform: (PGRow) throws -> T) throws -> [T] {
        var output: [T] = []
        output.reserveCapacity(rowCount)
        for index in 0..<rowCount {
            output.append(try transform(PGRow(handle: handle, index: index)))
        }
        return output
    }

    /// Maps the first row, or returns nil when there is none.
    public func firstRow<T>(_ transform: (PGRow) throws -> T) throws -> T? {
        guard rowCount > 0 else { return nil }
        return try transform(PGRow(handle: handle, index: 0))
    }

    /// The single value of a one-row, one-column result (e.g. `SELECT count(*)`).
    public func scalar<T: PGDecodable>(_ type: T.Type = T.self) throws -> T {
        guard rowCount == 1 else {
            throw PGError(.decoding, "expected exactly one row, got \(rowCount)")
        }
        return try PGRow(handle: handle, index: 0).decode(type, 0)
    }
}

/// A view of one row of a `PGResult`. Valid only while the result is alive (inside `rows { }`).
public struct PGRow {
    let handle: OpaquePointer
    /// The row's position in the result.
    public let index: Int

    /// The column's name, for error messages.
    public func columnName(_ column: Int) -> String {
        guard column >= 0, column < Int(PQnfields(handle)) else { return "#\(column)" }
        return String(cString: PQfname(handle, Int32(column)))
    }

    /// True when the value is SQL NULL.
    public func isNull(_ column: Int) -> Bool { PQgetisnull(handle, Int32(index), Int32(column)) == 1 }

    /// Decodes a non-NULL column.
    /// - Throws: `PGError.decoding` naming the column when it is NULL, of another type, or malformed.
    public func decode<T: PGDecodable>(_ type: T.Type, _ column: Int) throws -> T {
        guard let value = try decodeIfPresent(type, column) else {
            throw PGError(.decoding, "column \"\(columnName(column))\" is NULL, which cannot be read as \(T.self)")
        }
        return value
    }

    /// Decodes a column by name.
    public func decode<T: PGDecodable>(_ type: T.Type, _ column: String) throws -> T {
        try decode(type, try columnIndex(column))
    }

    /// Decodes a column that may be NULL.
    public func decodeIfPresent<T: PGDecodable>(_ type: T.Type, _ column: Int) throws -> T? {
        guard column >= 0, column < Int(PQnfields(handle)) else {
            throw PGError(.decoding, "the result has no column #\(column)")
        }
        if isNull(column) { return nil }
        let text = String(cString: PQgetvalue(handle, Int32(index), Int32(column)))
        return try T.decode(pgText: text, type: PGTypeOID(PQftype(handle, Int32(column))), column: columnName(column))
    }

    /// Decodes a column that may be NULL, by name.
    public func decodeIfPresent<T: PGDecodable>(_ type: T.Type, _ column: String) throws -> T? {
        try decodeIfPresent(type, try columnIndex(column))
    }

    private func columnIndex(_ name: String) throws -> Int {
        let index = Int(PQfnumber(handle, "\"" + name + "\""))
        guard index >= 0 else { throw PGError(.decoding, "the result has no column \"\(name)\"") }
        return index
    }
}

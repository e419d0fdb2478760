import CLibPQ

extension PGConnection {
    /// Bulk-loads rows with `COPY … FROM STDIN` (text format).
    ///
    /// ```swift
    /// try connection.copyIn("COPY t (id, name) FROM STDIN") { writer in
    ///     for row in rows { try writer.row([String(row.id), row.name]) }
    /// }
    /// ```
    /// The load is one statement: either every row arrives or none does.
    /// - Returns: the number of rows copied.
    @discardableResult
    public func copyIn(_ sql: String, _ produce: (inout PGCopyWriter) throws -> Void) throws -> Int {
        let start = try check(PQexec(handle, sql))
        guard PQresultStatus(start.handle) == PGRES_COPY_IN else {
            throw PGError(.client, "copyIn needs a COPY … FROM STDIN statement")
        }
        var writer = PGCopyWriter(connection: self)
        do {
            try produce(&writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(handle, "journeylab: the producer failed")
            while let raw = PQgetResult(handle) { PQclear(raw) }
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError() }
        var failure: PGError?
        var copied = 0
        while let raw = PQgetResult(handle) {
            do {
                let result = try check(raw)
                copied = result.affectedRows
            } catch let error as PGError {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
        return copied
    }
}

/// Buffers COPY text-format rows and sends them to the server in large chunks.
public struct PGCopyWriter: ~Copyable {
    let connection: PGConnection
    var buffer: [UInt8] = []
    private let chunkSize = 256 * 1024

    init(connection: PGConnection) {
        self.connection = connection
        buffer.reserveCapacity(chunkSize + 4096)
    }

    /// Appends one row; nil is SQL NULL. Values are escaped for COPY's text format.
    public mutating func row(_ values: [String?]) throws {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(9) }  // tab
            guard let value else {
                buffer.append(contentsOf: [92, 78])  // \N
                continue
            }
            appendEscaped(value)
        }
        buffer.append(10)
        if buffer.count >= chunkSize { try flush() }
    }

    /// Appends text already in COPY text format (tab-separated, escaped, newline-terminated rows), e.g. a file
    /// prepared for `psql \\copy`; the fastest path for bulk loads.
    public mutating func raw(_ bytes: UnsafeRawBufferPointer) throws {
        try flush()
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let status = PQputCopyData(connection.handle, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        guard status == 1 else { throw connection.connectionError() }
    }

    private mutating func appendEscaped(_ value: String) {
        var value = value
        value.withUTF8 { bytes in
            // Most values hold no byte that needs escaping: copy them whole.
            if !bytes.contains(where: { $0 == 92 || $0 == 9 || $0 == 10 || $0 == 13 }) {
                buffer.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 92: buffer.append(contentsOf: [92, 92])  // backslash
                case 9: buffer.append(contentsOf: [92, 116])  // \t
                case 10: buffer.append(contentsOf: [92, 110])  // \n
                case 13: buffer.append(contentsOf: [92, 114])  // \r
                default: buffer.append(byte)
                }
            }
        }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let status = buffer.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                PQputCopyData(connection.handle, $0, Int32(bytes.count))
            }
        }
        guard status == 1 else { throw connection.connectionError() }
        buffer.removeAll(keepingCapacity: true)
    }
}

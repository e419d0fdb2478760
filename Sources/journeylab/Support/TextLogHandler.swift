import Foundation
import Logging
import Postgres

/// `journeylab serve`'s log handler: one line per message on standard error, in swift-log's
/// `StreamLogHandler` layout (`time level label: key=value … [source] message`).
///
/// Unlike `StreamLogHandler`, which renders the whole metadata string each time a key is set, it renders
/// only when a message is actually written: the server sets a request id and a key id on every request and
/// logs almost none of them at the default level (perf showed the eager rendering at ~2% of the API's CPU).
struct TextLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        let fields = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = "\(RFC3339.string(Date())) \(event.level) \(label):\(fields) [\(event.source)] \(event.message)\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}

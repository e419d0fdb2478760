import Foundation
import Synchronization

/// A progress bar on stderr (redrawn in place on a terminal, a few plain lines otherwise).
final class DemoProgress: Sendable {
    private let enabled: Bool
    private let isTerminal: Bool
    private let state = Mutex<(total: Int, done: Int, label: String, lastPrinted: Int)>((0, 0, "", -1))

    init(enabled: Bool) {
        self.enabled = enabled
        self.isTerminal = isatty(2) == 1
    }

    func step(_ label: String) {
        guard enabled else { return }
        if isTerminal { write("\r\u{1B}[2K") }
        write("• \(label)\n")
    }

    func start(_ label: String, total: Int) {
        state.withLock { $0 = (total, 0, label, -1) }
        draw()
    }

    func advance(by count: Int = 1) {
        state.withLock { $0.done += count }
        draw()
    }

    func finish() {
        guard enabled, isTerminal else { return }
        write("\r\u{1B}[2K")
    }

    private func draw() {
        guard enabled else { return }
        let (total, done, label, shouldPrint): (Int, Int, String, Bool) = state.withLock { state in
            let percent = state.total > 0 ? state.done * 100 / state.total : 100
            // Off a terminal print every 25%, not every request.
            let bucket = isTerminal ? percent : percent / 25
            let changed = bucket != state.lastPrinted
            state.lastPrinted = bucket
            return (state.total, state.done, state.label, changed)
        }
        guard shouldPrint else { return }
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        if isTerminal {
            let width = 30, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            write("\r\u{1B}[2K  \(label) \(bar) \(done)/\(total)")
        } else {
            write("  \(label): \(done)/\(total)\n")
        }
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}

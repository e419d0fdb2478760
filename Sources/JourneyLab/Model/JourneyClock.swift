import Foundation
import Synchronization

/// The time source for lifecycle moves, so tests can control time.
public protocol JourneyClock: Sendable {
    func now() -> Date
}

/// Wall-clock time.
public struct SystemJourneyClock: JourneyClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock tests move by hand.
public final class ManualJourneyClock: JourneyClock {
    private let current: Mutex<Date>
    public init(_ start: Date) { current = Mutex(start) }
    public func now() -> Date { current.withLock { $0 } }
    public func advance(days: Double) { current.withLock { $0 += days * 86_400 } }
    public func set(_ date: Date) { current.withLock { $0 = date } }
}

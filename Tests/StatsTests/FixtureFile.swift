import Foundation

/// The golden fixtures under `Fixtures/`, written by the scripts in `scripts/golden/`.
enum FixtureFile {
    /// Decodes `Fixtures/<name>`; a missing or broken file yields `empty`, so the suite's "fixture is present"
    /// test fails instead of every test being skipped.
    static func load<T: Decodable>(_ name: String, empty: T) -> T {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        guard let data = try? Data(contentsOf: url), let value = try? JSONDecoder().decode(T.self, from: data) else { return empty }
        return value
    }
}

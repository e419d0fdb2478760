/// The release of this build: `journeylab --version` prints it. Raise it with every release that changes
/// what users see (commands, the HTTP API, the report); the API's own version is `info.version` in
/// `openapi.yaml`.
public enum JourneyLabVersion {
    public static let current = "0.1.0"
}

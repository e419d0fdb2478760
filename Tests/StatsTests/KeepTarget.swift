// Keeps the target non-empty while its files are being written; delete once the target has sources.

// The Stats benchmark, driven by scripts/bench/stats.sh: times the exact tests and a full analysis in-process.
//
// Usage: StatsBenchmark < tables.txt
//   stdin: one table per line, "x1 n1 x2 n2" (the same tables the scipy side times).
// Prints one line per measurement: "name<TAB>seconds per call<TAB>detail".
import Stats

/// Times `body` `repetitions` times after a warm-up call; returns seconds per call (best of 3 rounds).
func secondsPerCall(repetitions: Int, _ body: () -> Void) -> Double {
    body()
    let clock = ContinuousClock()
    var best = Double.infinity
    for _ in 0..<3 {
        let elapsed = clock.measure { for _ in 0..<repetitions { body() } }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        best = min(best, seconds / Double(repetitions))
    }
    return best
}

func report(_ name: String, _ seconds: Double, _ detail: String = "") {
    print("\(name)\t\(seconds)\t\(detail)")
}

var tables: [(Int, Int, Int, Int)] = []
while let line = readLine() {
    let fields = line.split(separator: " ").compactMap { Int($0) }
    if fields.count == 4 { tables.append((fields[0], fields[1], fields[2], fields[3])) }
}
precondition(!tables.isEmpty, "give tables on stdin, one 'x1 n1 x2 n2' per line")

var sink = 0.0
let fisher = secondsPerCall(repetitions: 200) {
    for (x1, n1, x2, n2) in tables {
        sink += FisherExactTest.pValue(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
    }
}
report("fisher_exact", fisher / Double(tables.count), "\(tables.count) tables")

let boschloo = secondsPerCall(repetitions: 3) {
    for (x1, n1, x2, n2) in tables {
        sink += BoschlooExactTest.pValue(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
    }
}
report("boschloo_exact", boschloo / Double(tables.count), "\(tables.count) tables")

let big = BoschlooExactTest.test(successes1: 12, trials1: 75, successes2: 24, trials2: 75)
let bigTime = secondsPerCall(repetitions: 20) {
    sink += BoschlooExactTest.pValue(successes1: 12, trials1: 75, successes2: 24, trials2: 75)
}
report("boschloo_75v75", bigTime, "p=\(big.pValue) pi=\(big.nuisance)")

let arms75 = [ArmCounts(name: "control", deals: 75, conversions: 12), ArmCounts(name: "treatment", deals: 75, conversions: 24)]
let analysis75 = secondsPerCall(repetitions: 20) {
    sink += (try? ProportionAnalysis.analyze(arms75, plan: AnalysisPlan(mde: 0.15)))?.comparisons[0].pValue ?? 0
}
report("analysis_75v75", analysis75, "two arms, mde 0.15")

let arms110 = [
    ArmCounts(name: "control", deals: 110, conversions: 20), ArmCounts(name: "treatment", deals: 110, conversions: 30),
]
let analysis110 = secondsPerCall(repetitions: 20) {
    sink += (try? ProportionAnalysis.analyze(arms110, plan: AnalysisPlan(mde: 0.15)))?.comparisons[0].pValue ?? 0
}
report("analysis_110v110", analysis110, "two arms, mde 0.15")
if sink.isNaN { print("# (sink)") }

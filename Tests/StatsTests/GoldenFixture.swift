import Foundation

/// The golden numbers from `scripts/golden/stats.py` (scipy and statsmodels), read from
/// `Fixtures/golden.json` next to this file. `null` in the file (NaN or ∞ in Python) decodes as nil.
struct GoldenFixture: Decodable, Sendable {
    struct Special: Decodable, Sendable {
        struct Point: Decodable, Sendable { let x: Double; let y: Double? }
        struct BetaLn: Decodable, Sendable { let a: Double; let b: Double; let y: Double? }
        struct BetaInc: Decodable, Sendable {
            let a: Double; let b: Double; let x: Double; let lower: Double?; let upper: Double?
        }
        struct GammaInc: Decodable, Sendable { let a: Double; let x: Double; let lower: Double?; let upper: Double? }
        struct Ndtr: Decodable, Sendable { let x: Double; let cdf: Double?; let sf: Double? }
        struct Ndtri: Decodable, Sendable { let p: Double; let x: Double? }
        struct Chi2: Decodable, Sendable { let x: Double; let k: Double; let cdf: Double?; let sf: Double? }
        struct StudentT: Decodable, Sendable { let t: Double; let df: Double; let cdf: Double?; let sf: Double? }
        struct BetaQuantile: Decodable, Sendable {
            let p: Double; let a: Double; let b: Double; let ppf: Double?; let isf: Double?
        }
        let gammaln: [Point]
        let betaln: [BetaLn]
        let betainc: [BetaInc]
        let gammainc: [GammaInc]
        let ndtr: [Ndtr]
        let ndtri: [Ndtri]
        let chi2: [Chi2]
        let t: [StudentT]
        let betaQuantiles: [BetaQuantile]

        enum CodingKeys: String, CodingKey {
            case gammaln, betaln, betainc, gammainc, ndtr, ndtri, chi2, t
            case betaQuantiles = "beta_quantiles"
        }
    }

    struct Sided: Decodable, Sendable {
        let twoSided: Double?
        let less: Double?
        let greater: Double?
        enum CodingKeys: String, CodingKey {
            case twoSided = "two-sided"
            case less, greater
        }
        func value(_ alternative: String) -> Double? {
            switch alternative {
            case "less": less
            case "greater": greater
            default: twoSided
            }
        }
    }

    struct ZTest: Decodable, Sendable { let z: Double?; let p: Double? }

    struct Intervals: Decodable, Sendable {
        let alpha: Double
        let wilson1: [Double?]
        let wilson2: [Double?]
        let clopper1: [Double?]
        let clopper2: [Double?]
        let newcombe: [Double?]
        let katzLog: [Double?]?
        let katzAdjusted: [Double?]
        enum CodingKeys: String, CodingKey {
            case alpha, wilson1, wilson2, clopper1, clopper2, newcombe
            case katzLog = "katz_log"
            case katzAdjusted = "katz_adjusted"
        }
    }

    struct Table: Decodable, Sendable, CustomStringConvertible {
        let label: String
        let x1: Int
        let n1: Int
        let x2: Int
        let n2: Int
        let fisher: Sided
        let boschlooScipy: Sided
        let boschlooDense: Sided
        let ztestPooled: ZTest
        let ztestUnpooled: ZTest
        let intervals: [Intervals]
        let prob1Beats2: Double?
        let expectedLossChoosing1: Double?
        enum CodingKeys: String, CodingKey {
            case label, x1, n1, x2, n2, fisher, intervals
            case boschlooScipy = "boschloo_scipy"
            case boschlooDense = "boschloo_dense"
            case ztestPooled = "ztest_pooled"
            case ztestUnpooled = "ztest_unpooled"
            case prob1Beats2 = "prob_1_beats_2"
            case expectedLossChoosing1 = "expected_loss_choosing_1"
        }
        var description: String { "\(label): \(x1)/\(n1) vs \(x2)/\(n2)" }
    }

    struct MultiArm: Decodable, Sendable {
        let successes: [Int]
        let trials: [Int]
        let freemanHalton: Double?
        let probBest: [Double?]
        enum CodingKeys: String, CodingKey {
            case successes, trials
            case freemanHalton = "freeman_halton"
            case probBest = "prob_best"
        }
    }

    struct BayesPrior: Decodable, Sendable {
        let prior: [Double]
        let x1: Int
        let n1: Int
        let x2: Int
        let n2: Int
        let prob1Beats2: Double?
        let expectedLossChoosing1: Double?
        enum CodingKeys: String, CodingKey {
            case prior, x1, n1, x2, n2
            case prob1Beats2 = "prob_1_beats_2"
            case expectedLossChoosing1 = "expected_loss_choosing_1"
        }
    }

    struct MultipleTestingCase: Decodable, Sendable { let p: [Double]; let holm: [Double?]; let bh: [Double?] }

    struct ChiSquareCase: Decodable, Sendable {
        let observed: [Int]
        let weights: [Double]
        let statistic: Double?
        let p: Double?
    }

    struct RevenueCase: Decodable, Sendable {
        struct Welch: Decodable, Sendable { let t: Double?; let df: Double?; let p: Double? }
        struct MWU: Decodable, Sendable { let u: Double?; let p: Double? }
        let x: [Double]
        let y: [Double]
        let welch: Welch
        let mwu: MWU
    }

    struct PowerNormalCase: Decodable, Sendable {
        let p1: Double
        let p2: Double
        let nobs1: Double
        let ratio: Double
        let alpha: Double
        let h: Double?
        let power: Double?
        let nobs1For80: Double?
        let mdeH80: Double?
        let mdeLift80: Double?
        enum CodingKeys: String, CodingKey {
            case p1, p2, nobs1, ratio, alpha, h, power
            case nobs1For80 = "nobs1_for_80"
            case mdeH80 = "mde_h_80"
            case mdeLift80 = "mde_lift_80"
        }
    }

    struct PowerExactCase: Decodable, Sendable {
        struct Rates: Decodable, Sendable { let p1: Double; let p2: Double; let power: Double? }
        let test: String
        let n1: Int
        let n2: Int
        let alpha: Double
        let rejected: Int
        let cases: [Rates]
    }

    struct SequentialCase: Decodable, Sendable {
        let spending: String
        let alpha: Double
        let fractions: [Double]
        let z: [Double]
    }

    let special: Special
    let tables: [Table]
    let multiArm: [MultiArm]
    let bayesPriors: [BayesPrior]
    let multipleTesting: [MultipleTestingCase]
    let chisquare: [ChiSquareCase]
    let revenue: [RevenueCase]
    let powerNormal: [PowerNormalCase]
    let powerExact: [PowerExactCase]
    let sequential: [SequentialCase]

    enum CodingKeys: String, CodingKey {
        case special, tables, chisquare, revenue, sequential
        case multiArm = "multi_arm"
        case bayesPriors = "bayes_priors"
        case multipleTesting = "multiple_testing"
        case powerNormal = "power_normal"
        case powerExact = "power_exact"
    }

    /// The fixture, decoded once.
    static let shared: GoldenFixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/golden.json")
        do {
            let data = try Data(contentsOf: url)
            return try JSONDecoder().decode(GoldenFixture.self, from: data)
        } catch {
            fatalError("cannot read the golden fixture at \(url.path): \(error); regenerate it with scripts/golden/stats.py")
        }
    }()

    /// The fixture's table with this label.
    func table(labelled label: String) -> Table? { tables.first { $0.label == label } }
}

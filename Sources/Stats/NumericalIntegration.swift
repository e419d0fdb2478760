/// Adaptive Gauss–Kronrod (7/15-point) quadrature, QUADPACK's QAG rule with bisection of the worst interval.
enum NumericalIntegration {
    private static let kronrodNodes: [Double] = [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.0,
    ]
    private static let kronrodWeights: [Double] = [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ]
    /// Gauss weights for the nodes at odd positions of `kronrodNodes` (1, 3, 5, and the centre).
    private static let gaussWeights: [Double] = [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
    ]

    /// One 15-point Kronrod estimate on [a, b] and its difference from the embedded 7-point Gauss rule.
    static func kronrod(_ a: Double, _ b: Double, _ f: (Double) -> Double) -> (value: Double, error: Double) {
        let centre = 0.5 * (a + b)
        let half = 0.5 * (b - a)
        let fc = f(centre)
        var kronrod = fc * kronrodWeights[7]
        var gauss = fc * gaussWeights[3]
        for index in 0..<7 {
            let offset = half * kronrodNodes[index]
            let pair = f(centre - offset) + f(centre + offset)
            kronrod += kronrodWeights[index] * pair
            if index % 2 == 1 { gauss += gaussWeights[index / 2] * pair }
        }
        return (kronrod * half, abs((kronrod - gauss) * half))
    }

    /// ∫ f over [a, b], split first at `breakpoints`, to `absoluteTolerance` or `relativeTolerance`.
    static func integrate(
        _ f: (Double) -> Double, from a: Double, to b: Double, breakpoints: [Double] = [],
        absoluteTolerance: Double = 1e-14, relativeTolerance: Double = 1e-12, maximumIntervals: Int = 2000
    ) -> Double {
        let points = ([a] + breakpoints.filter { $0 > a && $0 < b }.sorted() + [b])
        var intervals: [(a: Double, b: Double, value: Double, error: Double)] = []
        for index in 0..<(points.count - 1) where points[index + 1] > points[index] {
            let estimate = kronrod(points[index], points[index + 1], f)
            intervals.append((points[index], points[index + 1], estimate.value, estimate.error))
        }
        while intervals.count < maximumIntervals {
            let total = intervals.reduce(0) { $0 + $1.value }
            let error = intervals.reduce(0) { $0 + $1.error }
            if error <= max(absoluteTolerance, relativeTolerance * abs(total)) { break }
            guard let worst = intervals.indices.max(by: { intervals[$0].error < intervals[$1].error }) else { break }
            let interval = intervals[worst]
            let middle = 0.5 * (interval.a + interval.b)
            if middle <= interval.a || middle >= interval.b { break }
            let left = kronrod(interval.a, middle, f)
            let right = kronrod(middle, interval.b, f)
            intervals[worst] = (interval.a, middle, left.value, left.error)
            intervals.append((middle, interval.b, right.value, right.error))
        }
        return intervals.reduce(0) { $0 + $1.value }
    }
}

/// Brent's method for the maximum of a function of one variable on an interval
/// (golden-section search with parabolic steps; Brent 1973, ch. 5, "localmin").
enum ScalarMaximizer {
    /// The point in [lower, upper] where `function` is largest, assuming one local maximum there.
    /// - Parameters:
    ///   - lower: the left end.
    ///   - upper: the right end.
    ///   - tolerance: the absolute tolerance in x.
    ///   - function: the function to maximise.
    /// - Returns: the maximiser and the maximum.
    static func maximize(
        lower: Double, upper: Double, tolerance: Double = 1e-12, _ function: (Double) -> Double
    ) -> (x: Double, value: Double) {
        let golden = 0.381_966_011_250_105_1
        let epsilon = Double.ulpOfOne.squareRoot()
        var a = lower
        var b = upper
        var v = a + golden * (b - a)
        var w = v
        var x = v
        var e = 0.0
        var d = 0.0
        var fx = -function(x)
        var fv = fx
        var fw = fx
        for _ in 0..<200 {
            let middle = 0.5 * (a + b)
            let tol1 = epsilon * abs(x) + tolerance / 3
            let tol2 = 2 * tol1
            if abs(x - middle) <= tol2 - 0.5 * (b - a) { break }
            var useGolden = true
            if abs(e) > tol1 {
                // Try a parabola through x, v and w.
                var r = (x - w) * (fx - fv)
                var q = (x - v) * (fx - fw)
                var p = (x - v) * q - (x - w) * r
                q = 2 * (q - r)
                if q > 0 { p = -p } else { q = -q }
                r = e
                e = d
                if abs(p) < abs(0.5 * q * r) && p > q * (a - x) && p < q * (b - x) {
                    d = p / q
                    let u = x + d
                    if u - a < tol2 || b - u < tol2 { d = x < middle ? tol1 : -tol1 }
                    useGolden = false
                }
            }
            if useGolden {
                e = x < middle ? b - x : a - x
                d = golden * e
            }
            let u = abs(d) >= tol1 ? x + d : (d > 0 ? x + tol1 : x - tol1)
            let fu = -function(u)
            if fu <= fx {
                if u < x { b = x } else { a = x }
                v = w
                fv = fw
                w = x
                fw = fx
                x = u
                fx = fu
            } else {
                if u < x { a = u } else { b = u }
                if fu <= fw || w == x {
                    v = w
                    fv = fw
                    w = u
                    fw = fu
                } else if fu <= fv || v == x || v == w {
                    v = u
                    fv = fu
                }
            }
        }
        return (x, -fx)
    }
}

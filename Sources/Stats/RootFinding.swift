/// Brent's root finder (Brent 1973, "zero"): bisection safety with inverse quadratic steps.
enum RootFinding {
    /// A root of `function` in [lower, upper], where the function's signs at the ends differ.
    /// - Returns: the root, or nil when the ends do not bracket one.
    static func brent(
        lower: Double, upper: Double, tolerance: Double = 1e-13, maximumIterations: Int = 300,
        _ function: (Double) -> Double
    ) -> Double? {
        var a = lower
        var b = upper
        var fa = function(a)
        var fb = function(b)
        if fa == 0 { return a }
        if fb == 0 { return b }
        if (fa > 0) == (fb > 0) { return nil }
        var c = a
        var fc = fa
        var d = b - a
        var e = d
        for _ in 0..<maximumIterations {
            if (fb > 0) == (fc > 0) {
                c = a
                fc = fa
                d = b - a
                e = d
            }
            if abs(fc) < abs(fb) {
                a = b
                b = c
                c = a
                fa = fb
                fb = fc
                fc = fa
            }
            let tol = 2 * Double.ulpOfOne * abs(b) + 0.5 * tolerance
            let middle = 0.5 * (c - b)
            if abs(middle) <= tol || fb == 0 { return b }
            if abs(e) >= tol && abs(fa) > abs(fb) {
                let s = fb / fa
                var p: Double
                var q: Double
                if a == c {
                    p = 2 * middle * s
                    q = 1 - s
                } else {
                    let qq = fa / fc
                    let r = fb / fc
                    p = s * (2 * middle * qq * (qq - r) - (b - a) * (r - 1))
                    q = (qq - 1) * (r - 1) * (s - 1)
                }
                if p > 0 { q = -q } else { p = -p }
                if 2 * p < min(3 * middle * q - abs(tol * q), abs(e * q)) {
                    e = d
                    d = p / q
                } else {
                    d = middle
                    e = d
                }
            } else {
                d = middle
                e = d
            }
            a = b
            fa = fb
            b += abs(d) > tol ? d : (middle > 0 ? tol : -tol)
            fb = function(b)
        }
        return b
    }
}

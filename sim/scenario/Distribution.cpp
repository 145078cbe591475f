#include "sim/scenario/Distribution.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

namespace safetwin {

namespace {

constexpr double kUnbounded = 1e299;  // bounds beyond this mean "no truncation"
constexpr int kMaxRedraws = 1000;

/// Standard normal deviate by the Box-Muller transform (Box & Muller 1958), using the cosine
/// branch only so that a draw consumes exactly two uniforms and keeps no state.
double standardNormal(std::mt19937_64& rng) {
    const double u1 = 1.0 - uniform01(rng);  // (0, 1]: log(u1) is finite
    const double u2 = uniform01(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::string num(double v) {
    std::ostringstream os;
    os << v;  // 6 significant digits: enough to recognise a distribution
    return os.str();
}

std::string bounds(double lo, double hi) {
    if (lo <= -kUnbounded && hi >= kUnbounded) return "";
    return ", [" + (lo <= -kUnbounded ? std::string("-inf") : num(lo)) + ", " +
           (hi >= kUnbounded ? std::string("inf") : num(hi)) + "]";
}

}  // namespace

double inverseNormalCdf(double p) {
    // Acklam's rational approximation (P. J. Acklam, "An algorithm for computing the inverse
    // normal cumulative distribution function", 2003; relative error below 1.15e-9), followed
    // by one Halley step on erfc, which brings it to about double precision.
    if (p <= 0.0) return -HUGE_VAL;
    if (p >= 1.0) return HUGE_VAL;
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                   -2.759285104469687e+02, 1.383577518672690e+02,
                                   -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                   -1.556989798598866e+02, 6.680131188771972e+01,
                                   -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                   -2.400758277161838e+00, -2.549732539343734e+00,
                                   4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                   2.445134137142996e+00, 3.754408661907416e+00};
    constexpr double pLow = 0.02425;
    auto tail = [&](double q) {  // lower tail in q = sqrt(-2 ln p)
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    };
    double x = 0.0;
    if (p < pLow) {
        x = tail(std::sqrt(-2.0 * std::log(p)));
    } else if (p > 1.0 - pLow) {
        x = -tail(std::sqrt(-2.0 * std::log1p(-p)));
    } else {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    // Halley refinement: e = Phi(x) - p, u = e / phi(x).
    const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
    const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
    if (!std::isfinite(u)) return x;  // p so far in the tail that phi(x) underflows
    return x - u / (1.0 + 0.5 * x * u);
}

double normalCdf(double x) {
    return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

Distribution Distribution::uniform(double lo, double hi) {
    Distribution d;
    d.kind = Kind::Uniform;
    d.min = lo;
    d.max = hi;
    return d;
}

Distribution Distribution::normal(double mean, double sd, double lo, double hi) {
    Distribution d;
    d.kind = Kind::Normal;
    d.mean = mean;
    d.sd = sd;
    d.min = lo;
    d.max = hi;
    return d;
}

Distribution Distribution::logNormal(double mean, double sd, double lo, double hi) {
    Distribution d = normal(mean, sd, lo, hi);
    d.kind = Kind::LogNormal;
    return d;
}

double Distribution::logSigma() const {
    return std::sqrt(std::log1p((sd * sd) / (mean * mean)));
}

double Distribution::logMu() const {
    const double s = logSigma();
    return std::log(mean) - 0.5 * s * s;
}

double Distribution::sample(std::mt19937_64& rng) const {
    switch (kind) {
        case Kind::Fixed:
            return value;
        case Kind::Uniform:
            return min + (max - min) * uniform01(rng);
        case Kind::Normal:
        case Kind::LogNormal:
            break;
    }
    const bool logNormal = kind == Kind::LogNormal;
    const double mu = logNormal ? logMu() : mean;
    const double sigma = logNormal ? logSigma() : sd;
    double x = 0.0;
    for (int i = 0; i < kMaxRedraws; ++i) {
        const double z = mu + sigma * standardNormal(rng);
        x = logNormal ? std::exp(z) : z;
        if (x >= min && x <= max) return x;
    }
    return std::clamp(x, min, max);  // the range holds almost no probability: take its edge
}

double Distribution::quantile(double u) const {
    switch (kind) {
        case Kind::Fixed:
            return value;
        case Kind::Uniform:
            return min + (max - min) * std::clamp(u, 0.0, 1.0);
        case Kind::Normal:
            return std::clamp(mean + sd * inverseNormalCdf(u), min, max);
        case Kind::LogNormal:
            return std::clamp(std::exp(logMu() + logSigma() * inverseNormalCdf(u)), min, max);
    }
    return value;
}

double Distribution::expectedMean() const {
    switch (kind) {
        case Kind::Fixed:
            return value;
        case Kind::Uniform:
            return 0.5 * (min + max);
        case Kind::Normal:
        case Kind::LogNormal:
            return mean;
    }
    return value;
}

Distribution Distribution::scaled(double k) const {
    Distribution d = *this;
    d.value *= k;
    d.mean *= k;
    d.sd *= k;  // a lognormal keeps its coefficient of variation, so it stays lognormal
    if (std::abs(d.min) < kUnbounded) d.min *= k;
    if (std::abs(d.max) < kUnbounded) d.max *= k;
    return d;
}

std::string Distribution::describe() const {
    switch (kind) {
        case Kind::Fixed:
            return "fixed(" + num(value) + ")";
        case Kind::Uniform:
            return "uniform(" + num(min) + ", " + num(max) + ")";
        case Kind::Normal:
            return "normal(mean " + num(mean) + ", sd " + num(sd) + bounds(min, max) + ")";
        case Kind::LogNormal:
            return "lognormal(mean " + num(mean) + ", sd " + num(sd) + bounds(min, max) + ")";
    }
    return "?";
}

}  // namespace safetwin

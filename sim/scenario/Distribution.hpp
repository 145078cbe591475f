// Random distributions for speeds and pre-movement times, drawn from the run's seeded
// generator only (same seed, same draws).
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace safetwin {

/// A scalar distribution. Every kind may be truncated to [min, max] (redrawn until inside,
/// at most 1000 times, then clamped).
struct Distribution {
    enum class Kind { Fixed, Uniform, Normal, LogNormal };
    Kind kind = Kind::Fixed;
    double value = 0.0;          // Fixed
    double mean = 0.0, sd = 0.0; // Normal and LogNormal (mean and sd of the variable itself)
    double min = -1e300, max = 1e300;  // Uniform range, or the truncation of the others

    static Distribution fixed(double v) { Distribution d; d.value = v; d.min = v; d.max = v; return d; }
    static Distribution uniform(double lo, double hi);
    static Distribution normal(double mean, double sd, double lo = -1e300, double hi = 1e300);
    static Distribution logNormal(double mean, double sd, double lo = 0.0, double hi = 1e300);

    double sample(std::mt19937_64& rng) const;
    /// The value at quantile u in (0, 1) of the untruncated distribution, then clamped.
    double quantile(double u) const;
    double expectedMean() const;  // of the untruncated distribution
    std::string describe() const;  // e.g. "normal(mean 1.34, sd 0.26, [0.56, 2.12])"

    /// The distribution of k * X for k > 0 (same kind; bounds scaled too).
    Distribution scaled(double k) const;
    /// LogNormal: parameters of ln X, from the mean and sd of X:
    /// sigma^2 = ln(1 + sd^2 / mean^2), mu = ln(mean) - sigma^2 / 2.
    double logMu() const;
    double logSigma() const;
};

/// Standard normal CDF, and its inverse (Acklam's approximation refined by one Halley step;
/// about 1e-15 relative error). inverseNormalCdf(0) = -inf, inverseNormalCdf(1) = +inf.
double normalCdf(double x);
double inverseNormalCdf(double p);

/// Deterministic uniform draw in [0, 1) that does not depend on the standard library's
/// distribution implementations (which differ between library versions).
inline double uniform01(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

}  // namespace safetwin

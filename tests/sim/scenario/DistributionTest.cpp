// Distributions and walking profiles. Sample moments over 100k draws are held against the
// closed-form moments within 5 standard errors: the standard error of a sample mean is
// sd/sqrt(n), and of a sample sd about sd*sqrt((kurtosis - 1)/n)/2 (kurtosis 3 for a normal,
// 1.8 for a uniform). The seeds are fixed, so the runs are reproducible; 5 standard errors
// keep a correct implementation from failing by chance on another seed.
#include <cmath>
#include <numbers>
#include <vector>

#include "TestSupport.hpp"
#include "sim/scenario/Distribution.hpp"
#include "sim/scenario/Profile.hpp"

using namespace safetwin;

namespace {

constexpr int kDraws = 100000;

struct Moments {
    double mean = 0.0, sd = 0.0, lo = 1e300, hi = -1e300;
};

Moments moments(const std::vector<double>& xs) {
    Moments m;
    for (double x : xs) {
        m.mean += x;
        m.lo = std::min(m.lo, x);
        m.hi = std::max(m.hi, x);
    }
    m.mean /= double(xs.size());
    for (double x : xs) m.sd += (x - m.mean) * (x - m.mean);
    m.sd = std::sqrt(m.sd / double(xs.size() - 1));
    return m;
}

std::vector<double> draws(const Distribution& d, uint64_t seed, int n = kDraws) {
    std::mt19937_64 rng(seed);
    std::vector<double> xs(static_cast<size_t>(n));
    for (double& x : xs) x = d.sample(rng);
    return xs;
}

double sdError(double sd, double kurtosis) {
    return sd * std::sqrt((kurtosis - 1.0) / kDraws) / 2.0;
}

double phi(double x) {
    return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
}

}  // namespace

TEST_CASE("Distribution: sample moments agree with the formulas", "[scenario][distribution]") {
    SECTION("uniform: mean (a+b)/2, sd (b-a)/sqrt(12)") {
        const Distribution d = Distribution::uniform(0.93, 1.55);
        const Moments m = moments(draws(d, 1));
        const double sd = (1.55 - 0.93) / std::sqrt(12.0);
        CHECK(std::abs(m.mean - 1.24) < 5 * sd / std::sqrt(kDraws));
        CHECK(std::abs(m.sd - sd) < 5 * sdError(sd, 1.8));
        CHECK(m.lo >= 0.93);
        CHECK(m.hi < 1.55);
        CHECK(d.expectedMean() == Approx(1.24));
    }
    SECTION("normal, untruncated") {
        const Distribution d = Distribution::normal(1.34, 0.26);
        const Moments m = moments(draws(d, 2));
        CHECK(std::abs(m.mean - 1.34) < 5 * 0.26 / std::sqrt(kDraws));
        CHECK(std::abs(m.sd - 0.26) < 5 * sdError(0.26, 3.0));
    }
    SECTION("lognormal: the mean and sd of the variable itself are recovered") {
        const double mean = 60, sd = 20;
        const Distribution d = Distribution::logNormal(mean, sd);
        const std::vector<double> xs = draws(d, 3);
        const Moments m = moments(xs);
        // Kurtosis of a lognormal: e^{4s^2} + 2e^{3s^2} + 3e^{2s^2} - 3, with s^2 = ln(1+cv^2).
        const double s2 = std::log(1.0 + (sd / mean) * (sd / mean));
        const double kurt = std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 3;
        CHECK(std::abs(m.mean - mean) < 5 * sd / std::sqrt(kDraws));
        CHECK(std::abs(m.sd - sd) < 5 * sdError(sd, kurt));
        // ln X is normal(mu, sigma) with mu = ln(mean) - s^2/2.
        CHECK(d.logSigma() == Approx(std::sqrt(s2)));
        CHECK(d.logMu() == Approx(std::log(mean) - s2 / 2));
        std::vector<double> logs;
        for (double x : xs) logs.push_back(std::log(x));
        const Moments lm = moments(logs);
        CHECK(std::abs(lm.mean - d.logMu()) < 5 * d.logSigma() / std::sqrt(kDraws));
        CHECK(std::abs(lm.sd - d.logSigma()) < 5 * sdError(d.logSigma(), 3.0));
        CHECK(m.lo > 0.0);
    }
    SECTION("truncated normal: inside the bounds, with the truncated-normal mean and sd") {
        const double mu = 1.0, sigma = 0.5, a = 0.75, b = 2.0;
        const Distribution d = Distribution::normal(mu, sigma, a, b);
        const Moments m = moments(draws(d, 4));
        CHECK(m.lo >= a);
        CHECK(m.hi <= b);
        // Truncated normal with alpha = (a-mu)/sigma, beta = (b-mu)/sigma, Z =
        // Phi(beta)-Phi(alpha): mean = mu + sigma (phi(alpha) - phi(beta)) / Z, var = sigma^2 [1 +
        // (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2].
        const double al = (a - mu) / sigma, be = (b - mu) / sigma;
        const double z = normalCdf(be) - normalCdf(al);
        const double tMean = mu + sigma * (phi(al) - phi(be)) / z;
        const double tSd = sigma * std::sqrt(1 + (al * phi(al) - be * phi(be)) / z -
                                             std::pow((phi(al) - phi(be)) / z, 2));
        CHECK(std::abs(m.mean - tMean) < 5 * tSd / std::sqrt(kDraws));
        // Kurtosis of this truncated normal is below 3; 3 gives a looser, safe bound.
        CHECK(std::abs(m.sd - tSd) < 5 * sdError(tSd, 3.0));
    }
    SECTION("a truncation holding almost no probability falls back to its edge") {
        // P(X > 10) for a standard normal is about 8e-24: every redraw misses, then clamps.
        const std::vector<double> xs = draws(Distribution::normal(0, 1, 10, 11), 5, 100);
        for (double x : xs) CHECK(x == 10.0);
    }
    SECTION("fixed") {
        for (double x : draws(Distribution::fixed(30), 6, 10)) CHECK(x == 30.0);
    }
}

TEST_CASE("Distribution: the same seed gives the same draws", "[scenario][distribution]") {
    const Distribution kinds[] = {Distribution::uniform(0, 1),
                                  Distribution::normal(1.34, 0.26, 0.5, 2),
                                  Distribution::logNormal(60, 20, 10, 300)};
    for (const Distribution& d : kinds) {
        CHECK(draws(d, 42, 1000) == draws(d, 42, 1000));
        CHECK(draws(d, 42, 1000) != draws(d, 43, 1000));
    }
}

TEST_CASE("Distribution: quantiles", "[scenario][distribution]") {
    SECTION("the inverse normal CDF inverts the CDF to near double precision") {
        for (double p :
             {1e-100, 1e-12, 1e-6, 0.01, 0.02425, 0.2, 0.5, 0.8, 0.97575, 0.99, 0.999999}) {
            const double x = inverseNormalCdf(p);
            if (p < 0.5)
                CHECK(normalCdf(x) == Approx(p).epsilon(1e-12));
            else
                CHECK(std::abs(normalCdf(x) - p) < 1e-15);
        }
        // Table values: z(0.975) = 1.959963984540054, Phi(1) = 0.841344746068543.
        CHECK(inverseNormalCdf(0.975) == Approx(1.959963984540054).epsilon(1e-13));
        CHECK(inverseNormalCdf(0.841344746068543) == Approx(1.0).epsilon(1e-12));
    }
    SECTION("normal: quantile(0.5) is the mean, quantile(Phi(1)) is mean + sd, clamped to bounds") {
        const Distribution d = Distribution::normal(1.34, 0.26, 0.56, 2.12);
        CHECK(d.quantile(0.5) == Approx(1.34).margin(1e-14));
        CHECK(d.quantile(normalCdf(1.0)) == Approx(1.60));
        CHECK(d.quantile(normalCdf(-1.0)) == Approx(1.08));
        CHECK(d.quantile(1e-9) == 0.56);  // -6 sd lies below the truncation
        CHECK(d.quantile(1 - 1e-9) == 2.12);
    }
    SECTION("lognormal: the median is exp(mu) = mean / sqrt(1 + cv^2)") {
        const Distribution d = Distribution::logNormal(60, 20);
        CHECK(d.quantile(0.5) == Approx(60 / std::sqrt(1 + 1.0 / 9)));
    }
    SECTION("uniform and fixed") {
        CHECK(Distribution::uniform(1, 3).quantile(0.25) == Approx(1.5));
        CHECK(Distribution::fixed(7).quantile(0.9) == 7.0);
    }
}

TEST_CASE("Distribution: describe and scale", "[scenario][distribution]") {
    CHECK(Distribution::normal(1.34, 0.26, 0.46, 2.22).describe() ==
          "normal(mean 1.34, sd 0.26, [0.46, 2.22])");
    CHECK(Distribution::normal(1.34, 0.26).describe() == "normal(mean 1.34, sd 0.26)");
    CHECK(Distribution::logNormal(60, 20, 10, 300).describe() ==
          "lognormal(mean 60, sd 20, [10, 300])");
    CHECK(Distribution::uniform(0.93, 1.55).describe() == "uniform(0.93, 1.55)");
    CHECK(Distribution::fixed(30).describe() == "fixed(30)");
    // Scaling a lognormal keeps its coefficient of variation, so sigma is unchanged and
    // mu moves by ln k.
    const Distribution ln = Distribution::logNormal(60, 20, 10, 300);
    const Distribution half = ln.scaled(0.5);
    CHECK(half.logSigma() == Approx(ln.logSigma()));
    CHECK(half.logMu() == Approx(ln.logMu() + std::log(0.5)));
    CHECK(half.quantile(0.3) == Approx(0.5 * ln.quantile(0.3)));
    CHECK(half.min == 5.0);
    CHECK(half.max == 150.0);
}

TEST_CASE("Profiles: built-in walking profiles", "[scenario][profile]") {
    SECTION("names and references") {
        const std::vector<std::string> names = builtinProfileNames();
        CHECK(names.size() == 8);
        for (const std::string& name : names) {
            const Profile* p = builtinProfile(name);
            REQUIRE(p != nullptr);
            CHECK(p->name == name);
            CHECK_FALSE(p->reference.empty());
            CHECK(p->radius.quantile(0.5) == 0.18);
        }
        CHECK(builtinProfile("nobody") == nullptr);
    }
    SECTION("weidmann: normal(1.34, 0.26) at +-3 sd, stairs scaled by Weidmann's ratios") {
        const Profile& p = *builtinProfile("weidmann");
        CHECK(p.flat.describe() == "normal(mean 1.34, sd 0.26, [0.56, 2.12])");
        CHECK(p.draw(0.5, 0.5).speed == Approx(1.34));
        for (double u : {1e-9, 0.1, 0.5, 0.77, 1 - 1e-9}) {
            const Walker w = p.draw(u, 0.5);
            CHECK(w.stair_up / w.speed == Approx(0.61 / 1.34));
            CHECK(w.stair_down / w.speed == Approx(0.694 / 1.34));
            CHECK(w.radius == 0.18);
        }
        CHECK(p.draw(0.5, 0.5).stair_up == Approx(0.61));
        CHECK(p.draw(0.5, 0.5).stair_down == Approx(0.694));
        // RiMEA test 7: drawn speeds match the distribution. draw() takes quantile(u), which
        // clamps the untruncated normal to the bounds, so the 0.27 % beyond +-3 sd sits on
        // them (a censored normal). The bounds are symmetric, so the mean stays 1.34; the
        // variance of a normal censored at +-c sd is
        // sigma^2 [Phi(c) - Phi(-c) - 2c phi(c) + 2c^2 (1 - Phi(c))].
        std::mt19937_64 rng(7);
        std::vector<double> speeds;
        for (int i = 0; i < kDraws; ++i) speeds.push_back(p.draw(uniform01(rng), 0.5).speed);
        const Moments m = moments(speeds);
        const double c = 3.0;
        const double tSd = 0.26 * std::sqrt(normalCdf(c) - normalCdf(-c) - 2 * c * phi(c) +
                                            2 * c * c * (1 - normalCdf(c)));
        CHECK(std::abs(m.mean - 1.34) < 5 * tSd / std::sqrt(kDraws));
        CHECK(std::abs(m.sd - tSd) < 5 * sdError(tSd, 3.0));
        CHECK(m.lo >= 0.56);
        CHECK(m.hi <= 2.12);
    }
    SECTION("IMO MSC.1/Circ.1533 groups: u = 0 and u = 1 give the ends of the table's ranges") {
        struct Row {
            const char* name;
            double flat[2], down[2], up[2];
        };
        // REFERENCES.md, "Population groups (IMO MSC.1/Circ.1533 advanced analysis)".
        const Row table[] = {
            {"imo_females_under_30", {0.93, 1.55}, {0.56, 0.94}, {0.47, 0.79}},
            {"imo_females_30_50", {0.71, 1.19}, {0.49, 0.81}, {0.44, 0.74}},
            {"imo_females_over_50", {0.56, 0.94}, {0.45, 0.75}, {0.37, 0.61}},
            {"imo_males_under_30", {1.11, 1.85}, {0.76, 1.26}, {0.50, 0.84}},
            {"imo_males_30_50", {0.97, 1.62}, {0.64, 1.07}, {0.47, 0.79}},
            {"imo_males_over_50", {0.84, 1.40}, {0.50, 0.84}, {0.38, 0.64}},
            {"imo_impaired", {0.37, 1.06}, {0.26, 0.74}, {0.20, 0.58}},  // stairs: our assumption
        };
        for (const Row& row : table) {
            const Profile* p = builtinProfile(row.name);
            REQUIRE(p != nullptr);
            for (int end = 0; end < 2; ++end) {
                const Walker w = p->draw(double(end), 0.5);
                CHECK(w.speed == Approx(row.flat[end]));
                CHECK(w.stair_down == Approx(row.down[end]));
                CHECK(w.stair_up == Approx(row.up[end]));
            }
        }
    }
}

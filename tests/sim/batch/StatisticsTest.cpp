// Statistics over runs: the percentile formula, the coverage of percentile-bootstrap intervals
// on synthetic normal data, and the comparison of variants (differences, ranking, verdicts
// only where intervals separate).
#include <cmath>
#include <random>
#include <vector>

#include "TestSupport.hpp"
#include "sim/batch/Statistics.hpp"

using namespace safetwin;
using Catch::Matchers::Contains;

namespace {

std::vector<double> normalSample(std::mt19937_64& rng, size_t n, double mu, double sd) {
    std::normal_distribution<double> d(mu, sd);
    std::vector<double> x(n);
    for (double& v : x) v = d(rng);
    return x;
}

RunResult run(const std::string& variant, uint64_t seed, double time) {
    RunResult r;
    r.spec.variant = variant;
    r.spec.seed = seed;
    r.ok = true;
    r.complete = true;
    r.agents = r.evacuated = 10;
    r.evacuation_time = time;
    r.exits = {{"A", 6}, {"B", 4}};
    r.remaining = {10, 5, 0};
    return r;
}

}  // namespace

TEST_CASE("percentile interpolates between order statistics (type 7)", "[batch][stats]") {
    // h = (n - 1) p; x[floor h] + frac(h) (x[floor h + 1] - x[floor h]).
    const std::vector<double> x = {4, 1, 3, 2};  // sorted: 1 2 3 4
    CHECK(percentile(x, 0.0) == 1.0);
    CHECK(percentile(x, 1.0) == 4.0);
    CHECK(percentile(x, 0.5) == Approx(2.5));    // h = 1.5
    CHECK(percentile(x, 0.95) == Approx(3.85));  // h = 2.85 -> 3 + 0.85
    CHECK(percentile({7.0}, 0.95) == 7.0);
    CHECK(std::isnan(percentile({}, 0.5)));
    CHECK(mean({1, 2, 3, 4}) == Approx(2.5));
}

TEST_CASE("bootstrap intervals of the mean cover the true mean about 95 % of the time",
          "[batch][stats]") {
    // 300 samples of 30 from N(100, 10). The percentile bootstrap of the mean slightly
    // under-covers at n = 30 (about 93-94 %); with 300 trials the binomial sd of the coverage is
    // 1.3 %, so [0.89, 0.98] holds the expected coverage with margin. Seeds are fixed.
    std::mt19937_64 rng(7);
    BootstrapOptions opt;
    opt.resamples = 1000;
    const Statistic m = [](const std::vector<double>& x) { return mean(x); };
    int covered = 0;
    const int trials = 300;
    double widthSum = 0;
    for (int t = 0; t < trials; ++t) {
        opt.seed = uint64_t(t) + 1;
        const Estimate e = bootstrap(normalSample(rng, 30, 100.0, 10.0), m, opt);
        covered += e.lo <= 100.0 && 100.0 <= e.hi;
        widthSum += e.hi - e.lo;
    }
    const double coverage = double(covered) / trials;
    CHECK(coverage >= 0.89);
    CHECK(coverage <= 0.98);
    // Mean width against the normal theory 2 x 1.96 x 10 / sqrt(30) = 7.16 (the bootstrap uses
    // the plug-in sd, a little smaller): within 10 %.
    CHECK(widthSum / trials == Approx(2 * 1.96 * 10 / std::sqrt(30.0)).epsilon(0.10));
}

TEST_CASE("bootstrap is reproducible and differences can be paired", "[batch][stats]") {
    std::mt19937_64 rng(3);
    const std::vector<double> a = normalSample(rng, 20, 100, 10);
    std::vector<double> b = a;
    for (double& v : b) v -= 12.0;  // every seed exactly 12 s faster
    const Statistic m = [](const std::vector<double>& x) { return mean(x); };
    BootstrapOptions opt;
    const Estimate e1 = bootstrap(a, m, opt), e2 = bootstrap(a, m, opt);
    CHECK(e1.lo == e2.lo);
    CHECK(e1.hi == e2.hi);
    // Paired: every resample has the same difference, so the interval is the point.
    const Estimate paired = bootstrapDifference(a, b, m, true, opt);
    CHECK(paired.value == Approx(-12.0));
    CHECK(paired.lo == Approx(-12.0));
    CHECK(paired.hi == Approx(-12.0));
    // Unpaired: wider, still centred on -12 and excluding 0 (sd of the difference about 3.2 s).
    const Estimate unpaired = bootstrapDifference(a, b, m, false, opt);
    CHECK(unpaired.hi - unpaired.lo > 5.0);
    CHECK(unpaired.excludesZero());
}

TEST_CASE("compareVariants ranks variants and gives a verdict only where intervals separate",
          "[batch][stats]") {
    std::mt19937_64 rng(11);
    std::vector<RunResult> runs;
    std::normal_distribution<double> noise(0.0, 5.0);
    for (uint64_t s = 1; s <= 20; ++s) {
        const double base = 100.0 + noise(rng);
        runs.push_back(run("base", s, base));
        runs.push_back(run("better", s, base - 20.0 + noise(rng)));  // clearly faster
        runs.push_back(run("same", s, base + noise(rng) * 0.1));     // indistinguishable
    }
    RunResult failed;
    failed.spec.variant = "same";
    failed.spec.seed = 21;
    failed.error = "population 'x': only 3 of 9 people fit";
    runs.push_back(failed);

    const Comparison c = compareVariants("test", {"base", "better", "same"}, {"", "", ""}, runs);
    REQUIRE(c.variants.size() == 3);
    const VariantSummary& base = c.variants[0];
    const VariantSummary& better = c.variants[1];
    const VariantSummary& same = c.variants[2];
    CHECK(base.runs == 20);
    CHECK(!base.d_mean);
    CHECK(base.mean.lo <= base.mean.value);
    CHECK(base.mean.value <= base.mean.hi);

    REQUIRE(better.d_mean);
    CHECK(better.d_mean->hi < 0.0);
    CHECK(better.d_mean->value == Approx(-20.0).margin(3.0));
    CHECK_THAT(better.verdict, Contains("faster than base"));
    CHECK(better.rank == 1);
    CHECK(better.separated_from_next);

    CHECK(same.failed == 1);
    CHECK(same.complete == 20);
    REQUIRE(same.errors.size() == 1);
    CHECK_THAT(same.verdict, Contains("no clear difference"));
    CHECK(!same.d_mean->excludesZero());
    // base and same are 2nd and 3rd in some order, and not separated from each other.
    CHECK(c.ranking.front() == "better");
    CHECK(!c.variants[c.ranking[1] == "base" ? 0 : 2].separated_from_next);

    // Exit usage and the remaining series are averaged over runs.
    REQUIRE(base.exit_mean.size() == 2);
    CHECK(base.exit_mean[0].second == Approx(6.0));
    REQUIRE(base.remaining_median.size() == 3);
    CHECK(base.remaining_median[1] == Approx(5.0));
}

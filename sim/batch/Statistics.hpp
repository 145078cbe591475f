// Statistics over runs: percentiles, percentile-bootstrap confidence intervals, and the
// comparison of layout variants (ranking, and a verdict only where intervals separate).
//
// [SECTION] Estimates    percentile(), bootstrap intervals of the mean, median, 95th percentile
// [SECTION] Comparison   per-variant summaries, differences from the base, ranking, verdicts
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/batch/RunResult.hpp"

namespace safetwin {

// [SECTION] Estimates --------------------------------------------------------------------------

/// The p-quantile (p in [0, 1]) of a sample by linear interpolation between order statistics
/// (Hyndman & Fan type 7, the default of R and NumPy): h = (n - 1) p, x[floor h] + (h - floor h)
/// (x[floor h + 1] - x[floor h]). NaN for an empty sample.
double percentile(std::vector<double> x, double p);
double mean(const std::vector<double>& x);

struct BootstrapOptions {
    int resamples = 2000;      // [Limit: >= 100] [Default: 2000]
    double level = 0.95;       // confidence level [Limit: (0, 1)] [Default: 0.95]
    uint64_t seed = 20240611;  // the resampling is seeded: the same data give the same intervals
};

/// A point estimate with its confidence interval.
struct Estimate {
    double value = 0.0, lo = 0.0, hi = 0.0;
    bool excludesZero() const { return lo > 0.0 || hi < 0.0; }
};

using Statistic = std::function<double(const std::vector<double>&)>;

/// Percentile bootstrap: the statistic of `resamples` resamples (with replacement, same size)
/// and the (1-level)/2 and (1+level)/2 percentiles of those values.
Estimate bootstrap(const std::vector<double>& x, const Statistic& stat,
                   const BootstrapOptions& opt);
/// Interval of stat(b) - stat(a). Paired (one index drawn for both, for runs with common seeds)
/// when `paired` and the samples have equal size, else each resampled independently.
Estimate bootstrapDifference(const std::vector<double>& a, const std::vector<double>& b,
                             const Statistic& stat, bool paired, const BootstrapOptions& opt);

// [SECTION] Comparison -------------------------------------------------------------------------

struct VariantSummary {
    std::string name, description;
    int runs = 0, complete = 0, failed = 0;
    std::vector<double> times;                        // evacuation times of complete runs, by seed
    std::vector<uint64_t> seeds;                      // their seeds
    Estimate mean, median, p95;                       // of the evacuation time [s]
    std::optional<Estimate> d_mean, d_median, d_p95;  // minus the base's [s]; not for the base
    std::string verdict;  // vs the base, from d_mean: only where its interval excludes 0
    int rank = 0;         // 1 = fastest mean evacuation
    bool separated_from_next =
        false;  // its mean differs from the next-ranked one's (interval excludes 0)
    std::vector<std::pair<std::string, double>> exit_mean;    // mean count per exit
    double los_e_s = 0.0, los_f_s = 0.0, los_e_area_s = 0.0;  // means over runs
    bool gas = false;  // runs with a gas release: exposed and incapacitated people
    double gas_exposed = 0.0, gas_incapacitated = 0.0;  // means over runs
    int gas_incapacitated_max = 0;
    double peak = 0.0;  // highest density over all runs [persons/m^2]
    std::string peak_level;
    double peak_x = 0.0, peak_y = 0.0;
    uint64_t peak_seed = 0;
    // Agents remaining over time, per record interval: median and 5-95 % band over runs.
    double remaining_interval = 1.0;
    std::vector<double> remaining_median, remaining_lo, remaining_hi;
    std::vector<DensityMap> density;  // per level, per-cell mean over runs of the peak density
    std::vector<std::string> errors;  // of failed runs (distinct)
};

struct Comparison {
    std::string scenario;
    std::vector<VariantSummary> variants;  // in the scenario's order, base first
    std::vector<std::string> ranking;      // variant names, fastest first
    BootstrapOptions bootstrap;
};

/// Summarises runs by variant (`order` gives the variants, the first is the base).
Comparison compareVariants(const std::string& scenario, const std::vector<std::string>& order,
                           const std::vector<std::string>& descriptions,
                           const std::vector<RunResult>& runs, const BootstrapOptions& opt = {});

nlohmann::ordered_json toJson(const Comparison& c);
/// One row per variant (for spreadsheets).
std::string toCsv(const Comparison& c);

}  // namespace safetwin

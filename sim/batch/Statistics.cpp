#include "sim/batch/Statistics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

namespace safetwin {

namespace {

using ojson = nlohmann::ordered_json;

double round3(double v) {
    return std::round(v * 1000.0) / 1000.0;
}
ojson num(double v) {
    return std::isfinite(v) ? ojson(round3(v)) : ojson(nullptr);
}
ojson est(const Estimate& e) {
    return {{"value", num(e.value)}, {"ci_low", num(e.lo)}, {"ci_high", num(e.hi)}};
}

/// Uniform index in [0, n).
size_t draw(std::mt19937_64& rng, size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
}

Estimate interval(std::vector<double> values, double point, double level) {
    const double a = (1.0 - level) / 2.0;
    std::erase_if(values, [](double v) { return !std::isfinite(v); });
    return {point, percentile(values, a), percentile(values, 1.0 - a)};
}

double med(const std::vector<double>& x) {
    return percentile(x, 0.5);
}
double p95(const std::vector<double>& x) {
    return percentile(x, 0.95);
}

std::string fmt1(double v) {
    std::ostringstream os;
    os.setf(std::ios::fixed);
    os.precision(1);
    os << v;
    return os.str();
}

}  // namespace

double percentile(std::vector<double> x, double p) {
    if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(x.begin(), x.end());
    const double h = (double(x.size()) - 1.0) * std::clamp(p, 0.0, 1.0);
    const size_t lo = size_t(std::floor(h));
    const size_t hi = std::min(lo + 1, x.size() - 1);
    return x[lo] + (h - double(lo)) * (x[hi] - x[lo]);
}

double mean(const std::vector<double>& x) {
    if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
    return std::accumulate(x.begin(), x.end(), 0.0) / double(x.size());
}

Estimate bootstrap(const std::vector<double>& x, const Statistic& stat,
                   const BootstrapOptions& opt) {
    if (x.empty()) {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        return {nan, nan, nan};
    }
    std::mt19937_64 rng(opt.seed);
    std::vector<double> values(size_t(opt.resamples)), sample(x.size());
    for (double& v : values) {
        for (double& s : sample) s = x[draw(rng, x.size())];
        v = stat(sample);
    }
    return interval(std::move(values), stat(x), opt.level);
}

Estimate bootstrapDifference(const std::vector<double>& a, const std::vector<double>& b,
                             const Statistic& stat, bool paired, const BootstrapOptions& opt) {
    if (a.empty() || b.empty()) {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        return {nan, nan, nan};
    }
    paired = paired && a.size() == b.size();
    std::mt19937_64 rng(opt.seed);
    std::vector<double> values(size_t(opt.resamples)), sa(a.size()), sb(b.size());
    for (double& v : values) {
        if (paired) {
            for (size_t k = 0; k < a.size(); ++k) {
                const size_t i = draw(rng, a.size());
                sa[k] = a[i];
                sb[k] = b[i];
            }
        } else {
            for (double& s : sa) s = a[draw(rng, a.size())];
            for (double& s : sb) s = b[draw(rng, b.size())];
        }
        v = stat(sb) - stat(sa);
    }
    return interval(std::move(values), stat(b) - stat(a), opt.level);
}

Comparison compareVariants(const std::string& scenario, const std::vector<std::string>& order,
                           const std::vector<std::string>& descriptions,
                           const std::vector<RunResult>& runs, const BootstrapOptions& opt) {
    Comparison c;
    c.scenario = scenario;
    c.bootstrap = opt;
    const Statistic statMean = [](const std::vector<double>& x) { return mean(x); };
    for (size_t v = 0; v < order.size(); ++v) {
        VariantSummary s;
        s.name = order[v];
        s.description = v < descriptions.size() ? descriptions[v] : "";
        std::vector<const RunResult*> mine;
        for (const RunResult& r : runs)
            if (r.spec.variant == s.name) mine.push_back(&r);
        std::sort(mine.begin(), mine.end(),
                  [](auto* a, auto* b) { return a->spec.seed < b->spec.seed; });
        std::set<std::string> errors;
        std::map<std::string, double> exitSum;
        std::vector<std::string> exitOrder;
        size_t series = 0;
        int okRuns = 0;
        for (const RunResult* r : mine) {
            ++s.runs;
            if (!r->ok) {
                ++s.failed;
                errors.insert(r->error);
                continue;
            }
            ++okRuns;
            if (r->complete && std::isfinite(r->evacuation_time)) {
                ++s.complete;
                s.times.push_back(r->evacuation_time);
                s.seeds.push_back(r->spec.seed);
            }
            for (const ExitCount& e : r->exits) {
                if (!exitSum.count(e.id)) exitOrder.push_back(e.id);
                exitSum[e.id] += e.count;
            }
            s.los_e_s += r->density.los_e_s;
            s.los_f_s += r->density.los_f_s;
            s.los_e_area_s += r->density.los_e_area_s;
            if (r->gas) {
                s.gas = true;
                s.gas_exposed += r->gas_exposed;
                s.gas_incapacitated += r->gas_incapacitated;
                s.gas_incapacitated_max = std::max(s.gas_incapacitated_max, r->gas_incapacitated);
            }
            if (r->density.peak > s.peak) {
                s.peak = r->density.peak;
                s.peak_level = r->density.peak_level;
                s.peak_x = r->density.peak_at.x;
                s.peak_y = r->density.peak_at.y;
                s.peak_seed = r->spec.seed;
            }
            series = std::max(series, r->remaining.size());
            s.remaining_interval = r->remaining_interval;
            if (s.density.empty()) {
                s.density = r->density.maps;
                for (DensityMap& m : s.density) std::fill(m.peak.begin(), m.peak.end(), 0.0f);
            }
            for (size_t l = 0; l < s.density.size() && l < r->density.maps.size(); ++l)
                if (r->density.maps[l].peak.size() == s.density[l].peak.size())
                    for (size_t k = 0; k < s.density[l].peak.size(); ++k)
                        s.density[l].peak[k] += r->density.maps[l].peak[k];
        }
        if (okRuns > 0) {
            s.los_e_s /= okRuns;
            s.los_f_s /= okRuns;
            s.los_e_area_s /= okRuns;
            s.gas_exposed /= okRuns;
            s.gas_incapacitated /= okRuns;
            for (DensityMap& m : s.density)
                for (float& x : m.peak) x /= float(okRuns);
            for (const std::string& id : exitOrder)
                s.exit_mean.push_back({id, exitSum[id] / okRuns});
        }
        // Remaining over time: a finished run holds its last value (nobody re-enters).
        for (size_t t = 0; t < series; ++t) {
            std::vector<double> at;
            for (const RunResult* r : mine)
                if (r->ok && !r->remaining.empty())
                    at.push_back(r->remaining[std::min(t, r->remaining.size() - 1)]);
            s.remaining_median.push_back(percentile(at, 0.5));
            s.remaining_lo.push_back(percentile(at, 0.05));
            s.remaining_hi.push_back(percentile(at, 0.95));
        }
        s.errors.assign(errors.begin(), errors.end());
        s.mean = bootstrap(s.times, statMean, opt);
        s.median = bootstrap(s.times, med, opt);
        s.p95 = bootstrap(s.times, p95, opt);
        c.variants.push_back(std::move(s));
    }
    if (c.variants.empty()) return c;
    // Differences from the base; paired when both ran the same seeds to completion.
    const VariantSummary& base = c.variants.front();
    for (size_t v = 1; v < c.variants.size(); ++v) {
        VariantSummary& s = c.variants[v];
        const bool paired = s.seeds == base.seeds;
        s.d_mean = bootstrapDifference(base.times, s.times, statMean, paired, opt);
        s.d_median = bootstrapDifference(base.times, s.times, med, paired, opt);
        s.d_p95 = bootstrapDifference(base.times, s.times, p95, paired, opt);
        const Estimate& d = *s.d_mean;
        const std::string ci = " (95 % CI " + fmt1(std::abs(d.hi < 0 ? d.hi : d.lo)) + " to " +
                               fmt1(std::abs(d.hi < 0 ? d.lo : d.hi)) + " s)";
        if (s.times.empty() || base.times.empty())
            s.verdict = "not compared: no complete runs";
        else if (d.hi < 0.0)
            s.verdict = "faster than " + base.name + " by " + fmt1(-d.value) + " s on average" + ci;
        else if (d.lo > 0.0)
            s.verdict = "slower than " + base.name + " by " + fmt1(d.value) + " s on average" + ci;
        else
            s.verdict = "no clear difference from " + base.name +
                        " (the 95 % interval of the difference, " + fmt1(d.lo) + " to " +
                        fmt1(d.hi) + " s, includes 0)";
    }
    // Ranking by mean evacuation time; variants without complete runs come last.
    std::vector<size_t> idx(c.variants.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        const double ma = c.variants[a].times.empty() ? INFINITY : c.variants[a].mean.value;
        const double mb = c.variants[b].times.empty() ? INFINITY : c.variants[b].mean.value;
        return ma < mb;
    });
    for (size_t k = 0; k < idx.size(); ++k) {
        VariantSummary& s = c.variants[idx[k]];
        s.rank = int(k) + 1;
        c.ranking.push_back(s.name);
        if (k + 1 < idx.size()) {
            const VariantSummary& next = c.variants[idx[k + 1]];
            const Estimate d =
                bootstrapDifference(s.times, next.times, statMean, s.seeds == next.seeds, opt);
            s.separated_from_next = !s.times.empty() && !next.times.empty() && d.excludesZero();
        }
    }
    return c;
}

ojson toJson(const Comparison& c) {
    ojson j;
    j["scenario"] = c.scenario;
    j["bootstrap"] = {{"method", "percentile bootstrap"},
                      {"resamples", c.bootstrap.resamples},
                      {"level", c.bootstrap.level},
                      {"seed", c.bootstrap.seed}};
    j["ranking"] = c.ranking;
    ojson vs = ojson::array();
    for (const VariantSummary& s : c.variants) {
        ojson v;
        v["name"] = s.name;
        v["description"] = s.description;
        v["rank"] = s.rank;
        v["separated_from_next"] = s.separated_from_next;
        v["runs"] = s.runs;
        v["complete"] = s.complete;
        v["failed"] = s.failed;
        v["evacuation_time_s"] = {
            {"mean", est(s.mean)}, {"median", est(s.median)}, {"p95", est(s.p95)}};
        if (s.d_mean)
            v["difference_from_base_s"] = {
                {"mean", est(*s.d_mean)}, {"median", est(*s.d_median)}, {"p95", est(*s.d_p95)}};
        v["verdict"] = s.verdict;
        ojson ex = ojson::array();
        for (const auto& [id, m] : s.exit_mean)
            ex.push_back({{"id", id}, {"mean_count", round3(m)}});
        v["exits"] = ex;
        v["density"] = {{"los_e_or_worse_s", num(s.los_e_s)},
                        {"los_f_s", num(s.los_f_s)},
                        {"los_e_area_m2s", num(s.los_e_area_s)},
                        {"peak_per_m2", num(s.peak)},
                        {"peak_level", s.peak_level},
                        {"peak_x", num(s.peak_x)},
                        {"peak_y", num(s.peak_y)},
                        {"peak_seed", s.peak_seed}};
        v["gas"] = s.gas ? ojson{{"exposed_mean", num(s.gas_exposed)},
                                 {"incapacitated_mean", num(s.gas_incapacitated)},
                                 {"incapacitated_max", s.gas_incapacitated_max}}
                         : ojson(nullptr);
        v["errors"] = s.errors;
        vs.push_back(v);
    }
    j["variants"] = vs;
    return j;
}

std::string toCsv(const Comparison& c) {
    std::ostringstream os;
    os << "variant,rank,runs,complete,failed,mean_s,mean_lo_s,mean_hi_s,median_s,median_lo_s,"
          "median_hi_s,"
          "p95_s,p95_lo_s,p95_hi_s,diff_mean_s,diff_mean_lo_s,diff_mean_hi_s,diff_p95_s,diff_p95_"
          "lo_s,diff_p95_hi_s,"
          "los_e_or_worse_s,los_f_s,peak_per_m2,peak_level,peak_x,peak_y,gas_exposed_mean,gas_"
          "incapacitated_mean\n";
    auto n = [](double v) {
        if (!std::isfinite(v)) return std::string();
        std::ostringstream s;
        s << round3(v);
        return s.str();
    };
    for (const VariantSummary& s : c.variants) {
        os << s.name << ',' << s.rank << ',' << s.runs << ',' << s.complete << ',' << s.failed;
        for (const Estimate* e : {&s.mean, &s.median, &s.p95})
            os << ',' << n(e->value) << ',' << n(e->lo) << ',' << n(e->hi);
        for (const std::optional<Estimate>* e : {&s.d_mean, &s.d_p95}) {
            if (*e)
                os << ',' << n((*e)->value) << ',' << n((*e)->lo) << ',' << n((*e)->hi);
            else
                os << ",,,";
        }
        os << ',' << n(s.los_e_s) << ',' << n(s.los_f_s) << ',' << n(s.peak) << ',' << s.peak_level
           << ',' << n(s.peak_x) << ',' << n(s.peak_y) << ',' << (s.gas ? n(s.gas_exposed) : "")
           << ',' << (s.gas ? n(s.gas_incapacitated) : "") << '\n';
    }
    return os.str();
}

}  // namespace safetwin

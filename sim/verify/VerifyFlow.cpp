// Flow checks: the fundamental diagram in a periodic corridor (RiMEA 4), the specific flow
// through bottlenecks of five widths, and byte-identical results for one seed.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "sim/verify/VerifySupport.hpp"

namespace safetwin::verify {

namespace {

/// Weidmann (1993): v(rho) = 1.34 (1 - exp(-1.913 (1/rho - 1/5.4))). [m/s]
double weidmannSpeed(double rho) {
    return 1.34 * (1.0 - std::exp(-1.913 * (1.0 / rho - 1.0 / 5.4)));
}

constexpr int kFdStarts = 3;  // random starts per density

/// The periodic corridor of the fundamental diagram: the section 'periodic_section' of the
/// RiMEA 4 scene, closed on itself in x.
struct PeriodicCorridor {
    const NavGrid* grid = nullptr;
    int layer = -1;
    double x0 = 0.0, L = 0.0, y0 = 0.0, W = 0.0;  // section start and length, side, width [m]
    CsmParams params;
};

/// Mean velocity along the corridor [m/s] at density rho from one random start: everyone
/// walks in +x (desired direction e0 = (1, 0)) with free speeds drawn from `profile`; after a
/// 10 s transient the displacement over 60 s is averaged over all agents.
double periodicSpeed(const PeriodicCorridor& c, const Profile& profile, double rho, double dt,
                     std::mt19937_64& rng, CrowdStepStats& stats) {
    // Start on n distinct sites of a triangular lattice with 0.38 m spacing (8 sites per m^2,
    // each more than a body's 0.36 m from the next), drawn at random. A regular start at the
    // density itself would be a fixed point of the model (single files at equal headways) and
    // measure that arrangement rather than a crowd.
    const double a = 0.38, rowGap = a * std::sqrt(3.0) / 2.0, margin = 0.2;
    const int perRow = int(std::floor(c.L / a)),
              rows = int(std::floor((c.W - 2.0 * margin) / rowGap)) + 1;
    std::vector<Vec2> sites;
    for (int r = 0; r < rows; ++r)
        for (int k = 0; k < perRow; ++k)
            sites.push_back(
                {c.x0 + (k + 0.5 * (r % 2)) * c.L / perRow, c.y0 + margin + r * rowGap});
    const size_t n = size_t(std::lround(rho * c.W * c.L));
    if (n > sites.size())
        throw std::logic_error("fundamental diagram: density above the start lattice's");
    for (size_t k = 0; k < n; ++k)  // partial Fisher-Yates shuffle
        std::swap(sites[k], sites[k + size_t(uniform01(rng) * double(sites.size() - k))]);
    CrowdState s;
    CrowdTraits traits;
    s.resize(n);
    traits.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const double u = uniform01(rng), ur = uniform01(rng);
        const Walker walker = profile.draw(u, ur);
        s.x[i] = sites[i].x;
        s.y[i] = sites[i].y;
        s.layer[i] = c.layer;
        s.z[i] = float(c.grid->elevation(c.layer, sites[i]));
        s.status[i] = AgentStatus::Moving;
        s.ex[i] = s.e0x[i] = 1.0f;
        s.ey[i] = s.e0y[i] = 0.0f;
        traits.v_flat[i] = float(walker.speed);
        traits.v_up[i] = float(walker.stair_up);
        traits.v_down[i] = float(walker.stair_down);
        traits.radius[i] = float(walker.radius);
    }
    CrowdModel model(*c.grid, c.params);
    const int64_t transient = std::llround(10.0 / dt), measure = std::llround(60.0 / dt);
    for (int64_t k = 0; k < transient; ++k) stats.merge(model.step(s, traits, dt));
    double travelled = 0.0;
    std::vector<double> px(s.x);
    for (int64_t k = 0; k < measure; ++k) {
        stats.merge(model.step(s, traits, dt));
        for (size_t i = 0; i < n; ++i) {
            double dx = s.x[i] - px[i];
            if (dx < -0.5 * c.L) dx += c.L;  // wrapped round the period
            if (dx > 0.5 * c.L) dx -= c.L;
            travelled += dx;
            px[i] = s.x[i];
        }
    }
    return travelled / (double(n) * double(measure) * dt);
}

}  // namespace

Outcome rimea04FundamentalDiagram() {
    const Scenario sc = loadBundled("scenarios/rimea/rimea04_corridor.yaml");
    const Scene& scene = sc.scene;
    const auto sp = scene.findSpace("periodic_section");
    if (!sp)
        throw InputError("RiMEA 4 scene '" + scene.name + "' needs a space 'periodic_section'");
    const Box2 box = bounds(scene.levels[size_t(sp->first)].spaces[size_t(sp->second)].polygon);
    NavOptions nav;
    nav.cell = sc.cell_size;
    const NavGrid grid(scene, nav);
    PeriodicCorridor c;
    c.grid = &grid;
    c.layer = grid.levelLayer(sp->first);
    c.x0 = box.min.x;
    c.L = box.max.x - box.min.x;
    c.y0 = box.min.y;
    c.W = box.max.y - box.min.y;
    c.params.periodic_x0 = c.x0;
    c.params.periodic_length = c.L;
    const Profile& profile = sc.populations.at(0).profile;
    std::mt19937_64 rng(sc.seed);

    // Each density from kFdStarts random starts; the mean curve is compared with Weidmann's.
    Outcome o;
    double worst = 0.0, worstLo = 0.0, worstHi = 0.0;
    std::string curve;
    CrowdStepStats stats;
    for (double rho : {0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0}) {
        double sum = 0.0, lo = 1e300, hi = -1e300;
        for (int k = 0; k < kFdStarts; ++k) {
            const double v = periodicSpeed(c, profile, rho, sc.time_step, rng, stats);
            sum += v;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        const double v = sum / kFdStarts, vw = weidmannSpeed(rho);
        if (std::abs(v - vw) > std::abs(worst)) {
            worst = v - vw;
            worstLo = lo;
            worstHi = hi;
        }
        curve += (curve.empty() ? "" : ", ") + fixed(rho, 1) + ": " + fixed(v, 2) + " (" +
                 fixed(vw, 2) + ")";
    }
    o.measured = std::abs(worst);
    o.pass = o.measured <= kFdTolerance;
    o.detail = "density /m^2: speed (Weidmann) m/s: " + curve + "; largest deviation " +
               fixed(worst, 2) + " m/s (single starts " + fixed(worstLo, 2) + "-" +
               fixed(worstHi, 2) + " m/s); mean of " + std::to_string(kFdStarts) +
               " random starts in a " + fixed(c.L, 0) + " m x " + fixed(c.W, 0) +
               " m periodic section, free speeds " + profile.flat.describe() +
               " m/s; overlapping pair-steps " + std::to_string(stats.overlapping_pairs) +
               ", deepest " + fixed(stats.max_overlap, 3) + " m";
    return o;
}

Outcome bottleneckFlow(double width) {
    Simulation sim(loadBundled("scenarios/verify/bottleneck_" + fixed(width, 1) + "m.yaml"));
    const Scene& scene = sim.scenario().scene;
    const auto sp = scene.findSpace("bottleneck");
    if (!sp) throw InputError("bottleneck scene '" + scene.name + "' needs a space 'bottleneck'");
    // The passing line is the bottleneck's far (east) end.
    const Box2 box = bounds(scene.levels[size_t(sp->first)].spaces[size_t(sp->second)].polygon);
    const Vec2 a{box.max.x, box.min.y}, b{box.max.x, box.max.y};
    const double clear = box.max.y - box.min.y;
    const CrowdState& s = sim.state();
    const size_t n = s.size();
    std::vector<double> passed(n, -1.0), px(s.x), py(s.y);
    bool more = true;
    while (more) {
        const double t0 = sim.time();
        more = sim.step();
        for (size_t i = 0; i < n; ++i) {
            const Vec2 p{px[i], py[i]}, q{s.x[i], s.y[i]};
            px[i] = q.x;
            py[i] = q.y;
            if (passed[i] >= 0.0 || p == q) continue;
            const double u = crossing(p, q, a, b);
            if (u >= 0.0) passed[i] = t0 + u * sim.dt();
        }
    }
    std::vector<double> t;
    for (double v : passed)
        if (v >= 0.0) t.push_back(v);
    std::sort(t.begin(), t.end());
    Outcome o;
    if (t.size() < n || n < 20) {
        o.detail = "only " + std::to_string(t.size()) + " of " + std::to_string(n) +
                   " passed the bottleneck in " + fixed(sim.time(), 0) +
                   " s (a clog that does not dissolve)";
        return o;
    }
    // Steady state: the passings from the 10th to the 90th percentile (1-based ranks k10, k90).
    const size_t k10 = size_t(std::lround(0.1 * double(n))),
                 k90 = size_t(std::lround(0.9 * double(n)));
    const double flow = double(k90 - k10) / (t[k90 - 1] - t[k10 - 1]);
    double longestGap = 0.0;
    for (size_t k = k10; k < k90; ++k) longestGap = std::max(longestGap, t[k] - t[k - 1]);
    o.measured = flow / clear;
    o.pass = o.measured >= kBottleneckLo && o.measured <= kBottleneckHi;
    o.detail = "flow " + fixed(flow, 2) + " persons/s through " + fixed(clear, 2) +
               " m between passings " + std::to_string(k10) + " and " + std::to_string(k90) +
               " of " + std::to_string(n) + " (" + fixed(t[k10 - 1], 1) + "-" +
               fixed(t[k90 - 1], 1) + " s), longest gap " + fixed(longestGap, 1) +
               " s; last passing at " + fixed(t.back(), 1) + " s";
    return o;
}

Outcome determinism() {
    // One seed, two runs: once with every thread OpenMP offers, once with one. The model's
    // parallel loops write per agent only, so the results must not differ by a single byte.
    const std::string file = "scenarios/rimea/rimea13_stair_queue.yaml";
    const Scenario sc = loadBundled(file);
    const int threads = omp_get_max_threads();
    auto summary = [&](int nt) {
        omp_set_num_threads(nt);
        Simulation sim(sc);
        sim.run();
        return sim.summary().dump(2) + "\n";
    };
    const std::string a = summary(threads), b = summary(1);
    omp_set_num_threads(threads);
    size_t differ = std::max(a.size(), b.size()) - std::min(a.size(), b.size());
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) differ += a[i] != b[i];
    Outcome o;
    o.measured = double(differ);
    o.pass = differ == 0;
    o.detail = "summary.json of " + file + " (seed " + std::to_string(sc.seed) + ", " +
               std::to_string(a.size()) + " bytes) with " + std::to_string(threads) +
               " and 1 threads";
    return o;
}

}  // namespace safetwin::verify

// RiMEA tests 1-3 and 5-7: single walkers on the level and on stairs, pre-movement times,
// walls at a corner, and drawn walking speeds. Each reads its scenario from
// scenarios/rimea/ and measures from the runner (Simulation) step by step.
#include <algorithm>
#include <cmath>

#include "sim/verify/VerifySupport.hpp"

namespace safetwin::verify {

namespace {

/// CDF of what Profile::draw produces: the quantile of the untruncated distribution at a
/// uniform u, clamped to [min, max] (so the CDF jumps to 1 at max).
double drawnCdf(const Distribution& d, double x) {
    if (x < d.min) return 0.0;
    if (x >= d.max) return 1.0;
    switch (d.kind) {
        case Distribution::Kind::Fixed:
            return x >= d.value ? 1.0 : 0.0;
        case Distribution::Kind::Uniform:
            return (x - d.min) / (d.max - d.min);
        case Distribution::Kind::Normal:
            return normalCdf((x - d.mean) / d.sd);
        case Distribution::Kind::LogNormal:
            return x <= 0.0 ? 0.0 : normalCdf((std::log(x) - d.logMu()) / d.logSigma());
    }
    return 0.0;
}

/// Time a single walker spends on the scene's first stair, between crossing the bottom edge
/// and crossing the top edge (or the reverse going down), against slope length / set speed.
Outcome stairTime(const std::string& file, bool up) {
    Simulation sim(loadBundled(file));
    const Stair& st = sim.scenario().scene.stairs.at(0);
    const CrowdState& s = sim.state();
    auto along = [&] { return dot(Vec2{s.x[0], s.y[0]} - st.from, st.along); };
    const double sIn = up ? 0.0 : st.run, sOut = up ? st.run : 0.0;
    auto crossed = [&](double a, double b, double line) {
        return up ? (a < line && b >= line) : (a > line && b <= line);
    };
    double prevS = along(), prevT = sim.time(), tIn = -1.0, tOut = -1.0;
    bool more = true;
    while (more && s.status[0] != AgentStatus::Out) {
        more = sim.step();
        if (s.status[0] == AgentStatus::Out) break;
        const double cur = along(), t = sim.time();
        if (tIn < 0.0 && crossed(prevS, cur, sIn))
            tIn = prevT + (sIn - prevS) / (cur - prevS) * (t - prevT);
        if (tOut < 0.0 && crossed(prevS, cur, sOut))
            tOut = prevT + (sOut - prevS) / (cur - prevS) * (t - prevT);
        prevS = cur;
        prevT = t;
    }
    Outcome o;
    const Walker& w = sim.agents().at(0).walker;
    const double speed = up ? w.stair_up : w.stair_down;
    const double expected = st.slope_length / speed;
    if (tIn < 0.0 || tOut < 0.0) {
        o.measured = 100.0;
        o.detail =
            std::string("the walker never ") + (tIn < 0.0 ? "reached" : "left") + " the stair";
        return o;
    }
    const double onStair = tOut - tIn;
    o.measured = 100.0 * (onStair / expected - 1.0);
    o.pass = std::abs(o.measured) <= 5.0;
    o.detail = fixed(onStair, 2) + " s on the stair vs " + fixed(st.slope_length, 2) + " m / " +
               fixed(speed, 3) + " m/s = " + fixed(expected, 2) + " s; reached the exit at " +
               fixed(sim.agents()[0].exit_time, 1) + " s";
    return o;
}

}  // namespace

Outcome rimea01Corridor() {
    Simulation sim(loadBundled("scenarios/rimea/rimea01_corridor.yaml"));
    sim.run();
    const AgentRecord& a = sim.agents().at(0);
    Outcome o;
    if (a.exit < 0) {
        o.detail = "the walker did not reach the exit";
        return o;
    }
    o.measured = a.exit_time - a.premovement;
    o.pass = o.measured >= 26.0 && o.measured <= 34.0;
    o.detail = "set speed " + fixed(a.walker.speed, 2) + " m/s: 40 m take " +
               fixed(40.0 / a.walker.speed, 1) + " s; walked " + fixed(sim.state().walked[0], 2) +
               " m (the exit counts from 0.15 m before its line)";
    return o;
}

Outcome rimea02StairUp() {
    return stairTime("scenarios/rimea/rimea02_stair_up.yaml", true);
}
Outcome rimea03StairDown() {
    return stairTime("scenarios/rimea/rimea03_stair_down.yaml", false);
}

Outcome rimea05Premovement() {
    Simulation sim(loadBundled("scenarios/rimea/rimea05_premovement.yaml"));
    const CrowdState& s = sim.state();
    const size_t n = s.size();
    std::vector<double> firstMove(n, -1.0), px(s.x), py(s.y);
    bool more = true;
    while (more) {
        const double t0 = sim.time();
        more = sim.step();
        for (size_t i = 0; i < n; ++i) {
            if (firstMove[i] < 0.0 && (s.x[i] != px[i] || s.y[i] != py[i])) firstMove[i] = t0;
            px[i] = s.x[i];
            py[i] = s.y[i];
        }
    }
    Outcome o;
    int early = 0, late = 0, still = 0;
    double worst = 0.0, lo = 1e300, hi = -1e300;
    const double dt = sim.dt();
    for (size_t i = 0; i < n; ++i) {
        const double pre = sim.agents()[i].premovement;
        lo = std::min(lo, pre);
        hi = std::max(hi, pre);
        if (firstMove[i] < 0.0) {
            ++still;
            continue;
        }
        const double delay = firstMove[i] - pre;
        if (std::abs(delay) > std::abs(worst)) worst = delay;
        early += delay < -1e-9;
        late += delay > dt + 1e-9;
    }
    const Distribution& d = sim.scenario().populations.at(0).premovement;
    o.measured = worst;
    o.pass = n == 10 && early == 0 && late == 0 && still == 0 && sim.evacuated() == int(n);
    o.detail = std::to_string(n) + " persons, pre-movement " + fixed(lo, 1) + "-" + fixed(hi, 1) +
               " s drawn from " + d.describe() + "; " + std::to_string(early) + " moved early, " +
               std::to_string(late) + " more than one step late, " + std::to_string(still) +
               " never moved; " + std::to_string(sim.evacuated()) + " out by " +
               fixed(sim.time(), 1) + " s";
    return o;
}

Outcome rimea06Corner() {
    Simulation sim(loadBundled("scenarios/rimea/rimea06_corner.yaml"));
    const Scene& scene = sim.scenario().scene;
    const NavGrid& grid = sim.grid();
    const CrowdState& s = sim.state();
    const size_t n = s.size();
    std::vector<double> px(s.x), py(s.y);
    int64_t inSolid = 0, crossings = 0, checked = 0;
    double clearance = 1e300;
    bool more = true;
    while (more) {
        more = sim.step();
        for (size_t i = 0; i < n; ++i) {
            if (s.status[i] != AgentStatus::Moving) continue;
            const Vec2 p{px[i], py[i]}, q{s.x[i], s.y[i]};
            px[i] = q.x;
            py[i] = q.y;
            ++checked;
            const int l = s.layer[i];
            if (!grid.walkable(l, q)) ++inSolid;
            clearance =
                std::min(clearance, grid.wallDistance(l, q) - double(sim.traits().radius[i]));
            const NavLayer& L = grid.layer(l);
            if (L.kind != NavLayer::Kind::Level || p == q) continue;
            const Level& level = scene.levels[size_t(L.index)];
            for (const Wall& w : level.walls)
                for (size_t k = 0; k + 1 < w.points.size(); ++k) {
                    const double t = crossing(p, q, w.points[k], w.points[k + 1]);
                    if (t < 0.0) continue;
                    const Vec2 at = p + (q - p) * t;  // on the wall's centre line
                    bool throughDoor = false;
                    for (const Door& d : level.doors)
                        throughDoor |= !grid.doorClosed(L.index, int(&d - level.doors.data())) &&
                                       distanceToSegment(at, d.a, d.b) < 1e-6;
                    crossings += !throughDoor;
                }
        }
    }
    Outcome o;
    o.measured = double(inSolid + crossings);
    o.pass = inSolid == 0 && crossings == 0 && sim.evacuated() == int(n) && n == 20;
    o.detail = std::to_string(checked) + " agent-steps checked: " + std::to_string(inSolid) +
               " in a solid cell, " + std::to_string(crossings) +
               " across a wall line; closest body edge to a wall " + fixed(clearance, 3) +
               " m (negative: overlap); " + std::to_string(sim.evacuated()) + " of " +
               std::to_string(n) + " out in " + fixed(sim.time(), 1) + " s";
    return o;
}

Outcome rimea07SpeedDistribution() {
    const Simulation sim(loadBundled("scenarios/rimea/rimea07_speed_distribution.yaml"));
    const Profile& profile = sim.scenario().populations.at(0).profile;
    const Distribution& d = profile.flat;
    std::vector<double> v;
    int mismatched = 0, outside = 0;
    for (size_t i = 0; i < sim.agents().size(); ++i) {
        const double speed = sim.agents()[i].walker.speed;
        v.push_back(speed);
        mismatched += sim.traits().v_flat[i] != float(speed);  // the model walks at the drawn speed
        outside += speed < d.min || speed > d.max;
    }
    std::sort(v.begin(), v.end());
    const double n = double(v.size());
    double ks = 0.0, mean = 0.0, var = 0.0;
    for (size_t k = 0; k < v.size(); ++k) {
        const double F = drawnCdf(d, v[k]);
        ks = std::max({ks, F - double(k) / n, double(k + 1) / n - F});
        mean += v[k] / n;
    }
    for (double x : v) var += (x - mean) * (x - mean) / (n - 1.0);
    // 5 % critical value of the one-sample Kolmogorov-Smirnov statistic, Stephens' (1970)
    // finite-n form of the asymptotic 1.358 / sqrt(n): 0.188 for n = 50.
    const double critical = 1.358 / (std::sqrt(n) + 0.12 + 0.11 / std::sqrt(n));
    Outcome o;
    o.measured = ks;
    o.pass = v.size() == 50 && ks <= critical && outside == 0 && mismatched == 0;
    o.detail = std::to_string(v.size()) + " speeds from profile '" + profile.name + "' " +
               d.describe() + ": critical D " + fixed(critical, 3) + "; mean " + fixed(mean, 3) +
               " m/s (expected " + fixed(d.expectedMean(), 2) + "), sd " +
               fixed(std::sqrt(var), 3) + ", range " + fixed(v.front(), 2) + "-" +
               fixed(v.back(), 2) + " m/s; " + std::to_string(outside) + " outside the bounds, " +
               std::to_string(mismatched) + " walking at another speed than drawn";
    return o;
}

}  // namespace safetwin::verify

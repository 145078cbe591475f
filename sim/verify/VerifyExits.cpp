// RiMEA tests 9-13: closing exits, assigned exits, exit choice, and where congestion forms.
// Congestion is judged by the peak density (moving average over kDensityWindow) in the
// measurement areas the scenarios name as spaces, against Fruin's levels of service
// (REFERENCES.md): LOS F (> 2.15 /m^2: shuffling, queueing) is congestion; anything below it,
// up to LOS E, where a stream moves at capacity, is not.
#include <algorithm>
#include <cmath>

#include "sim/verify/VerifySupport.hpp"

namespace safetwin::verify {

namespace {

double lastExitTime(const Simulation& sim) {
    double t = -1.0;
    for (const AgentRecord& a : sim.agents()) t = std::max(t, a.exit_time);
    return t;
}

/// "D1 251, D2 249" for the exits of a finished run.
std::string exitCounts(const Simulation& sim) {
    std::string out;
    const auto& exits = sim.scenario().scene.exits;
    for (size_t e = 0; e < exits.size(); ++e)
        out += (out.empty() ? "" : ", ") + exits[e].id + " " +
               std::to_string(sim.exitTallies()[e].count);
    return out;
}

std::string outOf(const Simulation& sim) {
    return std::to_string(sim.evacuated()) + " of " + std::to_string(sim.agents().size()) + " out";
}

std::string peakText(const AreaProbe& p) {
    return p.id() + " " + fixed(p.peakDensity(kDensityWindow), 2);
}

}  // namespace

Outcome rimea09DoorClosure() {
    Simulation four(loadBundled("scenarios/rimea/rimea09_four_doors.yaml"));
    four.run();
    Simulation two(loadBundled("scenarios/rimea/rimea09_two_doors.yaml"));
    two.run();
    const double t4 = lastExitTime(four), t2 = lastExitTime(two);
    const bool complete = four.evacuated() == int(four.agents().size()) &&
                          two.evacuated() == int(two.agents().size());
    Outcome o;
    o.measured = t4 > 0.0 ? t2 / t4 : 0.0;
    o.pass = complete && four.agents().size() == 1000 && o.measured >= kDoorClosureLo &&
             o.measured <= kDoorClosureHi;
    o.detail = "4 exits: " + outOf(four) + " in " + fixed(t4, 1) + " s (" + exitCounts(four) +
               "); 2 exits: " + outOf(two) + " in " + fixed(t2, 1) + " s (" + exitCounts(two) + ")";
    return o;
}

Outcome rimea10AssignedExits() {
    Simulation sim(loadBundled("scenarios/rimea/rimea10_assigned_exits.yaml"));
    sim.run();
    const Scenario& sc = sim.scenario();
    std::vector<int> assigned(sc.scene.exits.size(), 0), used(sc.scene.exits.size(), 0);
    int ok = 0;
    for (const AgentRecord& a : sim.agents()) {
        const int e = sc.scene.exitIndex(sc.populations[size_t(a.population)].exit);
        ++assigned[size_t(e)];
        if (a.exit == e) {
            ++ok;
            ++used[size_t(e)];
        }
    }
    Outcome o;
    o.measured = ok;
    o.pass = ok == int(sim.agents().size()) && ok == 23;
    for (size_t e = 0; e < assigned.size(); ++e)
        o.detail += sc.scene.exits[e].id + ": " + std::to_string(used[e]) + " of " +
                    std::to_string(assigned[e]) + " assigned; ";
    o.detail +=
        outOf(sim) + " in " + fixed(lastExitTime(sim), 1) + " s; assigned exit unavailable " +
        std::to_string(sim.summary()["warnings"]["assigned_exit_unavailable"].get<int64_t>()) +
        " times";
    return o;
}

Outcome rimea11ExitChoice() {
    Simulation sim(loadBundled("scenarios/rimea/rimea11_exit_choice.yaml"));
    const Scene& scene = sim.scenario().scene;
    const int nearIdx = scene.exitIndex("E_near"), farIdx = scene.exitIndex("E_far");
    if (nearIdx < 0 || farIdx < 0)
        throw InputError("RiMEA 11 scene needs exits 'E_near' and 'E_far'");
    // Mean straight-line distance from the start positions to each exit, to show which is nearer.
    double dNear = 0.0, dFar = 0.0;
    const CrowdState& s = sim.state();
    for (size_t i = 0; i < s.size(); ++i) {
        const Vec2 p{s.x[i], s.y[i]};
        dNear +=
            distanceToSegment(p, scene.exits[size_t(nearIdx)].a, scene.exits[size_t(nearIdx)].b) /
            double(s.size());
        dFar += distanceToSegment(p, scene.exits[size_t(farIdx)].a, scene.exits[size_t(farIdx)].b) /
                double(s.size());
    }
    sim.run();
    const int nearCount = sim.exitTallies()[size_t(nearIdx)].count,
              farCount = sim.exitTallies()[size_t(farIdx)].count;
    Outcome o;
    o.measured = 100.0 * nearCount / std::max(1, nearCount + farCount);
    o.pass = sim.evacuated() == int(s.size()) && s.size() == 1000 && dNear < dFar &&
             nearCount > farCount && farCount >= 1;
    o.detail = "E_near (mean distance " + fixed(dNear, 1) + " m) " + std::to_string(nearCount) +
               ", E_far (" + fixed(dFar, 1) + " m) " + std::to_string(farCount) + "; " +
               outOf(sim) + " in " + fixed(lastExitTime(sim), 1) + " s; last through E_near at " +
               fixed(sim.exitTallies()[size_t(nearIdx)].last, 1) + " s, E_far at " +
               fixed(sim.exitTallies()[size_t(farIdx)].last, 1) + " s";
    return o;
}

Outcome rimea12Bottlenecks() {
    Simulation sim(loadBundled("scenarios/rimea/rimea12_bottlenecks.yaml"));
    std::vector<AreaProbe> probes{{sim, "before_D1"}, {sim, "before_D2"}, {sim, "before_D3"}};
    runWithProbes(sim, probes);
    const double d1 = probes[0].peakDensity(kDensityWindow),
                 d2 = probes[1].peakDensity(kDensityWindow),
                 d3 = probes[2].peakDensity(kDensityWindow);
    Outcome o;
    o.measured = std::max(d2, d3);
    o.pass = sim.evacuated() == int(sim.agents().size()) && d1 > kFruinLosF && d2 <= kFruinLosF &&
             d3 <= kFruinLosF;
    o.detail = "peak " + fixed(kDensityWindow, 0) + " s mean density /m^2: " + peakText(probes[0]) +
               ", " + peakText(probes[1]) + ", " + peakText(probes[2]) + "; " + outOf(sim) +
               " in " + fixed(lastExitTime(sim), 1) + " s";
    return o;
}

Outcome rimea13StairQueue() {
    Simulation sim(loadBundled("scenarios/rimea/rimea13_stair_queue.yaml"));
    std::vector<AreaProbe> probes{{sim, "before_D1"}, {sim, "stair_foot"}};
    runWithProbes(sim, probes);
    const double d1 = probes[0].peakDensity(kDensityWindow),
                 d2 = probes[1].peakDensity(kDensityWindow);
    Outcome o;
    o.measured = std::min(d1, d2);
    o.pass = sim.evacuated() == int(sim.agents().size()) && d1 > kFruinLosF && d2 > kFruinLosF;
    o.detail = "peak " + fixed(kDensityWindow, 0) + " s mean density /m^2: " + peakText(probes[0]) +
               ", " + peakText(probes[1]) + "; " + outOf(sim) + " in " +
               fixed(lastExitTime(sim), 1) + " s";
    return o;
}

}  // namespace safetwin::verify

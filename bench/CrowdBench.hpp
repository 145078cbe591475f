// `safetwin bench crowd`: the crowd benchmark of issue 2. Prints one JSON object per line per
// case with n, threads, wall_s, sim_s, agent_steps_per_s and peak_rss_mb.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/Scenario.hpp"

namespace safetwin {

/// Square room of the given side (walls centred on its edges), one 2.4 m exit centred in the
/// east wall opening into a corridor 5 m long and as wide as the exit; agents leave 4 m down
/// the corridor. N agents on distinct random points of the 0.5 m lattice inside the room,
/// free speed 1.34 m/s.
Scenario benchRoomScenario(double side, int n, double duration, uint64_t seed);

struct BenchCase {
    int n;
    double side;           // [m]
    double duration;       // simulated seconds; a large value runs the whole evacuation
    bool whole;
};

/// Runs the cases on each thread count, printing a JSON line per run. Returns 0.
int runCrowdBench(const std::vector<BenchCase>& cases, const std::vector<int>& threads);
std::vector<BenchCase> defaultCrowdBenchCases(bool quick);

}  // namespace safetwin

#include "bench/CrowdBench.hpp"

#include <omp.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/run/Simulation.hpp"

namespace safetwin {

namespace {

double readStatusMb(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string k = std::string(key) + ":";
    while (std::getline(in, line))
        if (line.rfind(k, 0) == 0) return std::stod(line.substr(k.size())) / 1024.0;  // kB
    return 0.0;
}

void resetPeakRss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";  // resets the peak resident set size (VmHWM), Linux >= 4.0
}

/// CPU time of all threads of the process: on a shared machine, the figure that the other
/// jobs disturb least. [s]
double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Scenario benchRoomScenario(double side, int n, double duration, uint64_t seed) {
    Scenario sc;
    sc.name = "bench room " + std::to_string(int(side)) + " m, " + std::to_string(n) + " agents";
    sc.duration = duration;
    sc.time_step = 0.05;
    sc.seed = seed;
    const double half = 1.2, mid = 0.5 * side;
    Level L;
    L.id = "L0";
    L.walls.push_back(Wall{"room", {{side, 0}, {side, side}, {0, side}, {0, 0}, {side, 0}}, 0.2, 3.0, {}});
    L.walls.push_back(Wall{"corridor_n", {{side, mid + half}, {side + 5.0, mid + half}}, 0.2, 3.0, {}});
    L.walls.push_back(Wall{"corridor_s", {{side, mid - half}, {side + 5.0, mid - half}}, 0.2, 3.0, {}});
    Door d;
    d.id = "door";
    d.at = {side, mid};
    d.width = 2.4;
    d.closable = false;
    L.doors.push_back(d);
    sc.scene.levels.push_back(L);
    Exit e;
    e.id = "exit";
    e.level_id = "L0";
    e.a = {side + 4.0, mid - half};
    e.b = {side + 4.0, mid + half};
    sc.scene.exits.push_back(e);
    resolveScene(sc.scene);

    // Distinct random points of the 0.5 m lattice strictly inside the room.
    std::vector<Vec2> lattice;
    const int k = int(std::floor(side / 0.5 + 1e-9)) - 1;
    for (int j = 1; j <= k; ++j)
        for (int i = 1; i <= k; ++i) lattice.push_back({0.5 * i, 0.5 * j});
    std::mt19937_64 rng(seed);
    const size_t count = std::min(lattice.size(), size_t(n));
    for (size_t i = 0; i < count; ++i) {  // partial Fisher-Yates shuffle
        const size_t j = i + size_t(uniform01(rng) * double(lattice.size() - i));
        std::swap(lattice[i], lattice[j]);
    }
    lattice.resize(count);
    Population p;
    p.name = "occupants";
    p.level_id = "L0";
    p.positions = lattice;
    p.count = int(count);
    p.profile.name = "fixed 1.34 m/s";
    p.profile.flat = Distribution::fixed(1.34);
    p.profile.stair_up = Distribution::fixed(0.61);
    p.profile.stair_down = Distribution::fixed(0.694);
    p.profile.radius = Distribution::fixed(0.18);
    sc.populations.push_back(p);
    return sc;
}

std::vector<BenchCase> defaultCrowdBenchCases(bool quick) {
    if (quick) return {{1000, 40.0, 1e5, true}, {10000, 51.0, 5.0, false}};
    return {{1000, 40.0, 1e5, true}, {10000, 51.0, 20.0, false}, {20000, 72.0, 20.0, false}, {100000, 160.0, 20.0, false}};
}

int runCrowdBench(const std::vector<BenchCase>& cases, const std::vector<int>& threads) {
    for (const BenchCase& c : cases) {
        for (int t : threads) {
            omp_set_num_threads(t);
            resetPeakRss();
            const double t0 = seconds();
            Simulation sim(benchRoomScenario(c.side, c.n, c.duration, 7));
            const double t1 = seconds(), c1 = cpuSeconds();
            int64_t agentSteps = 0;
            while (true) {
                const int active = sim.remaining() - int(sim.unreachable().size());
                if (!sim.step()) { agentSteps += active; break; }
                agentSteps += active;
            }
            const double t2 = seconds(), c2 = cpuSeconds();
            nlohmann::ordered_json j;
            j["bench"] = "crowd";
            j["case"] = c.whole ? "whole evacuation" : "first " + std::to_string(int(c.duration)) + " s";
            j["n"] = c.n;
            j["room_m"] = c.side;
            j["threads"] = t;
            j["setup_s"] = t1 - t0;
            j["wall_s"] = t2 - t1;
            j["cpu_s"] = c2 - c1;
            j["sim_s"] = sim.time();
            j["realtime_factor"] = sim.time() / (t2 - t1);
            j["agent_steps"] = agentSteps;
            j["agent_steps_per_s"] = double(agentSteps) / (t2 - t1);
            j["agent_steps_per_s_per_thread"] = double(agentSteps) / (t2 - t1) / t;
            j["agent_steps_per_cpu_s"] = double(agentSteps) / (c2 - c1);
            j["evacuated"] = sim.evacuated();
            j["peak_rss_mb"] = readStatusMb("VmHWM");
            j["kernel"] = crowdKernelName();
            std::printf("%s\n", j.dump().c_str());
            std::fflush(stdout);
        }
    }
    return 0;
}

}  // namespace safetwin

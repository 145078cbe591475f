// The registry of crowd verifications, selection by name, and the shared helpers of
// VerifySupport.hpp (bundled scenario loading, density probes, formatting).
#include "sim/verify/CrowdVerification.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "sim/scenario/ScenarioYaml.hpp"
#include "sim/verify/VerifySupport.hpp"

namespace safetwin {

namespace {

using verify::Outcome;

struct Check {
    VerificationInfo info;
    std::function<Outcome()> run;
};

std::string bottleneckName(double width) {
    return "bottleneck_" + verify::fixed(width, 1) + "m";
}

const std::vector<Check>& checks() {
    using namespace verify;
    static const std::vector<Check> all = [] {
        std::vector<Check> c = {
            {{"rimea01_corridor", "s", "travel time over 40 m in 26-34 s (RiMEA 1)"},
             rimea01Corridor},
            {{"rimea02_stair_up", "%",
              "time on the stair within 5 % of slope length / stair-up speed (RiMEA 2)"},
             rimea02StairUp},
            {{"rimea03_stair_down", "%",
              "time on the stair within 5 % of slope length / stair-down speed (RiMEA 3)"},
             rimea03StairDown},
            {{"rimea04_fundamental_diagram", "m/s",
              "largest |v - v_Weidmann| at 0.5-5 /m^2 <= " + fixed(kFdTolerance, 2) +
                  " m/s (1 sd of free speed)"},
             rimea04FundamentalDiagram},
            {{"rimea05_premovement", "s",
              "each starts 0 to 1 time step after its pre-movement time (RiMEA 5)"},
             rimea05Premovement},
            {{"rimea06_corner", "crossings",
              "0 wall crossings, everyone round the corner and out (RiMEA 6)"},
             rimea06Corner},
            {{"rimea07_speed_distribution", "KS D",
              "drawn speeds fit the profile: KS distance below the 5 % critical value, all within "
              "bounds (RiMEA 7)"},
             rimea07SpeedDistribution},
            {{"rimea09_door_closure", "ratio",
              "evacuation time with 2 of 4 exits / with 4 in " + fixed(kDoorClosureLo, 1) + "-" +
                  fixed(kDoorClosureHi, 1) + ", all out (RiMEA 9)"},
             rimea09DoorClosure},
            {{"rimea10_assigned_exits", "persons",
              "all 23 leave by their assigned exit (RiMEA 10)"},
             rimea10AssignedExits},
            {{"rimea11_exit_choice", "%",
              "nearer exit used by more than half, the other by at least one, all out (RiMEA 11)"},
             rimea11ExitChoice},
            {{"rimea12_bottlenecks", "1/m^2",
              "peak density > " + fixed(kFruinLosF, 2) +
                  " (LOS F) before the first room's exit only, <= " + fixed(kFruinLosF, 2) +
                  " after it, all out (RiMEA 12)"},
             rimea12Bottlenecks},
            {{"rimea13_stair_queue", "1/m^2",
              "peak density before the room exit and at the stair foot both > " +
                  fixed(kFruinLosF, 2) + " (LOS F), all out (RiMEA 13)"},
             rimea13StairQueue},
        };
        for (double w : kBottleneckWidths)
            c.push_back(
                {{bottleneckName(w), "1/(m s)",
                  "specific flow " + fixed(kBottleneckLo, 1) + "-" + fixed(kBottleneckHi, 1) +
                      " persons/(m s), all through (Seyfried et al. 2009)"},
                 [w] { return bottleneckFlow(w); }});
        c.push_back({{"determinism", "bytes",
                      "0 bytes differ between two runs with one seed (1 and all threads)"},
                     determinism});
        return c;
    }();
    return all;
}

std::vector<const Check*> select(const std::string& only) {
    std::vector<const Check*> out;
    for (const Check& c : checks())
        if (c.info.name == only) return {&c};
    for (const Check& c : checks())
        if (c.info.name.rfind(only, 0) == 0) out.push_back(&c);
    if (out.empty()) {
        std::string names;
        for (const Check& c : checks()) names += (names.empty() ? "" : ", ") + c.info.name;
        throw InputError("no crowd verification is called '" + only +
                         "' or begins with it (expected one of: " + names + ")");
    }
    return out;
}

}  // namespace

std::vector<VerificationInfo> crowdVerifications() {
    std::vector<VerificationInfo> out;
    for (const Check& c : checks()) out.push_back(c.info);
    return out;
}

std::vector<VerificationInfo> selectCrowdVerifications(const std::string& only) {
    std::vector<VerificationInfo> out;
    for (const Check* c : select(only)) out.push_back(c->info);
    return out;
}

std::vector<VerificationResult> verifyCrowd(const std::string& only) {
    return verifyCrowd(only, {});
}

std::vector<VerificationResult> verifyCrowd(
    const std::string& only, const std::function<void(const VerificationResult&)>& onResult) {
    std::vector<VerificationResult> results;
    for (const Check* c : select(only)) {
        const auto t0 = std::chrono::steady_clock::now();
        const Outcome o = c->run();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        VerificationResult r{c->info.name,
                             o.measured,
                             c->info.unit,
                             c->info.criterion,
                             o.pass,
                             o.detail + (o.detail.empty() ? "" : "; ") + "ran in " +
                                 verify::fixed(seconds, 1) + " s"};
        if (onResult) onResult(r);
        results.push_back(std::move(r));
    }
    return results;
}

std::string verificationHome() {
    if (const char* home = std::getenv("SAFETWIN_HOME"); home && *home) return home;
    return SAFETWIN_SOURCE_DIR;
}

namespace verify {

Scenario loadBundled(const std::string& relative) {
    const std::filesystem::path path = std::filesystem::path(verificationHome()) / relative;
    if (!std::filesystem::is_regular_file(path))
        throw InputError("verification scenario '" + path.string() +
                         "' not found (the suite reads scenarios/ from the source tree, or from "
                         "$SAFETWIN_HOME when set)");
    return loadScenarioFile(path.string());
}

AreaProbe::AreaProbe(const Simulation& sim, const std::string& spaceId) : sim_(&sim), id_(spaceId) {
    const Scene& scene = sim.scenario().scene;
    const auto sp = scene.findSpace(spaceId);
    if (!sp)
        throw InputError("verification scene '" + scene.name + "' has no space '" + spaceId + "'");
    layer_ = sim.grid().levelLayer(sp->first);
    polygon_ = scene.levels[size_t(sp->first)].spaces[size_t(sp->second)].polygon;
    box_ = bounds(polygon_);
    area_ = std::abs(signedArea(polygon_));
}

void AreaProbe::sample() {
    const CrowdState& s = sim_->state();
    int n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s.status[i] != AgentStatus::Waiting && s.status[i] != AgentStatus::Moving) continue;
        if (s.layer[i] != layer_) continue;
        const Vec2 p{s.x[i], s.y[i]};
        if (box_.contains(p) && pointInPolygon(p, polygon_)) ++n;
    }
    counts_.push_back(n);
}

double AreaProbe::peakDensity(double window_s) const {
    if (counts_.empty()) return 0.0;
    const size_t w =
        std::clamp<size_t>(size_t(std::llround(window_s / sim_->dt())), 1, counts_.size());
    int64_t sum = 0, best = 0;
    for (size_t k = 0; k < counts_.size(); ++k) {
        sum += counts_[k];
        if (k >= w) sum -= counts_[k - w];
        if (k + 1 >= w) best = std::max(best, sum);
    }
    return double(best) / double(w) / area_;
}

void runWithProbes(Simulation& sim, std::vector<AreaProbe>& probes) {
    bool more = true;
    while (more) {
        more = sim.step();
        for (AreaProbe& p : probes) p.sample();
    }
}

double crossing(Vec2 p, Vec2 q, Vec2 a, Vec2 b) {
    const double d1 = cross(q - p, a - p), d2 = cross(q - p, b - p);
    const double d3 = cross(b - a, p - a), d4 = cross(b - a, q - a);
    if ((d1 == 0.0 && d2 == 0.0) || d1 * d2 > 0.0 || d3 * d4 > 0.0 || d3 == d4) return -1.0;
    return d3 / (d3 - d4);
}

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

}  // namespace verify

}  // namespace safetwin

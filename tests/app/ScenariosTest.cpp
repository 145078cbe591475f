// The bundled scenarios: every one loads and can be set up, and the office demo behaves like
// an evacuation of a two-storey building — everyone leaves, the first floor comes down both
// stairs, every exit is used, and losing a stair makes it slower.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "TestSupport.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace fs = std::filesystem;
using namespace safetwin;

namespace {

/// *.yaml files under scenarios/ that are scenarios (have `populations`), not scenes.
std::vector<fs::path> bundledScenarios() {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(test::sourceDir() / "scenarios")) {
        if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
        YAML::Node root;
        try {
            root = YAML::LoadFile(e.path().string());
        } catch (const YAML::Exception& ex) {
            FAIL(e.path().string() << " is not valid YAML: " << ex.what());
        }
        if (root.IsMap() && root["populations"]) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// What a run did, seen from outside the engine.
struct RunTrace {
    int agents = 0, evacuated = 0, unreachable = 0;
    double max_overlap = 0.0;         // deepest body overlap seen [m]
    double evacuation_time = 0.0;     // [s]
    double max_premovement = 0.0;     // [s]
    std::vector<float> start_z;       // (agents) [m]
    std::vector<unsigned> stairs;     // (agents) bit s set if the agent stood on stair s
    std::vector<int> exit_count;      // (exits)
    std::vector<std::string> exit_level;
};

RunTrace runTraced(const Scenario& scenario) {
    Simulation sim(scenario);
    RunTrace t;
    const CrowdState& s = sim.state();
    t.agents = int(s.size());
    t.start_z = s.z;
    t.stairs.assign(s.size(), 0u);
    auto look = [&] {
        for (size_t i = 0; i < s.size(); ++i) {
            const NavLayer& L = sim.grid().layer(s.layer[i]);
            if (L.kind == NavLayer::Kind::Stair) t.stairs[i] |= 1u << L.index;
        }
    };
    look();
    while (sim.step()) look();
    t.evacuated = sim.evacuated();
    t.unreachable = int(sim.unreachable().size());
    t.max_overlap = sim.crowdStats().max_overlap;
    t.evacuation_time = sim.summary()["evacuation_time_s"].is_null() ? -1.0 : sim.summary()["evacuation_time_s"].get<double>();
    for (const AgentRecord& r : sim.agents()) t.max_premovement = std::max(t.max_premovement, r.premovement);
    for (size_t e = 0; e < sim.exitTallies().size(); ++e) {
        t.exit_count.push_back(sim.exitTallies()[e].count);
        t.exit_level.push_back(scenario.scene.exits[e].level_id);
    }
    return t;
}

int stairIndex(const Scenario& sc, const std::string& id) {
    for (size_t s = 0; s < sc.scene.stairs.size(); ++s)
        if (sc.scene.stairs[s].id == id) return int(s);
    return -1;
}

}  // namespace

TEST_CASE("every bundled scenario loads and can be set up", "[scenarios]") {
    const auto files = bundledScenarios();
    REQUIRE_FALSE(files.empty());
    for (const fs::path& f : files) {
        DYNAMIC_SECTION(fs::relative(f, test::sourceDir()).string()) {
            Scenario sc;
            REQUIRE_NOTHROW(sc = loadScenarioFile(f.string()));
            CHECK_FALSE(sc.populations.empty());
            // Placing the people and building the route fields finds the remaining input
            // errors (people inside walls, exits covering no floor).
            REQUIRE_NOTHROW(Simulation{sc});
        }
    }
}

TEST_CASE("the office demo evacuates both storeys by both stairs", "[scenarios][office]") {
    const fs::path dir = test::sourceDir() / "scenarios";
    const Scenario base = loadScenarioFile((dir / "office.yaml").string());
    const Scenario blocked = loadScenarioFile((dir / "office-stair-blocked.yaml").string());
    const int s1 = stairIndex(base, "S1"), s2 = stairIndex(base, "S2");
    REQUIRE(s1 >= 0);
    REQUIRE(s2 >= 0);
    REQUIRE(base.scene.levels.size() == 2);
    const double upperZ = base.scene.levels[1].elevation;
    REQUIRE(upperZ == Approx(3.5));

    const RunTrace a = runTraced(base);
    INFO("office: " << a.evacuated << " of " << a.agents << " out, evacuation time " << a.evacuation_time << " s");

    SECTION("everyone gets out") {
        CHECK(a.agents >= 500);
        CHECK(a.unreachable == 0);
        CHECK(a.evacuated == a.agents);
        // Bodies may touch in a crush but never overlap by a third of a body (0.12 m of 0.36 m).
        CHECK(a.max_overlap < 0.12);
        // Nobody can be out before they start to move.
        CHECK(a.evacuation_time >= a.max_premovement);
        CHECK(a.evacuation_time < base.duration);
    }

    SECTION("the first floor comes down both stairs, and every exit is used") {
        int upper = 0, viaS1 = 0, viaS2 = 0;
        for (size_t i = 0; i < a.start_z.size(); ++i) {
            if (a.start_z[i] < upperZ - 1e-3) {
                CHECK(a.stairs[i] == 0u);  // nobody on the ground floor takes a stair
                continue;
            }
            ++upper;
            // All exits are on the ground floor, so every first-floor person who got out
            // walked down a stair.
            CHECK(a.stairs[i] != 0u);
            viaS1 += (a.stairs[i] >> s1) & 1u;
            viaS2 += (a.stairs[i] >> s2) & 1u;
        }
        for (const std::string& level : a.exit_level) CHECK(level == "L0");
        INFO("first floor " << upper << ", down S1 " << viaS1 << ", down S2 " << viaS2);
        REQUIRE(upper > 0);
        // The first floor is laid out nearly symmetrically about the building's middle and
        // most people take the nearest stair, so each stair carries a good share: at least a
        // quarter (half would be perfect symmetry).
        CHECK(viaS1 >= upper / 4);
        CHECK(viaS2 >= upper / 4);
        for (size_t e = 0; e < a.exit_count.size(); ++e) {
            INFO("exit " << base.scene.exits[e].id);
            CHECK(a.exit_count[e] > 0);
        }
    }

    SECTION("without the west stair, everyone still gets out, later") {
        const RunTrace b = runTraced(blocked);
        INFO("stair blocked: evacuation time " << b.evacuation_time << " s");
        CHECK(b.agents == a.agents);
        CHECK(b.unreachable == 0);
        CHECK(b.evacuated == b.agents);
        CHECK(b.max_overlap < 0.12);
        for (size_t i = 0; i < b.stairs.size(); ++i) CHECK(((b.stairs[i] >> s1) & 1u) == 0u);
        // Same people, same pre-movement (same seed), one stair fewer for the first floor.
        CHECK(b.evacuation_time > a.evacuation_time);
    }
}

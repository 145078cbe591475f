// The crowd kernel's shortcuts (the headway read from the repulsion pass's neighbours, the wall
// tiles' lower bounds and stair-free flags) change no result: whole bundled evacuations, with
// walls, doors closed by events, stairs and their hand-overs, give the same summary without them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "TestSupport.hpp"
#include "sim/crowd/Crowd.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;

TEST_CASE("Whole evacuations give the same summary with and without the crowd kernel's shortcuts", "[crowd]") {
    int64_t tileBounds = 0;  // over all (RiMEA 6's 2 m corridor has nobody far from its walls)
    for (const char* name : {"scenarios/office.yaml", "scenarios/office-stair-blocked.yaml", "scenarios/rimea/rimea09_two_doors.yaml",
                             "scenarios/rimea/rimea06_corner.yaml"}) {
        INFO(name);
        const Scenario scenario = loadScenarioFile((test::sourceDir() / name).string());
        auto run = [&](bool shortcuts) {
            setCrowdShortcuts(shortcuts);
            Simulation sim(scenario);
            sim.run();
            setCrowdShortcuts(true);
            return std::pair{sim.summary().dump(), sim.crowdStats()};
        };
        const auto [with, withStats] = run(true);
        const auto [without, withoutStats] = run(false);
        CHECK(with == without);
        CHECK(withStats.wall_guard_hits == withoutStats.wall_guard_hits);
        // Both paths ran: the shortcuts settled some people's headway and wall distance, and
        // nobody's without them.
        CHECK(withStats.headway_shortcuts > 0);
        CHECK(withoutStats.headway_shortcuts == 0);
        CHECK(withoutStats.wall_tile_bounds == 0);
        tileBounds += withStats.wall_tile_bounds;
    }
    CHECK(tileBounds > 0);
}

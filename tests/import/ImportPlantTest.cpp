// Plants, a warehouse placed by its Gazebo world file, and a room scan become walkable scenes
// with obstacles, and people placed in them evacuate.
#include "ImportSupport.hpp"

#include "scenes/import/ModelImport.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
namespace fs = std::filesystem;

namespace {

size_t obstacles(const Scene& s) {
    size_t n = 0;
    for (const Level& l : s.levels) n += l.obstacles.size();
    return n;
}

void evacuatesEveryone(const Scene& scene, int people) {
    const NavGrid grid(scene, NavOptions{});
    const WalkableSummary walk = summariseWalkable(grid);
    CHECK(walk.level_area_m2[0] > 20.0);
    // Islands with no way out (the inside of a closed building) are reported, and small.
    double islands = 0.0;
    for (const Island& is : walk.islands) islands += is.area_m2;
    CHECK(islands < 0.5 * walk.level_area_m2[0]);
    const Population p = test::spreadPeople(grid, 0, people);
    REQUIRE(p.count >= people / 2);
    const auto sim = test::evacuate(scene, {p});
    INFO(sim->unreachable().size() << " unreachable");
    CHECK(sim->evacuated() == p.count);
}

}  // namespace

TEST_CASE("the power plant becomes a walkable site with its buildings as obstacles", "[import][plant]") {
    const fs::path f = test::sharedData() / "plant" / "powerplant" / "model.sdf";
    if (!fs::exists(f)) return;
    ImportStats stats;
    Scene scene = importModel(f.string(), {}, &stats);
    CHECK(stats.format == "SDF");
    REQUIRE(scene.levels.size() == 1);
    CHECK(!scene.exits.empty());  // the edges of the site
    resolveScene(scene);
    evacuatesEveryone(scene, 40);
}

TEST_CASE("the power plant as glTF, given a ground, evacuates too", "[import][plant]") {
    const fs::path f = test::sharedData() / "plant" / "powerplant.glb";
    if (!fs::exists(f)) return;
    ImportOptions o;
    o.ground = ImportOptions::Ground::On;
    Scene scene = importModel(f.string(), o);
    resolveScene(scene);
    evacuatesEveryone(scene, 40);
}

TEST_CASE("the small warehouse world places its shelves and evacuates through added exits", "[import][plant]") {
    const fs::path f = test::sharedData() / "plant" / "small_warehouse" / "worlds" / "small_warehouse.world";
    if (!fs::exists(f)) return;
    // Its walls are closed (the collision mesh has no door), so the scenario adds two exit
    // lines a little inside the north and south walls, written as a planner would.
    const std::string yaml = "scene:\n  model: " + f.string() + R"(
  exits:
    - {id: north_gate, level: Ground, from: [-1.5, 9.6], to: [1.5, 9.6]}
    - {id: south_gate, level: Ground, from: [-1.5, -9.6], to: [1.5, -9.6]}
populations:
  - {name: staff, count: 30, where: {level: Ground, rect: {min: [-4, -8], max: [3, 8]}}}
)";
    const Scenario s = parseScenarioText(yaml, "warehouse.yaml", ".");
    CHECK(obstacles(s.scene) >= 15);  // shelves, pallets, desks placed by the world file
    Simulation sim(s);
    sim.run();
    CHECK(sim.evacuated() == 30);
}

TEST_CASE("a room scan becomes a floor with furniture as obstacles, and empties", "[import][scan]") {
    const fs::path f = test::sharedData() / "scans" / "room_scan1.pcd";
    if (!fs::exists(f)) return;
    ImportStats stats;
    Scene scene = importModel(f.string(), {}, &stats);
    CHECK(stats.points > 100000);  // about 112k points, NaN points dropped
    CHECK(obstacles(scene) >= 5);
    REQUIRE(!scene.exits.empty());  // where the scanned floor opens
    resolveScene(scene);
    evacuatesEveryone(scene, 15);
}

// A scenario names a model and edits it: doors as exits or closed, obstacles added, moved or
// removed, spaces renamed; by GlobalId, name pattern or position.
#include "ImportSupport.hpp"

#include "scenes/import/ModelScene.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
namespace fs = std::filesystem;

TEST_CASE("name patterns", "[import]") {
    CHECK(globMatch("*Flush*", "M_Single-Flush:0915"));
    CHECK(globMatch("m_single*", "M_Single-Flush"));
    CHECK(globMatch("A10?", "A101"));
    CHECK_FALSE(globMatch("A10?", "A1011"));
    CHECK_FALSE(globMatch("*Glass*", "M_Single-Flush"));
}

TEST_CASE("a scenario edits an imported model", "[import][scenario]") {
    const fs::path f = test::sharedData() / "bim" / "Duplex_A_20110907.ifc";
    if (!fs::exists(f)) return;
    const std::string head = "scene:\n  model: " + f.string() + "\n";
    const std::string people = "populations:\n  - {name: p, count: 2, where: {space: foyer}}\n";
    const std::string yaml = head + R"(  doors:
    - {match: {id: 1hOSvn6df7F8_7GcBWlRH8}, closed: true}
    - {match: {name: "*Glass*"}, exit: false}
    - {match: {near: [6.29, -9.67], level: Level1}, exit: true}
  obstacles:
    remove: [{match: {name: "*BaseCabinet*:159159"}}]
    move: [{match: {name: "*BaseCabinet*:159262"}, by: [0.1, 0]}]
    add: [{id: crate, level: Level1, rect: {min: [2, -4], max: [2.5, -3.5]}, height: 1}]
  spaces:
    - {match: {name: "A101*"}, id: foyer, name: Foyer A}
)" + people;
    const Scenario s = parseScenarioText(yaml, "duplex.yaml", ".");
    const Scene& scene = s.scene;
    const auto closed = scene.findDoor("1hOSvn6df7F8_7GcBWlRH8");
    REQUIRE(closed);
    CHECK(scene.levels[size_t(closed->first)].doors[size_t(closed->second)].closed);
    int glassExits = 0, exits = 0;
    for (const Level& l : scene.levels)
        for (const Door& d : l.doors) {
            exits += d.exit;
            glassExits += d.exit && d.source_id.rfind("1s1jVhK8z0pgKYcr9jt7", 0) == 0;
        }
    CHECK(glassExits == 0);
    CHECK(scene.exitIndex("1hOSvn6df7F8_7GcBWlS8Z") >= 0);  // the door near (6.29, -9.67)
    const auto foyer = scene.findSpace("foyer");
    REQUIRE(foyer);
    CHECK(scene.levels[size_t(foyer->first)].spaces[size_t(foyer->second)].name == "Foyer A");
    bool crate = false;
    for (const Obstacle& o : scene.levels[size_t(scene.levelIndex("Level1"))].obstacles) crate |= o.id == "crate";
    CHECK(crate);

    SECTION("an edit that matches nothing is an error at its line") {
        const std::string bad = head + "  doors:\n    - {match: {name: \"*Revolving*\"}, exit: true}\n" +
                                "populations:\n  - {name: p, count: 1, where: {level: Level1, points: [[3, -3]]}}\n";
        try {
            parseScenarioText(bad, "bad.yaml", ".");
            FAIL("expected an error");
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find("bad.yaml:4:") != std::string::npos);
            CHECK(std::string(e.what()).find("matches no door") != std::string::npos);
        }
    }
    SECTION("a missing model is an error naming the scenario line and the model") {
        try {
            parseScenarioText("scene: {model: nowhere.ifc}\npopulations: [{name: p, count: 1, where: {level: L0, points: [[0, 0]]}}]\n",
                              "missing.yaml", ".");
            FAIL("expected an error");
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find("missing.yaml:1:") != std::string::npos);
            CHECK(std::string(e.what()).find("nowhere.ifc") != std::string::npos);
        }
    }
}

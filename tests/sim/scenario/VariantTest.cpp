// Scenario variants: a scenario file names edits of its scene, populations and events; each
// variant builds a complete, checked Scenario, and a bad edit is reported when the file is
// loaded, at its line, naming the object and its close matches.
#include <string>

#include "TestSupport.hpp"
#include "sim/scenario/Variant.hpp"

using namespace safetwin;
using Catch::Matchers::Contains;

namespace {

const std::string kFamily = R"(name: Hall
duration: 300
scene:
  levels:
    - id: L0
      walls:
        - {points: [[0,0],[20,0],[20,10],[0,10],[0,0]]}
      doors:
        - {id: D1, at: [5, 0], width: 1.0, exit: true}
        - {id: D2, at: [15, 10], width: 1.0, exit: true}
      obstacles:
        - {id: rack_1, rect: {min: [2,4], max: [8,5]}}
      spaces:
        - {id: floor, rect: {min: [0.2,0.2], max: [19.8,9.8]}}
populations:
  - {name: staff, count: 30, where: {space: floor}, exit_choice: assigned, exit: D1}
  - {name: visitors, count: 5, where: {space: floor}}
variants:
  - name: wide
    description: D1 widened, rack removed, more staff choosing freely
    remove: [rack_1]
    resize: [{id: D1, width: 2.0}]
    populations:
      - {name: staff, count: 40, exit_choice: nearest}
  - name: one_exit
    close: [D2]
    remove_populations: [visitors]
    add_populations:
      - {name: contractors, count: 3, where: {level: L0, rect: {min: [10,2], max: [12,4]}}}
    events:
      - {time: 10, open_door: D2}
)";

ScenarioFamily family(const std::string& text = kFamily) {
    return ScenarioFamily::parse(text, "hall.yaml", ".");
}

/// "hall.yaml:<line of needle in kFamily>:"
std::string at(const std::string& needle, int column) {
    const size_t pos = kFamily.find(needle);
    REQUIRE(pos != std::string::npos);
    int line = 1;
    for (size_t k = 0; k < pos; ++k) line += kFamily[k] == '\n';
    return "hall.yaml:" + std::to_string(line) + ":" + std::to_string(column);
}

std::string replaced(const std::string& from, const std::string& to) {
    std::string s = kFamily;
    const size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("A scenario family builds its base and each variant", "[scenario][variants]") {
    const ScenarioFamily f = family();
    REQUIRE(f.variantNames() == std::vector<std::string>{"base", "wide", "one_exit"});
    const Scenario base = f.build(0);
    CHECK(base.populations.size() == 2);
    CHECK(base.scene.levels[0].obstacles.size() == 1);

    const Scenario wide = f.build(f.variantIndex("wide"));
    CHECK(wide.scene.levels[0].obstacles.empty());
    CHECK(wide.scene.exits[size_t(wide.scene.exitIndex("D1"))].width() == Approx(2.0));
    REQUIRE(wide.populations.size() == 2);
    CHECK(wide.populations[0].count == 40);
    CHECK(wide.populations[0].exit_choice == ExitChoice::Nearest);  // the base's exit: D1 dropped
    CHECK(wide.populations[0].where.str() != "hall.yaml");          // keeps a line for messages

    const Scenario one = f.build(f.variantIndex("one_exit"));
    CHECK(one.scene.levels[0].doors[1].closed);
    REQUIRE(one.populations.size() == 2);
    CHECK(one.populations[1].name == "contractors");
    REQUIRE(one.events.size() == 1);
    CHECK(one.events[0].target == "D2");

    // The base is untouched by building variants.
    CHECK(f.build(0).populations[0].count == 30);
}

TEST_CASE("Parameters set values by path", "[scenario][variants]") {
    const ScenarioFamily f = family();
    const Scenario s = f.build(1, {{"duration", YAML::Load("120"), "120", {}},
                                   {"populations.visitors.count", YAML::Load("7"), "7", {}},
                                   {"grid.cell", YAML::Load("0.1"), "0.1", {}}});
    CHECK(s.duration == 120.0);
    CHECK(s.populations[1].count == 7);
    CHECK(s.cell_size == 0.1);
    CHECK_THROWS_WITH(
        f.build(0, {{"populations.vistors.count", YAML::Load("7"), "7", {"m.yaml", 3, 5}}}),
        Contains("m.yaml:3:5") && Contains("did you mean 'visitors'"));
    CHECK_THROWS_WITH(f.build(0, {{"duration", YAML::Load("-5"), "-5", {"m.yaml", 4, 5}}}),
                      Contains("m.yaml:4:5") && Contains("out of range"));
}

TEST_CASE("Bad variants are reported at load with their line and close matches",
          "[scenario][variants]") {
    SECTION("unknown obstacle") {
        CHECK_THROWS_WITH(
            family(replaced("remove: [rack_1]", "remove: [rack1]")),
            Contains(at("remove: [rack_1]", 14)) && Contains("'rack1'") && Contains("rack_1"));
    }
    SECTION("unknown population") {
        CHECK_THROWS_WITH(
            family(replaced("remove_populations: [visitors]", "remove_populations: [visitor]")),
            Contains(at("remove_populations", 26)) && Contains("'visitor'") &&
                Contains("did you mean 'visitors'"));
    }
    SECTION("a bad value in a population edit points at the edit") {
        CHECK_THROWS_WITH(family(replaced("count: 40", "count: -1")),
                          Contains(at("count: 40", 30)));
    }
    SECTION("unknown variant key and duplicate names") {
        CHECK_THROWS_WITH(family(replaced("    close: [D2]", "    clse: [D2]")),
                          Contains(at("close: [D2]", 5)) && Contains("did you mean 'close'"));
        CHECK_THROWS_WITH(family(replaced("name: one_exit", "name: wide")), Contains("used twice"));
        CHECK_THROWS_WITH(family(replaced("name: one_exit", "name: base")),
                          Contains("'base' is the scenario"));
    }
    SECTION("unknown variant name") {
        CHECK_THROWS_WITH(family().variantIndex("wde"), Contains("did you mean 'wide'"));
    }
}

TEST_CASE("The bundled scenarios' variants build", "[scenario][variants]") {
    const auto dir = test::sourceDir() / "scenarios";
    const ScenarioFamily office = ScenarioFamily::load((dir / "office.yaml").string());
    REQUIRE(office.variantNames() == std::vector<std::string>{"base", "stair_S1_blocked"});
    const Scenario blocked = office.build(1);
    for (const char* door : {"S1_L0", "S1_L1"}) {
        const auto d = blocked.scene.findDoor(door);
        REQUIRE(d);
        CHECK(blocked.scene.levels[size_t(d->first)].doors[size_t(d->second)].closed);
    }
    const ScenarioFamily workshop = ScenarioFamily::load((dir / "workshop.yaml").string());
    REQUIRE(workshop.variantNames() == std::vector<std::string>{"base", "layout_B"});
    const Scenario a = workshop.build(0), b = workshop.build(1);
    CHECK(a.scene.exits.size() == 3);
    CHECK(b.scene.exits.size() == 4);  // the new west fire exit
    CHECK(b.scene.levels[0].obstacles.size() == a.scene.levels[0].obstacles.size() - 2);
}

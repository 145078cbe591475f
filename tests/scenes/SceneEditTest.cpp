// Layout variants as edits of a scene: each edit lands on the right object, the edited scene is
// resolved again (door exits rebuilt, geometry checked), and an unknown name is reported at the
// edit's line with the object's name and its close matches.
#include <string>

#include "TestSupport.hpp"
#include "scenes/SceneEdit.hpp"
#include "scenes/SceneYaml.hpp"
#include "scenes/YamlReader.hpp"

using namespace safetwin;
using Catch::Matchers::Contains;

namespace {

// A 20 x 10 m hall: exit door D1 (1 m) in the south wall, door D2 into a store, two racks.
const std::string kScene = R"(name: Hall
levels:
  - id: L0
    walls:
      - {points: [[0,0],[20,0],[20,10],[0,10],[0,0]]}
      - {id: store_wall, points: [[15,0],[15,10]]}
    doors:
      - {id: D1, at: [5, 0], width: 1.0, exit: true}
      - {id: D2, at: [15, 5], width: 0.9}
    openings:
      - {id: O1, at: [15, 8], width: 1.5}
    obstacles:
      - {id: rack_1, rect: {min: [2,4], max: [8,5]}, height: 2}
      - {id: rack_2, rect: {min: [2,7], max: [8,8]}, height: 2}
    spaces:
      - {id: floor, rect: {min: [0.2,0.2], max: [14.8,9.8]}}
    exits:
      - {id: E_gate, from: [20, 4], to: [20, 6]}
)";

Scene scene() {
    return parseScene(YamlReader::loadText(kScene, "hall.yaml"), "hall.yaml");
}

/// Edits written as a variant map in "variant.yaml"; applied to the hall.
Scene edited(const std::string& yaml) {
    const YamlReader r("variant.yaml");
    const YAML::Node node = YamlReader::loadText(yaml, "variant.yaml");
    const YamlMap m(r, node, "variant", {"remove", "move", "resize", "close", "open", "add"});
    Scene s = scene();
    applySceneEdits(s, readSceneEdits(m));
    return s;
}

const Obstacle* obstacle(const Scene& s, const std::string& id) {
    for (const Obstacle& o : s.levels[0].obstacles)
        if (o.id == id) return &o;
    return nullptr;
}

}  // namespace

TEST_CASE("Scene edits change the named objects and keep the scene resolved",
          "[scenes][variants]") {
    SECTION("remove an obstacle, a door exit and an exit line") {
        const Scene s = edited("remove: [rack_2, D1]\n");
        CHECK(obstacle(s, "rack_2") == nullptr);
        CHECK(obstacle(s, "rack_1") != nullptr);
        CHECK(!s.findDoor("D1"));
        REQUIRE(s.exits.size() == 1);  // the door exit went with its door
        CHECK(s.exits[0].id == "E_gate");
    }
    SECTION("move by a vector and to a point") {
        const Scene s =
            edited("move:\n  - {id: rack_1, by: [1, -2]}\n  - {id: rack_2, to: [10, 2]}\n");
        const Box2 b1 = bounds(obstacle(s, "rack_1")->polygon),
                   b2 = bounds(obstacle(s, "rack_2")->polygon);
        CHECK(b1.min.x == Approx(3.0));
        CHECK(b1.min.y == Approx(2.0));
        CHECK((b2.min.x + b2.max.x) / 2 == Approx(10.0));
        CHECK((b2.min.y + b2.max.y) / 2 == Approx(2.0));
    }
    SECTION("widen a door exit: its exit segment follows") {
        const Scene s = edited("resize: [{id: D1, width: 2.4}]\n");
        const int e = s.exitIndex("D1");
        REQUIRE(e >= 0);
        CHECK(s.exits[size_t(e)].width() == Approx(2.4));
        CHECK(s.exits.size() == 2);  // no duplicate door exit after resolving again
    }
    SECTION("resize an exit line about its centre") {
        const Scene s = edited("resize: [{id: E_gate, width: 3}]\n");
        const Exit& x = s.exits[size_t(s.exitIndex("E_gate"))];
        CHECK(x.width() == Approx(3.0));
        CHECK((x.a.y + x.b.y) / 2 == Approx(5.0));
    }
    SECTION("close and open doors") {
        const Scene s = edited("close: D2\n");
        CHECK(s.levels[0].doors[size_t(s.findDoor("D2")->second)].closed);
    }
    SECTION("add a door exit and an obstacle to a level") {
        const Scene s = edited(
            "add:\n  - level: L0\n    doors: [{id: D3, at: [10, 10], width: 1.2, exit: true}]\n"
            "    obstacles: [{id: rack_3, rect: {min: [10,4], max: [12,5]}}]\n");
        CHECK(s.exitIndex("D3") >= 0);
        CHECK(obstacle(s, "rack_3") != nullptr);
        CHECK(s.exits.size() == 3);
    }
}

TEST_CASE("Scene edits that name unknown objects fail at their line with close matches",
          "[scenes][variants]") {
    SECTION("a misspelt obstacle: file:line, the name, the close matches") {
        CHECK_THROWS_WITH(edited("move:\n  - {id: rack_3, by: [1, 0]}\n"),
                          Contains("variant.yaml:2:10") && Contains("'rack_3'") &&
                              Contains("close matches: rack_1, rack_2"));
    }
    SECTION("nothing close: the known objects of that kind are listed") {
        CHECK_THROWS_WITH(edited("remove: [forklift]\n"), Contains("variant.yaml:1:10") &&
                                                              Contains("no close match") &&
                                                              Contains("rack_1") && Contains("D2"));
    }
    SECTION("the wrong kind of object") {
        CHECK_THROWS_WITH(edited("close: [rack_1]\n"), Contains("it is an obstacle"));
        CHECK_THROWS_WITH(edited("close: [O1]\n"), Contains("opening (no leaf)"));
    }
    SECTION("an unknown level for added objects") {
        CHECK_THROWS_WITH(
            edited("add:\n  - level: L1\n    obstacles: [{rect: {min: [1,1], max: [2,2]}}]\n"),
            Contains("variant.yaml:2:12") && Contains("'L1'") && Contains("L0"));
    }
    SECTION("an edit that breaks geometry is reported at the edit") {
        CHECK_THROWS_WITH(edited("move: [{id: D2, to: [10, 5]}]\n"),
                          Contains("variant.yaml:1") && Contains("not on a wall"));
        CHECK_THROWS_WITH(edited("resize: [{id: D1, width: 30}]\n"), Contains("out of range"));
    }
}

TEST_CASE("closeMatches ranks candidates by edit distance", "[scenes][variants]") {
    const std::string m =
        closeMatches("rack1", {"rack_1", "rack_12", "desk", "rack_2"}, "obstacles");
    CHECK_THAT(m, Contains("did you mean 'rack_1'?"));
    CHECK_THAT(m, !Contains("desk"));
}

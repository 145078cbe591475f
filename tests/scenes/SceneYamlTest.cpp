// The scene file format: a full example lands in the right fields, and every class of error
// names the file, the line of the offending value and what was expected.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "TestSupport.hpp"
#include "scenes/SceneYaml.hpp"
#include "scenes/YamlReader.hpp"

using namespace safetwin;
using Catch::Matchers::Contains;

namespace {

// The format example of docs/FORMAT.md, with an inner wall for D2 and O1 to sit on, and an
// upper level for the stair. The stair's run is derived so resolveScene accepts it: a rise of
// 3.5 m in risers of 0.175 m is 20 steps, 19 treads of 0.28 m = 5.32 m.
const std::string kScene = R"(name: Two-storey office
levels:
  - id: L0
    name: Ground floor
    elevation: 0.0
    height: 3.5
    walls:
      - {points: [[0,0],[40,0],[40,20],[0,20],[0,0]], thickness: 0.2, height: 3.0}
      - {id: inner, points: [[0,10],[40,10]], thickness: 0.15}
    doors:
      - {id: D1, at: [20, 0], width: 1.2, exit: true}
      - {id: D2, at: [10, 10], width: 0.9, closed: true}
    openings:
      - {id: O1, at: [5, 10], width: 2.0}
    obstacles:
      - {id: desk1, rect: {min: [2,2], max: [4,3]}, height: 0.75}
      - {id: column1, polygon: [[10,10],[10.5,10],[10.5,10.5],[10,10.5]], height: 3}
    spaces:
      - {id: R101, name: Open plan, polygon: [[0.1,0.1],[20,0.1],[20,10],[0.1,10]]}
      - {id: R102, rect: {min: [20,0], max: [40,10]}}
    exits:
      - {id: E_east, from: [40, 9], to: [40, 11]}
  - id: L1
    elevation: 3.5
    walls:
      - points: [[0,0],[40,0],[40,20],[0,20],[0,0]]
stairs:
  - {id: S1, lower: L0, upper: L1, from: [30, 12], to: [30, 17.32], width: 1.2, riser: 0.175, tread: 0.28}
)";

const std::string kFile = "scenes/office.yaml";

using safetwin::test::lineOf;

/// `text` with its single occurrence of `from` replaced by `to`.
std::string with(const std::string& text, const std::string& from, const std::string& to) {
    const size_t pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    REQUIRE(text.find(from, pos + 1) == std::string::npos);
    return text.substr(0, pos) + to + text.substr(pos + from.size());
}

Scene parse(const std::string& text) {
    return parseScene(YamlReader::loadText(text, kFile), kFile);
}

std::string errorOf(const std::string& text) {
    try {
        parse(text);
    } catch (const InputError& e) {
        return e.what();
    }
    FAIL("expected an InputError");
    return "";
}

/// "scenes/office.yaml:<line>:" for the line holding `needle` in `text`.
std::string at(const std::string& text, const std::string& needle) {
    return kFile + ":" + std::to_string(lineOf(text, needle)) + ":";
}

}  // namespace

TEST_CASE("scene YAML: a full example lands in the right fields", "[scenes][yaml]") {
    const Scene s = parse(kScene);
    REQUIRE(s.name == "Two-storey office");
    REQUIRE(s.levels.size() == 2);
    const Level& L0 = s.levels[0];

    SECTION("levels and walls") {
        CHECK(L0.id == "L0");
        CHECK(L0.name == "Ground floor");
        CHECK(L0.elevation == 0.0);
        CHECK(L0.height == 3.5);
        CHECK(s.levels[1].name == "L1");  // name defaults to the id
        CHECK(s.levels[1].elevation == 3.5);
        CHECK(s.levels[1].height == 3.0);  // default storey height
        REQUIRE(L0.walls.size() == 2);
        CHECK(L0.walls[0].points.size() == 5);
        CHECK(L0.walls[0].points[2] == Vec2{40, 20});
        CHECK(L0.walls[1].id == "inner");
        CHECK(L0.walls[1].thickness == 0.15);
        CHECK(L0.walls[1].height == 3.0);  // default
    }

    SECTION("doors and openings are placed on their walls by resolveScene") {
        REQUIRE(L0.doors.size() == 3);  // doors first, then openings
        const Door& d1 = L0.doors[0];
        CHECK(d1.id == "D1");
        CHECK(d1.exit);
        CHECK(d1.closable);
        CHECK_FALSE(d1.closed);
        // D1 sits on the first segment (0,0)-(40,0), which runs along +x: the opening is the
        // centre +- half the width along it.
        CHECK(d1.wall == 0);
        CHECK(d1.segment == 0);
        CHECK(d1.a.x == Approx(20 - 0.6));
        CHECK(d1.b.x == Approx(20 + 0.6));
        CHECK(d1.a.y == Approx(0.0).margin(1e-12));
        const Door& d2 = L0.doors[1];
        CHECK(d2.closed);
        CHECK(d2.wall == 1);
        CHECK(d2.a.x == Approx(10 - 0.45));
        CHECK(d2.b.x == Approx(10 + 0.45));
        CHECK(d2.a.y == Approx(10.0));
        const Door& o1 = L0.doors[2];
        CHECK(o1.id == "O1");
        CHECK_FALSE(o1.closable);
        CHECK_FALSE(o1.closed);
        CHECK(o1.width == 2.0);
    }

    SECTION("door exits become exits, ahead of exits given as lines") {
        REQUIRE(s.exits.size() == 2);
        CHECK(s.exits[0].id == "D1");
        CHECK(s.exits[0].door == "D1");
        CHECK(s.exits[0].level_id == "L0");
        CHECK(s.exits[0].a == L0.doors[0].a);
        CHECK(s.exits[0].width() == Approx(1.2));
        CHECK(s.exits[1].id == "E_east");
        CHECK(s.exits[1].level_id == "L0");
        CHECK(s.exits[1].level == 0);
        CHECK(s.exits[1].door.empty());
        CHECK(s.exits[1].a == Vec2{40, 9});
        CHECK(s.exits[1].b == Vec2{40, 11});
        CHECK(s.exitIndex("E_east") == 1);
    }

    SECTION("obstacles and spaces, as rect or polygon") {
        REQUIRE(L0.obstacles.size() == 2);
        CHECK(L0.obstacles[0].polygon == rectangle({2, 2}, {4, 3}));
        CHECK(L0.obstacles[0].height == 0.75);
        CHECK(L0.obstacles[1].polygon.size() == 4);
        CHECK(L0.obstacles[1].height == 3.0);
        REQUIRE(L0.spaces.size() == 2);
        CHECK(L0.spaces[0].name == "Open plan");
        CHECK(std::abs(signedArea(L0.spaces[0].polygon)) == Approx(19.9 * 9.9));
        CHECK(L0.spaces[1].name == "R102");  // defaults to the id
        CHECK(L0.spaces[1].polygon == rectangle({20, 0}, {40, 10}));
    }

    SECTION("stairs get their frame") {
        REQUIRE(s.stairs.size() == 1);
        const Stair& st = s.stairs[0];
        CHECK(st.lower == 0);
        CHECK(st.upper == 1);
        CHECK(st.riser == 0.175);
        CHECK(st.tread == 0.28);
        CHECK(st.rise == Approx(3.5));
        CHECK(st.run == Approx(5.32));
        CHECK(st.along.y == Approx(1.0));
        CHECK(st.slope_length == Approx(std::hypot(5.32, 3.5)));
    }

    SECTION("every element knows where it was written") {
        CHECK(L0.where.file == kFile);
        CHECK(L0.where.line == lineOf(kScene, "id: L0"));
        CHECK(L0.doors[0].where.line == lineOf(kScene, "id: D1"));
        CHECK(L0.doors[2].where.line == lineOf(kScene, "id: O1"));
        CHECK(L0.walls[1].where.line == lineOf(kScene, "id: inner"));
        CHECK(L0.obstacles[1].where.line == lineOf(kScene, "id: column1"));
        CHECK(L0.spaces[1].where.line == lineOf(kScene, "id: R102"));
        CHECK(s.exits[1].where.line == lineOf(kScene, "id: E_east"));
        CHECK(s.stairs[0].where.line == lineOf(kScene, "id: S1"));
        CHECK(L0.doors[0].where.column == 9);  // the '{' of "      - {id: D1"
    }
}

TEST_CASE("scene YAML: files on disk", "[scenes][yaml]") {
    const auto dir = test::scratchDir("scene-yaml");
    SECTION("a file loads, and its name is used in messages") {
        const std::string path = (dir / "office.yaml").string();
        std::ofstream(path) << kScene;
        const Scene s = loadSceneFile(path);
        CHECK(s.levels[0].doors[0].where.file == path);
        const std::string bad = with(kScene, "thickness: 0.15", "thickness: 0");
        std::ofstream(path) << bad;
        const std::string line = std::to_string(lineOf(bad, "thickness: 0}"));
        CHECK_THROWS_WITH(loadSceneFile(path),
                          Contains(path + ":" + line + ":") && Contains("(0, 5] m"));
    }
    SECTION("a missing file is an InputError naming it") {
        const std::string path = (dir / "nowhere.yaml").string();
        CHECK_THROWS_AS(loadSceneFile(path), InputError);
        CHECK_THROWS_WITH(loadSceneFile(path), Contains(path) && Contains("not found"));
    }
    SECTION("the scene name defaults to the file name") {
        const std::string path = (dir / "plant.yaml").string();
        std::ofstream(path) << with(kScene, "name: Two-storey office\n", "");
        CHECK(loadSceneFile(path).name == "plant");
    }
}

TEST_CASE("scene YAML: out-of-range values name the line, unit and range", "[scenes][yaml]") {
    struct Case {
        const char* from;
        const char* to;
        const char* expected;
    };
    const Case cases[] = {
        {"thickness: 0.15", "thickness: 9", "'thickness' = 9 m is out of range (0, 5] m"},
        {"width: 0.9, closed", "width: 0.2, closed", "'width' = 0.2 m is out of range (0.3, 20] m"},
        {"elevation: 3.5", "elevation: 2000",
         "'elevation' = 2000 m is out of range [-1000, 1000] m"},
        {"height: 3.5", "height: 0", "'height' = 0 m is out of range (0, 100] m"},
        {"riser: 0.175", "riser: 0.3", "'riser' = 0.3 m is out of range (0.05, 0.25] m"},
        {"tread: 0.28", "tread: 0.6", "'tread' = 0.6 m is out of range (0.2, 0.5] m"},
        {"width: 1.2, riser", "width: 0.5, riser", "'width' = 0.5 m is out of range (0.5, 10] m"},
        {"[40, 9]", "[4e7, 9]", "coordinate 4e7 m is out of range [-1000000, 1000000] m"},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.to) {
            const std::string text = with(kScene, c.from, c.to);
            CHECK_THAT(errorOf(text), Contains(at(text, c.to)) && Contains(c.expected));
        }
    }
}

TEST_CASE("scene YAML: structural errors", "[scenes][yaml]") {
    SECTION("unknown keys, with a suggestion for a near miss") {
        const std::string text = with(kScene, "thickness: 0.15", "thicknes: 0.15");
        const std::string msg = errorOf(text);
        CHECK_THAT(msg, Contains(at(text, "thicknes:")) &&
                            Contains("unknown key 'thicknes' in wall") &&
                            Contains("did you mean 'thickness'?") &&
                            Contains("expected one of: id, points, thickness, height"));
        const std::string far = with(kScene, "name: Ground floor", "colour: red");
        CHECK_THAT(errorOf(far), Contains(at(far, "colour")) &&
                                     Contains("unknown key 'colour' in level") &&
                                     !Contains("did you mean"));
    }
    SECTION("wrong types") {
        const std::string width = with(kScene, "width: 2.0", "width: wide");
        CHECK_THAT(errorOf(width),
                   Contains(at(width, "wide")) &&
                       Contains("'width' = 'wide': expected a number in (0.3, 20] m"));
        const std::string pts = with(kScene, "points: [[0,10],[40,10]]", "points: 5");
        CHECK_THAT(errorOf(pts),
                   Contains(at(pts, "points: 5")) && Contains("expected a list of [x, y] points"));
        const std::string pt = with(kScene, "at: [20, 0]", "at: [20]");
        CHECK_THAT(errorOf(pt),
                   Contains(at(pt, "at: [20]")) && Contains("expected a point [x, y]"));
        const std::string flag = with(kScene, "exit: true", "exit: maybe");
        CHECK_THAT(errorOf(flag),
                   Contains(at(flag, "maybe")) && Contains("expected true or false"));
        const std::string wall =
            with(kScene, "      - points: [[0,0],[40,0],[40,20],[0,20],[0,0]]\n",
                 "      - just a wall\n");
        CHECK_THAT(
            errorOf(wall),
            Contains(at(wall, "just a wall")) &&
                Contains("wall: expected a map of 'key: value' entries but found 'just a wall'"));
    }
    SECTION("missing, empty, duplicated and conflicting keys") {
        const std::string noId = with(kScene, "{id: D1, at", "{at");
        CHECK_THAT(errorOf(noId),
                   Contains(at(noId, "{at: [20, 0]")) && Contains("missing key 'id' in door"));
        const std::string empty = with(kScene, "name: Ground floor", "name:");
        CHECK_THAT(errorOf(empty),
                   Contains(at(empty, "    name:\n")) && Contains("'name' has no value"));
        const std::string twice = with(kScene, "height: 0.75", "height: 0.75, height: 1");
        CHECK_THAT(errorOf(twice),
                   Contains(at(twice, "height: 1")) && Contains("key 'height' appears twice"));
        const std::string both =
            with(kScene, "{id: R102, rect", "{id: R102, polygon: [[0,0],[1,0],[1,1]], rect");
        CHECK_THAT(errorOf(both), Contains(at(both, "id: R102")) &&
                                      Contains("exactly one of 'rect' or 'polygon'"));
        const std::string rect = with(kScene, "max: [4,3]", "max: [1,3]");
        CHECK_THAT(errorOf(rect), Contains(at(rect, "max: [1,3]")) &&
                                      Contains("must be above and to the right of min"));
        const std::string closed = with(kScene, "width: 2.0}", "width: 2.0, closed: true}");
        CHECK_THAT(errorOf(closed), Contains(at(closed, "width: 2.0, closed")) &&
                                        Contains("an opening has no leaf and cannot be closed"));
    }
    SECTION("geometry errors from resolveScene carry the element's line") {
        const std::string offWall = with(kScene, "at: [10, 10]", "at: [10, 12]");
        CHECK_THAT(errorOf(offWall),
                   Contains(at(offWall, "id: D2")) && Contains("is not on a wall"));
        const std::string level = with(kScene, "upper: L1", "upper: L2");
        CHECK_THAT(errorOf(level),
                   Contains(at(level, "id: S1")) && Contains("unknown upper level 'L2'"));
    }
    SECTION("malformed YAML gives file:line:column") {
        const std::string text = with(kScene, "name: Ground floor", "name: Ground: floor");
        const std::string msg = errorOf(text);
        CHECK_THAT(msg, Contains(at(text, "Ground: floor")) && Contains("malformed YAML"));
    }
    SECTION("an empty file or a scene without levels") {
        CHECK_THAT(errorOf(""), Contains(kFile + ":1:1:") && Contains("the scene is empty"));
        CHECK_THAT(errorOf("name: x\nlevels: []\n"),
                   Contains(kFile + ":2:") && Contains("no levels"));
    }
}

TEST_CASE("YamlReader helpers", "[scenes][yaml]") {
    SECTION("ranges print their open and closed ends and their unit") {
        CHECK(Range::closed(0.005, 0.1, "s").str() == "[0.005, 0.1] s");
        CHECK(Range::aboveTo(0, 5, "m").str() == "(0, 5] m");
        CHECK(Range::closed(1, 1000000).str() == "[1, 1000000]");
        CHECK_FALSE(Range::aboveTo(0, 5).contains(0.0));
        CHECK(Range::aboveTo(0, 5).contains(5.0));
    }
    SECTION("edit distance and suggestions") {
        CHECK(editDistance("tme_step", "time_step") == 1);
        CHECK(editDistance("tiem_step", "time_step") == 1);  // adjacent swap
        CHECK(editDistance("abc", "xyz") == 3);
        CHECK(closestMatch("tme_step", {"duration", "time_step", "seed"}) == "time_step");
        CHECK(closestMatch("id", {"at"}).empty());  // too short to guess
    }
}

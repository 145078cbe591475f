// The scenario file format: a full example lands in the right fields, defaults apply, the
// scene is found relative to the scenario, and every class of error names the file, the line
// of the offending value, the unit and the allowed range.
#include <algorithm>
#include <fstream>
#include <string>

#include "TestSupport.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using Catch::Matchers::Contains;

namespace {

// A one-level office: two rooms split by a wall at y = 10 with a door D2 and an opening O1;
// D1 in the south wall leads outside, E_east is an exit line at the east end.
const std::string kScene = R"(name: Office
levels:
  - id: L0
    walls:
      - {points: [[0,0],[40,0],[40,20],[0,20],[0,0]]}
      - {points: [[0,10],[40,10]]}
    doors:
      - {id: D1, at: [20, 0], width: 1.2, exit: true}
      - {id: D2, at: [10, 10], width: 0.9}
    openings:
      - {id: O1, at: [30, 10], width: 2.0}
    spaces:
      - {id: R101, polygon: [[0,0],[20,0],[20,10],[0,10]]}
    exits:
      - {id: E_east, from: [40, 14], to: [40, 16]}
)";

/// The scene indented to sit under `scene:` in a scenario.
std::string inlineScene() {
    std::string out;
    size_t start = 0;
    while (start < kScene.size()) {
        const size_t end = kScene.find('\n', start);
        out += "  " + kScene.substr(start, end - start + 1);
        start = end + 1;
    }
    return out;
}

const std::string kBody = R"(duration: 900
time_step: 0.05
seed: 42
grid: {cell: 0.1}
output: {remaining_interval: 0.5, trajectory_rate: 4}
populations:
  - name: staff
    count: 300
    where: {space: R101}
    profile: weidmann
    premovement: {distribution: lognormal, mean: 60, sd: 20, min: 10, max: 300}
    exit_choice: nearest
  - name: visitors
    count: 20
    where: {level: L0, rect: {min: [21, 1], max: [39, 9]}}
    profile: {speed: {distribution: normal, mean: 1.2, sd: 0.2, min: 0.6, max: 1.8}, radius: 0.2}
    premovement: 30
    exit_choice: assigned
    exit: E_east
  - name: guards
    where: {level: L0, points: [[5, 15], [6, 15]]}
    profile: {base: imo_males_30_50, radius: 0.25}
    exit_choice: quickest
  - name: lab
    count: 5
    where: {level: L0, polygon: [[1,11],[5,11],[5,15]]}
    profile: imo_impaired
events:
  - {time: 60, close_door: D2}
  - {time: 120, open_door: D2}
)";

const std::string kScenario = "name: Office evacuation\nscene:\n" + inlineScene() + kBody;
const std::string kFile = "scenarios/office.yaml";

using safetwin::test::lineOf;

std::string with(const std::string& text, const std::string& from, const std::string& to) {
    const size_t pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    REQUIRE(text.find(from, pos + 1) == std::string::npos);
    return text.substr(0, pos) + to + text.substr(pos + from.size());
}

Scenario parse(const std::string& text) {
    return parseScenarioText(text, kFile, "scenarios");
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

std::string at(const std::string& text, const std::string& needle) {
    return kFile + ":" + std::to_string(lineOf(text, needle)) + ":";
}

}  // namespace

TEST_CASE("scenario YAML: a full example lands in the right fields", "[scenario][yaml]") {
    const Scenario s = parse(kScenario);

    SECTION("run settings") {
        CHECK(s.name == "Office evacuation");
        CHECK(s.file == kFile);
        CHECK(s.duration == 900.0);
        CHECK(s.time_step == 0.05);
        CHECK(s.seed == 42u);
        CHECK(s.cell_size == 0.1);
        CHECK(s.record_interval == 0.5);
        CHECK(s.trajectory_rate == 4.0);
        CHECK(s.scene.name == "Office");
        CHECK(s.scene.exits.size() == 2);
    }
    SECTION("populations: where, profile, pre-movement, exit choice") {
        REQUIRE(s.populations.size() == 4);
        const Population& staff = s.populations[0];
        CHECK(staff.name == "staff");
        CHECK(staff.count == 300);
        CHECK(staff.space == "R101");
        CHECK(staff.level_id.empty());
        CHECK(staff.profile.name == "weidmann");
        CHECK(staff.profile.flat.describe() == builtinProfile("weidmann")->flat.describe());
        CHECK(staff.premovement.describe() == "lognormal(mean 60, sd 20, [10, 300])");
        CHECK(staff.exit_choice == ExitChoice::Nearest);
        CHECK(staff.where.line == lineOf(kScenario, "- name: staff"));

        const Population& visitors = s.populations[1];
        CHECK(visitors.level_id == "L0");
        CHECK(visitors.polygon == rectangle({21, 1}, {39, 9}));
        CHECK(visitors.profile.flat.describe() == "normal(mean 1.2, sd 0.2, [0.6, 1.8])");
        // Stair speeds default to the level speed scaled by Weidmann's ratios.
        CHECK(visitors.profile.stair_up.quantile(0.5) == Approx(1.2 * 0.61 / 1.34));
        CHECK(visitors.profile.stair_down.quantile(0.9) ==
              Approx(visitors.profile.flat.quantile(0.9) * 0.694 / 1.34));
        CHECK(visitors.profile.radius.quantile(0.3) == 0.2);
        CHECK(visitors.premovement.describe() == "fixed(30)");
        CHECK(visitors.exit_choice == ExitChoice::Assigned);
        CHECK(visitors.exit == "E_east");

        const Population& guards = s.populations[2];
        CHECK(guards.count == 2);  // from the number of points
        REQUIRE(guards.positions.size() == 2);
        CHECK(guards.positions[1] == Vec2{6, 15});
        CHECK(guards.profile.flat.describe() == "uniform(0.97, 1.62)");
        CHECK(guards.profile.stair_up.describe() == "uniform(0.47, 0.79)");  // kept from the base
        CHECK(guards.profile.radius.quantile(0.5) == 0.25);
        CHECK(guards.exit_choice == ExitChoice::Quickest);

        CHECK(s.populations[3].polygon.size() == 3);
        CHECK(s.populations[3].profile.name == "imo_impaired");
        CHECK(s.populations[3].premovement.describe() == "fixed(0)");
    }
    SECTION("events") {
        REQUIRE(s.events.size() == 2);
        CHECK(s.events[0].time == 60.0);
        CHECK(s.events[0].action == Event::Action::CloseDoor);
        CHECK(s.events[0].target == "D2");
        CHECK(s.events[1].action == Event::Action::OpenDoor);
        CHECK(s.events[1].where.line == lineOf(kScenario, "time: 120"));
    }
}

TEST_CASE("scenario YAML: defaults and files", "[scenario][yaml]") {
    const std::string minimal = "scene:\n" + inlineScene() +
                                "populations:\n  - {name: all, count: 10, where: {space: R101}}\n";
    SECTION("defaults") {
        const Scenario s = parse(minimal);
        CHECK(s.name == "office");  // the file name
        CHECK(s.duration == 600.0);
        CHECK(s.time_step == 0.05);
        CHECK(s.seed == 1u);
        CHECK(s.cell_size == 0.2);
        CHECK(s.populations[0].profile.name == "weidmann");
        CHECK(s.populations[0].exit_choice == ExitChoice::Nearest);
        CHECK(s.events.empty());
    }
    SECTION("the scene path is relative to the scenario file") {
        const auto dir = test::scratchDir("scenario-yaml");
        std::filesystem::create_directories(dir / "scenes");
        std::filesystem::create_directories(dir / "scenarios");
        std::ofstream(dir / "scenes" / "office.yaml") << kScene;
        const std::string body = "scene: ../scenes/office.yaml\n" + kBody;
        const std::string path = (dir / "scenarios" / "evac.yaml").string();
        std::ofstream(path) << body;
        const Scenario s = loadScenarioFile(path);
        CHECK(s.file == path);
        CHECK(s.scene.levels[0].doors[0].where.file ==
              (dir / "scenes" / "office.yaml").lexically_normal().string());
        CHECK(s.populations.size() == 4);

        // An error inside the scene names the scene file; a missing scene names both.
        std::ofstream(dir / "scenes" / "office.yaml") << with(kScene, "width: 0.9", "width: 0.1");
        const std::string line = std::to_string(lineOf(kScene, "width: 0.9"));
        CHECK_THROWS_WITH(loadScenarioFile(path),
                          Contains("scenes/office.yaml:" + line + ":") && Contains("(0.3, 20] m"));
        std::ofstream(path) << "scene: ../scenes/nowhere.yaml\n" + kBody;
        CHECK_THROWS_WITH(loadScenarioFile(path), Contains(path + ":1:") &&
                                                      Contains("scene file not found") &&
                                                      Contains("nowhere.yaml"));
        CHECK_THROWS_WITH(loadScenarioFile((dir / "none.yaml").string()),
                          Contains("none.yaml") && Contains("not found"));
    }
}

TEST_CASE("scenario YAML: values out of range name the line, unit and range", "[scenario][yaml]") {
    struct Case {
        const char* from;
        const char* to;
        const char* expected;
    };
    const Case cases[] = {
        {"time_step: 0.05", "time_step: 2", "'time_step' = 2 s is out of range [0.005, 0.1] s"},
        {"duration: 900", "duration: 0", "'duration' = 0 s is out of range (0, 86400] s"},
        {"cell: 0.1", "cell: 0.5", "'grid.cell' = 0.5 m is out of range [0.05, 0.2] m"},
        {"trajectory_rate: 4", "trajectory_rate: 0",
         "'output.trajectory_rate' = 0 1/s is out of range (0, 100] 1/s"},
        {"count: 300", "count: 0", "'count' = 0 is out of range [1, 1000000]"},
        {"count: 300", "count: 2000000", "'count' = 2000000 is out of range [1, 1000000]"},
        {"count: 300", "count: 2.5", "'count' = '2.5': expected a whole number in [1, 1000000]"},
        {"mean: 1.2", "mean: 12", "'profile.speed.mean' = 12 m/s is out of range [0.1, 10] m/s"},
        {"radius: 0.2}", "radius: 0.5}", "'profile.radius' = 0.5 m is out of range [0.1, 0.4] m"},
        {"premovement: 30", "premovement: -5", "'premovement' = -5 s is out of range [0, 86400] s"},
        {"max: 300", "max: 5",
         "'premovement.max' = 5 s must be greater than 'premovement.min' = 10 s"},
        {"mean: 60", "mean: 400",
         "'premovement.mean' = 400 s lies outside the truncation [10, 300] s"},
        {"time: 120", "time: 1000", "'time' = 1000 s is out of range [0, 900] s"},
        {"seed: 42", "seed: -1", "'seed' = '-1': expected a whole number"},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.to) {
            const std::string text = with(kScenario, c.from, c.to);
            CHECK_THAT(errorOf(text), Contains(at(text, c.to)) && Contains(c.expected));
        }
    }
}

TEST_CASE("scenario YAML: references and structure are checked", "[scenario][yaml]") {
    struct Case {
        const char* from;
        const char* to;
        const char* needle;  // where the error points
        const char* expected;
    };
    const Case cases[] = {
        {"time_step:", "tme_step:", "tme_step",
         "unknown key 'tme_step' in scenario; did you mean 'time_step'?"},
        {"exit_choice: quickest", "exitchoice: quickest", "exitchoice",
         "unknown key 'exitchoice' in population; did you mean 'exit_choice'? (expected one of: "
         "name, count"},
        {"space: R101}", "space: R999}", "R999",
         "'where.space' = 'R999' is not a space of the scene"},
        {"level: L0, rect", "level: L9, rect", "L9",
         "'where.level' = 'L9' is not a level of the scene"},
        {"exit: E_east", "exit: E_west", "E_west",
         "'exit' = 'E_west' is not an exit of the scene (did you mean 'E_east'? exits: D1, "
         "E_east)"},
        {"    exit: E_east\n", "", "exit_choice: assigned",
         "'exit_choice: assigned' needs 'exit: <exit id>'"},
        {"exit_choice: quickest", "exit_choice: quickest\n    exit: D1", "exit: D1",
         "'exit' is only used with 'exit_choice: assigned'"},
        {"exit_choice: nearest", "exit_choice: nearst", "nearst", "did you mean 'nearest'?"},
        {"profile: weidmann", "profile: wiedmann", "wiedmann",
         "'profile' = 'wiedmann' is not a built-in profile (did you mean 'weidmann'?"},
        {"distribution: lognormal", "distribution: lognormale", "lognormale",
         "did you mean 'lognormal'? (expected fixed, uniform, normal or lognormal)"},
        {"close_door: D2", "close_door: O1", "close_door: O1",
         "'close_door' = 'O1' is an opening (no leaf): it cannot be closed or opened"},
        {"close_door: D2", "close_door: D9", "D9",
         "'close_door' = 'D9' is not a door of the scene"},
        {"close_door: D2}", "close_door: D2, open_door: D2}", "time: 60",
         "an event needs exactly one action"},
        {"time: 120", "time: 30", "time: 30",
         "event at 30 s comes after one at 60 s (list events in time order)"},
        {"[[5, 15], [6, 15]]}", "[[5, 15], [6, 15]]}\n    count: 3", "count: 3\n",
         "'count' = 3 but 'where.points' lists 2 positions"},
        {"[6, 15]]", "[6, 25]]", "[6, 25]",
         "point (6, 25) lies outside level 'L0' (its plan extends over x [0, 40] m, y [0, 20] m)"},
        {"{space: R101}", "{space: R101, level: L0}", "level: L0}",
         "'where.level' is not used with 'space'"},
        {"{level: L0, rect", "{level: L0, space: R101, rect", "{level: L0, space",
         "give exactly one of 'space', 'polygon', 'rect' or 'points'"},
        {"name: guards", "name: staff", "name: staff\n    where: {level",
         "population name 'staff' is used twice"},
        {"    count: 5\n", "", "name: lab", "missing key 'count' in population"},
        {"premovement: 30", "premovement: [30]", "[30]",
         "'premovement': expected a number, or a map with 'distribution: <kind>'"},
        {"seed: 42", "seed: 42: 43", "42: 43", "malformed YAML"},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.expected) {
            const std::string text = with(kScenario, c.from, c.to);
            CHECK_THAT(errorOf(text), Contains(at(text, c.needle)) && Contains(c.expected));
        }
    }
    SECTION("a scenario needs populations") {
        const std::string text = "scene:\n" + inlineScene() + "populations: []\n";
        CHECK_THAT(errorOf(text), Contains(at(text, "populations")) && Contains("no populations"));
        CHECK_THAT(errorOf(""), Contains(kFile + ":1:1:") && Contains("the scenario is empty"));
    }
}

TEST_CASE("scenario YAML: named cameras", "[scenario][yaml][cameras]") {
    // L0 raised to 3.5 m: a camera given on a level has its heights above that floor.
    const std::string raised = with(kScenario, "    - id: L0\n", "    - id: L0\n      elevation: 3.5\n");
    const std::string cameras = R"(cameras:
  - {name: lobby, eye: [2, 3, 4], look_at: [10, 5, 1]}
  - {name: east-stair, level: L0, eye: [38, 2, 6], look_at: [30, 8, 0], fov: 60}
  - {name: plan, eye: [20, 10, 50], look_at: [20, 10, 0], orthographic: true, height: 25}
)";
    const Scenario s = parse(raised + cameras);
    REQUIRE(s.cameras.size() == 3);
    CHECK(s.cameras[0].name == "lobby");
    CHECK(s.cameras[0].eye == std::array<double, 3>{2, 3, 4});        // no level: absolute heights
    CHECK(s.cameras[0].look_at == std::array<double, 3>{10, 5, 1});
    CHECK(s.cameras[0].fov == 45.0);
    CHECK_FALSE(s.cameras[0].orthographic);
    CHECK(s.cameras[1].eye == std::array<double, 3>{38, 2, 9.5});     // 6 m above a floor at 3.5 m
    CHECK(s.cameras[1].look_at == std::array<double, 3>{30, 8, 3.5});
    CHECK(s.cameras[1].fov == 60.0);
    CHECK(s.cameras[2].orthographic);
    CHECK(s.cameras[2].height == 25.0);
    CHECK(s.cameras[2].where.line == lineOf(raised + cameras, "name: plan"));

    struct Case {
        const char* from;
        const char* to;
        const char* needle;
        const char* expected;
    };
    const Case cases[] = {
        {"fov: 60}", "fov: 170}", "fov: 170", "'camera.fov' = 170 deg is out of range [10, 120] deg"},
        {"name: plan", "name: lobby", "name: lobby, eye: [20", "camera name 'lobby' is used twice"},
        {"level: L0, eye", "level: L9, eye", "level: L9", "'camera.level' = 'L9' is not a level of the scene"},
        {"look_at: [10, 5, 1]", "look_at: [2, 3, 4]", "name: lobby",
         "camera 'lobby': 'eye' and 'look_at' are less than 0.1 m apart"},
        {"eye: [2, 3, 4]", "eye: [2, 3]", "[2, 3]", "'camera.eye': expected a point [x, y, z]"},
        {"height: 25", "hieght: 25", "hieght", "unknown key 'hieght' in camera; did you mean 'height'?"},
        {"orthographic: true, height: 25", "height: 25", "name: plan",
         "camera 'plan': 'height' (visible height) needs 'orthographic: true'"},
        {"orthographic: true, height: 25", "orthographic: true", "name: plan", "missing key 'height' in camera"},
        {"name: east-stair", "name: east stair", "name: east stair", "must be non-empty and without spaces"},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.expected) {
            const std::string text = with(raised + cameras, c.from, c.to);
            CHECK_THAT(errorOf(text), Contains(at(text, c.needle)) && Contains(c.expected));
        }
    }
}

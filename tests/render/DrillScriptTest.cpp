// Drill scripts (the master list of timed injects): CSV and YAML read to the same injects, bad
// input named at its line, and the script's firing, skipping and pausing rules.
#include <catch2/catch.hpp>

#include <cmath>

#include "render/viewer/DrillScript.hpp"
#include "scenes/InputError.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using namespace safetwin::viewer;

TEST_CASE("Drill script: CSV and YAML give the same injects", "[viewer][drill]") {
    const std::string csv = R"(time,event,target,message,value
# comments and blank lines are skipped

90,set_wind,,"Wind turns, now from the north",4 0
30,close_door,D1,Fire door D1 shut
0,raise_alarm,,Alarm!
60,start_leak,L0:12.5 4,Flange leak at the pump,2.5
120,message,,Call the fire brigade
)";
    const std::string yaml = R"(injects:
  - {time: 0, event: raise_alarm, message: Alarm!}
  - {time: 30, event: close_door, target: D1, message: Fire door D1 shut}
  - {time: 60, event: start_leak, level: L0, at: [12.5, 4], rate: 2.5, message: Flange leak at the pump}
  - {time: 90, event: set_wind, speed: 4, direction: 0, message: "Wind turns, now from the north"}
  - {time: 120, event: message, message: Call the fire brigade}
)";
    const DrillScript a = DrillScript::parseCsv(csv, "drill.csv");
    const DrillScript b = DrillScript::parseYaml(yaml, "drill.yaml");
    REQUIRE(a.injects().size() == 5);
    REQUIRE(b.injects().size() == 5);
    for (size_t i = 0; i < 5; ++i) {
        const Inject& x = a.injects()[i];
        const Inject& y = b.injects()[i];
        CHECK(x.time == y.time);
        CHECK(x.event == y.event);
        CHECK(x.message == y.message);
        CHECK(x.level == y.level);
        CHECK(x.at.x == y.at.x);
        CHECK(x.at.y == y.at.y);
        CHECK(x.rate == y.rate);
        CHECK(x.wind_speed == y.wind_speed);
        CHECK(x.wind_direction == y.wind_direction);
    }
    // Sorted by time; the CSV's quoted message keeps its comma.
    CHECK(a.injects()[0].event == InjectEvent::RaiseAlarm);
    CHECK(a.injects()[3].message == "Wind turns, now from the north");
    CHECK(a.injects()[2].level == "L0");
    CHECK(a.injects()[2].at.x == 12.5);
    CHECK(a.injects()[2].rate == 2.5);
    // Ids in file order: the alarm is the third line of the CSV.
    CHECK(a.injects()[0].id == "I3");
}

TEST_CASE("Drill script: bad input names the file and line", "[viewer][drill]") {
    CHECK_THROWS_WITH(DrillScript::parseCsv("time,event,target,message\n10,close_dor,D1,x\n", "d.csv"),
                      Catch::Contains("d.csv:2") && Catch::Contains("did you mean 'close_door'"));
    CHECK_THROWS_WITH(DrillScript::parseCsv("time,event,target,message\nsoon,close_door,D1,x\n", "d.csv"),
                      Catch::Contains("d.csv:2") && Catch::Contains("time"));
    CHECK_THROWS_WITH(DrillScript::parseCsv("when,event\n", "d.csv"), Catch::Contains("unknown column 'when'"));
    CHECK_THROWS_WITH(DrillScript::parseCsv("time,event,target,message\n5,start_leak,here,x\n", "d.csv"),
                      Catch::Contains("d.csv:2") && Catch::Contains("start_leak target"));
    CHECK_THROWS_WITH(DrillScript::parseCsv("time,event,target,message\n5,set_wind,,x\n", "d.csv"), Catch::Contains("SPEED DIRECTION"));
    CHECK_THROWS_WITH(DrillScript::parseYaml("injects:\n  - {time: 5, event: close_door}\n", "d.yaml"),
                      Catch::Contains("d.yaml:2") && Catch::Contains("needs a target"));
    CHECK_THROWS_WITH(DrillScript::parseYaml("injects:\n  - {time: -5, event: raise_alarm}\n", "d.yaml"), Catch::Contains("d.yaml:2"));
    CHECK_THROWS_AS(DrillScript::load("/nonexistent/drill.csv"), InputError);

    SECTION("targets are checked against the scenario") {
        const Scenario sc = parseScenarioText(R"(name: s
scene:
  levels:
    - id: L0
      walls: [{points: [[0,0],[10,0],[10,10],[0,10],[0,0]]}]
      doors: [{id: EXIT, at: [10, 5], width: 1.2, exit: true}]
populations:
  - {name: p, count: 2, where: {level: L0, rect: {min: [2, 2], max: [8, 8]}}}
)", "s.yaml", ".");
        CHECK_NOTHROW(DrillScript::parseCsv("time,event,target\n5,close_door,EXIT\n", "d.csv").validate(sc));
        CHECK_THROWS_WITH(DrillScript::parseCsv("time,event,target\n5,close_door,EXTI\n", "d.csv").validate(sc),
                          Catch::Contains("d.csv:2") && Catch::Contains("did you mean 'EXIT'"));
        CHECK_THROWS_WITH(DrillScript::parseCsv("time,event,target\n5,start_leak,1 1\n", "d.csv").validate(sc), Catch::Contains("gas: section"));
    }
}

TEST_CASE("Drill script: due injects, skip and pause", "[viewer][drill]") {
    DrillScript s = DrillScript::parseCsv("time,event,target,message\n10,message,,a\n20,message,,b\n30,message,,c\n", "d.csv");
    CHECK(s.due(5.0).empty());
    CHECK(s.due(10.0) == std::vector<size_t>{0});
    s.markFired(0, 10.0, false);
    s.markSkipped(1, 12.0);
    CHECK(s.due(25.0).empty());  // b skipped
    s.setPaused(true);
    CHECK(s.due(40.0).empty());
    s.setPaused(false);
    CHECK(s.due(40.0) == std::vector<size_t>{2});
}

// Director actions on a running simulation (the viewer's drill panel): each takes effect at once,
// changes what the simulation does, and is written to the run's event log.
#include <catch2/catch.hpp>

#include <cmath>

#include "scenes/InputError.hpp"
#include "sim/gas/GasCoupling.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"
#include "TestSupport.hpp"

using namespace safetwin;

namespace {

const char* const kHall = test::twoExitHall();

/// People wait `premovement` seconds (a long wait keeps the run going while the gas is checked).
std::string gasRoom(const std::string& extra, int premovement) {
    return test::gasRoom(2, premovement) + R"(  gas: ammonia
  wind: {speed: 2, direction: 270}
  sources: [{id: later, level: L0, at: [5, 8], height: 1, rate: 0.1, start: 199}]
  detectors:
    - {id: det, level: L0, at: [5, 5], threshold: 10000 ppm}
)" + extra;
}

int exitCount(const Simulation& sim, const std::string& id) {
    for (size_t e = 0; e < sim.scenario().scene.exits.size(); ++e)
        if (sim.scenario().scene.exits[e].id == id) return sim.exitTallies()[e].count;
    FAIL("no exit " << id);
    return -1;
}

}  // namespace

TEST_CASE("Director: closing a door sends the people behind it to another exit", "[sim][director]") {
    const Scenario sc = parseScenarioText(kHall, "hall.yaml", ".");
    SECTION("without the action everyone takes the near east exit") {
        Simulation sim(sc);
        sim.run();
        CHECK(exitCount(sim, "EAST") == 4);
        CHECK(exitCount(sim, "WEST") == 0);
        CHECK(sim.eventLog().empty());
        CHECK_FALSE(sim.summary().contains("event_log"));  // results of plain runs are unchanged
    }
    SECTION("closed at 1 s, everyone turns round to the west exit") {
        Simulation sim(sc);
        while (sim.time() < 1.0 - 1e-9) sim.step();
        sim.directDoor("EAST", true);
        sim.run();
        CHECK(exitCount(sim, "EAST") == 0);
        CHECK(exitCount(sim, "WEST") == 4);
        REQUIRE(sim.eventLog().size() == 1);
        const LoggedEvent& e = sim.eventLog()[0];
        CHECK(e.time == Approx(1.0));
        CHECK(e.source == "director");
        CHECK(e.action == "close_door");
        CHECK(e.target == "EAST");
        const auto j = sim.summary();
        REQUIRE(j.contains("event_log"));
        CHECK(j["event_log"][0]["action"] == "close_door");
    }
    SECTION("an unknown door is an error and changes nothing") {
        Simulation sim(sc);
        CHECK_THROWS_AS(sim.directDoor("NORTH", true), InputError);
        CHECK(sim.eventLog().empty());
    }
    SECTION("a leak or a wind change without a gas section is an error") {
        Simulation sim(sc);
        CHECK_THROWS_WITH(sim.directLeak(LeakAction{}), Catch::Contains("no gas: section"));
        CHECK_THROWS_WITH(sim.directWind(3, 90), Catch::Contains("no gas: section"));
    }
}

TEST_CASE("Director: a leak releases its rate from the moment it starts", "[sim][director][gas]") {
    Simulation sim(parseScenarioText(gasRoom("", 150), "g.yaml", "."));
    while (sim.time() < 2.0 - 1e-9) sim.step();
    LeakAction leak;
    leak.at = {3.0, 5.0};
    leak.rate = 0.5;
    REQUIRE(sim.directLeak(leak) == "leak-1");
    while (sim.time() < 6.0 - 1e-9) REQUIRE(sim.step());
    const GasCoupling& gas = *sim.gas();
    // Released mass = rate x (gas time - start), the source's rule for a continuous release.
    const auto j = sim.summary()["gas"];
    const double released = j["sources"].back()["released_kg"].get<double>();
    CHECK(released == Approx(0.5 * (gas.gasTime() - 2.0)).epsilon(2e-3));  // summary keeps 3 digits
    CHECK(gas.concentrationAt(3.0, 5.0, 1.0) > 0.0);
    REQUIRE(sim.eventLog().size() == 1);
    CHECK(sim.eventLog()[0].action == "start_leak");
    CHECK(sim.eventLog()[0].target == "leak-1");
    CHECK(sim.eventLog()[0].time == Approx(2.0));
    SECTION("a point inside a wall is refused") {
        LeakAction bad;
        bad.at = {0.0, 5.0};
        CHECK_THROWS_AS(sim.directLeak(bad), InputError);
        CHECK(sim.eventLog().size() == 1);
    }
    SECTION("changing the wind keeps the mass balance and the clock") {
        const double t = gas.gasTime();
        sim.directWind(6.0, 0.0);
        CHECK(gas.gasTime() == Approx(t));
        CHECK(gas.spec().wind.speed == 6.0);
        while (sim.time() < 12.0 - 1e-9) REQUIRE(sim.step());
        const auto m = sim.summary()["gas"]["mass_kg"];
        // released = in grid + left the grid, to round-off (both transports' outflow counted).
        CHECK(std::abs(m["balance_error"].get<double>()) <= 1e-3 * m["released"].get<double>());
        CHECK(sim.eventLog().back().action == "set_wind");
        CHECK(gas.gasTime() == Approx(sim.time()).margin(1.0));
    }
}

TEST_CASE("Director: raising the alarm starts an evacuation that waits for one", "[sim][director][gas]") {
    Simulation sim(parseScenarioText(gasRoom("  alarm_starts_evacuation: true\n", 0), "g.yaml", "."));
    while (sim.time() < 3.0 - 1e-9) sim.step();
    for (AgentStatus s : sim.state().status) CHECK(s == AgentStatus::Waiting);  // no gas, no alarm
    CHECK(sim.alarmTime() < 0.0);
    sim.directAlarm();
    CHECK(sim.alarmTime() == Approx(3.0));
    sim.step();
    for (AgentStatus s : sim.state().status) CHECK(s == AgentStatus::Moving);  // pre-movement 0 from the alarm
    CHECK(sim.eventLog().back().action == "raise_alarm");
}

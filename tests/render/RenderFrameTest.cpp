// frameFromSimulation: the people, doors and counters of a run as the simulation has them,
// and for a run with gas the breathing-height maps, the 3D volume and the detectors, with
// the display threshold from the gas table. Then the renderer draws it (threshold surface).
#include <catch2/catch.hpp>

#include "TestSupport.hpp"

#include <cmath>

#include "render/FrameFromSimulation.hpp"
#include "render/RenderSupport.hpp"
#include "render/Renderer.hpp"
#include "sim/gas/GasCoupling.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using namespace safetwin::render;

TEST_CASE("Frame from a simulation: people, doors and counters as the run has them", "[render]") {
    Simulation sim(parseScenarioText(test::twoRoomScenario(), "two-rooms.yaml", "."));
    while (sim.time() < 3.0 - 1e-9) REQUIRE(sim.step());
    sim.setDoorClosed("D1", true);
    const Frame f = frameFromSimulation(sim);
    CHECK(f.time == sim.time());
    CHECK(f.total == 24);
    CHECK(f.out == sim.evacuated());
    CHECK(f.remaining == sim.remaining());
    CHECK(f.out + int(f.agents.size()) == 24);   // those out are left out
    const CrowdState& s = sim.state();
    for (const AgentSample& a : f.agents) {
        REQUIRE(a.id < s.size());
        CHECK(a.x == float(s.x[a.id]));
        CHECK(a.y == float(s.y[a.id]));
        CHECK(a.speed == s.speed[a.id]);
        CHECK(a.visual == (s.status[a.id] == AgentStatus::Moving ? AgentVisual::Moving : AgentVisual::Waiting));
    }
    const auto d1 = sim.scenario().scene.findDoor("D1");
    REQUIRE(d1);
    CHECK(f.door_closed.at(size_t(d1->first)).at(size_t(d1->second)) == 1);
    const auto ew = sim.scenario().scene.findDoor("E_w");
    CHECK(f.door_closed.at(size_t(ew->first)).at(size_t(ew->second)) == 0);
    CHECK(f.gas_ppm.empty());
    CHECK_FALSE(f.gas_volume);
}

TEST_CASE("Frame from a simulation with gas: maps, volume, detectors, threshold surface", "[render]") {
    const std::string yaml = test::gasRoom(4, 100) + R"(  gas: ammonia
  wind: {speed: 0.5, direction: 270}
  grid: {cell: 1, margin: 4, height_above: 3}
  sources:
    - {id: s, level: L0, at: [5, 5], height: 1, rate: 0.05}
  detectors:
    - {id: det, level: L0, at: [3, 5], threshold: 25 ppm}
)";
    Simulation sim(parseScenarioText(yaml, "g.yaml", "."));
    while (sim.time() < 20.0 - 1e-9) REQUIRE(sim.step());
    const Frame f = frameFromSimulation(sim);
    const GasCoupling& gas = *sim.gas();
    const GasGrid& g = gas.grid();
    CHECK(f.gas_name == "ammonia");
    REQUIRE(gas.gas().aegl2[0]);
    CHECK(f.gas_threshold_ppm == *gas.gas().aegl2[0]);   // AEGL-2 (10 min) is the surface shown
    REQUIRE(f.gas_ppm.size() == 1);
    const LevelMap& m = f.gas_ppm[0];
    CHECK(m.nx == g.nx);
    CHECK(m.ny == g.ny);
    CHECK(m.cell == g.h);
    // the map is the concentration at breathing height (1.5 m above the floor), in ppm
    int i = 0, j = 0, k = 0;
    REQUIRE(g.locate(5.2, 5.2, 1.5, i, j, k));
    CHECK(m.value[size_t(j) * size_t(m.nx) + size_t(i)] ==
          Approx(gas.gas().kgM3ToPpm(gas.concentrationAt(g.cx(i), g.cy(j), 1.5))).epsilon(1e-6));
    CHECK(m.value[size_t(j) * size_t(m.nx) + size_t(i)] > 0);
    REQUIRE(f.gas_volume);
    CHECK(f.gas_volume->nx == g.nx);
    CHECK(f.gas_volume->nz == g.nz);
    CHECK(f.gas_volume->ppm.size() == g.cells());
    REQUIRE(f.sensors.size() == 1);
    CHECK(f.sensors[0].id == "det");
    CHECK(f.sensors[0].quality == SensorQuality::Good);
    CHECK(f.sensors[0].z == Approx(1.5));
    const bool alarmed = gas.alarmTimes()[0] >= 0;
    CHECK((f.sensors[0].alarm == AlarmState::Active) == alarmed);
    int exposed = 0;
    for (const AgentExposure& e : gas.exposures()) exposed += e.peak > 0;
    CHECK(f.exposed == exposed);

    // drawn: the threshold surface exists when some cell is above the threshold
    auto ctx = test::offscreenOrSkip();
    if (!ctx) return;
    double peak = 0;
    for (float c : f.gas_volume->ppm) peak = std::max(peak, double(c));
    Frame shown = f;
    shown.gas_threshold_ppm = peak / 4;   // a level the cloud surely crosses
    Renderer r(sim.scenario().scene);
    OffscreenTarget target(160, 120, 1);
    target.bind();
    r.draw(shown, *findBookmark(sim.scenario().scene, "overview"), DrawOptions{}, 160, 120);
    CHECK(r.stats().surface_triangles > 8);
    CHECK(r.stats().bodies + r.stats().impostors == int(f.agents.size()));
}

// Doors in the gas grid: a door closed during a run blocks the gas at its event time, an opened
// one lets it through, and the mass balance stays exact (closing moves a doorway's gas into
// the air beside it).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "sim/gas/GasCoupling.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;

namespace {

// Two rooms under one ceiling, 8 x 6 m each, sealed from the outside (the exit is a line in
// the east room, not an opening); a leak of 0.01 kg/s in
// the west room 2 m from door D1 in the partition at x = 8. With no opening to the outside nothing
// leaves the grid, so the gas in it must equal rate x time.
std::string scenario(bool closed, const std::string& events = "") {
    return std::string(R"(name: door check
duration: 120
scene:
  levels:
    - id: L0
      height: 3
      walls:
        - {points: [[0,0],[16,0],[16,6],[0,6],[0,0]], thickness: 0.2, height: 3}
        - {points: [[8,0],[8,6]], thickness: 0.2, height: 3}
      doors: [{id: D1, at: [8, 3], width: 1.0, closed: )") +
           (closed ? "true" : "false") + R"(}]
      exits: [{id: E, from: [15, 1], to: [15, 2]}]
      spaces:
        - {id: west, rect: {min: [0.1, 0.1], max: [7.9, 5.9]}}
        - {id: east, rect: {min: [8.1, 0.1], max: [15.9, 5.9]}}
populations:
  - {name: p, count: 1, where: {level: L0, rect: {min: [12, 2], max: [14, 4]}}, premovement: 1000}
gas:
  gas: ammonia
  wind: {speed: 2, direction: 270}
  grid: {cell: 0.5, margin: 1, height_above: 1}
  diffusivity: {horizontal: 0.5, vertical: 0.2}
  sources:
    - {id: s, level: L0, at: [6, 3], height: 1, rate: 0.01}
)" + events;
}

struct Rooms {
    double west = 0.0, east = 0.0, total = 0.0;  // [kg]
};

/// Gas mass in each room (cells by centre) and in the whole grid.
Rooms rooms(const GasCoupling& gas) {
    const GasGrid& g = gas.grid();
    const double V = g.h * g.h * g.h;
    Rooms r;
    for (int k = 0; k < g.nz; ++k)
        for (int j = 0; j < g.ny; ++j)
            for (int i = 0; i < g.nx; ++i) {
                const double m = gas.concentrationAt(g.cx(i), g.cy(j), g.cz(k)) * V;
                r.total += m;
                if (g.cx(i) < 7.9) r.west += m;
                if (g.cx(i) > 8.1) r.east += m;
            }
    return r;
}

void runTo(Simulation& sim, double t) {
    while (sim.time() < t - 1e-9) REQUIRE(sim.step());
}

}  // namespace

TEST_CASE("Gas grid doors: closed blocks the gas, open lets it through, mass kept", "[gas]") {
    const double rate = 0.01;
    SECTION("the door's cells follow its state from the scene") {
        Simulation open(parseScenarioText(scenario(false), "s.yaml", "."));
        Simulation shut(parseScenarioText(scenario(true), "s.yaml", "."));
        const GasGrid& go = open.gas()->grid();
        const GasGrid& gs = shut.gas()->grid();
        const GasDoorCells* d = go.door(0, 0);
        REQUIRE(d);
        REQUIRE(!d->cells.empty());
        for (size_t c : d->cells) {
            CHECK(go.solid[c] == 0);
            CHECK(gs.solid[c] == 1);
        }
        CHECK(gs.solidCount() == go.solidCount() + d->cells.size());
    }
    SECTION("open all along: the gas reaches the east room; closed at 0 s: none does") {
        Simulation open(parseScenarioText(scenario(false), "s.yaml", "."));
        Simulation shut(parseScenarioText(scenario(false, "events:\n  - {time: 0, close_door: D1}\n"), "s.yaml", "."));
        runTo(open, 30.0);
        runTo(shut, 30.0);
        const Rooms a = rooms(*open.gas()), b = rooms(*shut.gas());
        CHECK(a.east > 1e-3 * a.total);       // through the doorway
        CHECK(b.east == 0.0);                 // sealed: not a molecule
        CHECK(b.west > a.west);
        // Nothing leaves the sealed rooms: the grid holds what was released.
        CHECK(a.total == Approx(rate * open.gas()->gasTime()).epsilon(1e-10));
        CHECK(b.total == Approx(rate * shut.gas()->gasTime()).epsilon(1e-10));
    }
    SECTION("closed, opened at 20 s: the east room stays clean until then") {
        Simulation sim(parseScenarioText(scenario(true, "events:\n  - {time: 20, open_door: D1}\n"), "s.yaml", "."));
        runTo(sim, 19.9);
        CHECK(rooms(*sim.gas()).east == 0.0);
        runTo(sim, 40.0);
        const Rooms r = rooms(*sim.gas());
        CHECK(r.east > 1e-3 * r.total);
        CHECK(r.total == Approx(rate * sim.gas()->gasTime()).epsilon(1e-10));
    }
    SECTION("open, closed at 20 s by the API with gas in the doorway: the east room's gas is then a closed box") {
        Simulation sim(parseScenarioText(scenario(false), "s.yaml", "."));
        runTo(sim, 20.0);
        const GasGrid& g = sim.gas()->grid();
        const GasDoorCells* d = g.door(0, 0);
        REQUIRE(d);
        double doorway = 0.0;
        for (size_t c : d->cells) doorway += sim.gas()->concentrationAt(g.cx(int(c % size_t(g.nx))), g.cy(int((c / size_t(g.nx)) % size_t(g.ny))),
                                                                      g.cz(int(c / (size_t(g.nx) * size_t(g.ny)))));
        CHECK(doorway > 0.0);
        sim.setDoorClosed("D1", true);
        for (size_t c : d->cells) CHECK(g.solid[c] == 1);
        const Rooms atClose = rooms(*sim.gas());
        CHECK(atClose.total == Approx(rate * sim.gas()->gasTime()).epsilon(1e-10));  // the doorway's gas moved, not lost
        runTo(sim, 40.0);
        const Rooms later = rooms(*sim.gas());
        CHECK(later.east == Approx(atClose.east).epsilon(1e-10));
        CHECK(later.total == Approx(rate * sim.gas()->gasTime()).epsilon(1e-10));
    }
}

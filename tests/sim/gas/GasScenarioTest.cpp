// The gas section of a scenario: units of concentrations, release rates from holes, and the
// Gaussian plume mode against the formula it implements.
#include <catch2/catch.hpp>

#include "TestSupport.hpp"

#include <cmath>

#include "scenes/InputError.hpp"
#include "sim/gas/GasCoupling.hpp"
#include "sim/gas/GaussianPlume.hpp"
#include "sim/gas/Release.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;

namespace {

std::string scenario(const std::string& gas) { return test::gasRoom(2, 100) + gas; }

}  // namespace

TEST_CASE("Gas section: concentrations with units and hole release rates", "[gas]") {
    const std::string g = R"(  gas: chlorine
  wind: {speed: 3}
  sources:
    - {id: s, level: L0, at: [-5, 5], height: 1, hole: {pressure: 1.0e6, diameter: 0.01}}
  detectors:
    - {id: a, level: L0, at: [5, 5], threshold: 2 ppm}
    - {id: b, level: L0, at: [5, 6], threshold: 5.8 mg/m3}
  tenability: 0.001 %vol
)";
    const Scenario sc = parseScenarioText(scenario(g), "s.yaml", ".");
    REQUIRE(sc.gas);
    const GasProperties& cl2 = *findGas("chlorine");
    // 2 ppm of chlorine = 2e-6 * 101325 * 0.070906 / (8.314462618 * 293.15) kg/m^3 = 5.896 mg/m^3.
    CHECK(sc.gas->detectors[0].threshold == Approx(5.896e-6).epsilon(1e-3));
    CHECK(sc.gas->detectors[1].threshold == Approx(5.8e-6));
    CHECK(sc.gas->tenability == Approx(cl2.ppmToKgM3(10.0)));
    // The rate comes from the hole formula (choked at 10 bar), Cd defaults to 0.62.
    HoleConditions h;
    h.pressure = 1e6;
    h.diameter = 0.01;
    CHECK(sc.gas->sources[0].rate == Approx(gasHoleRelease(h, cl2.molar_mass, cl2.heat_capacity_ratio).mass_rate));
    CHECK(sc.gas->sources[0].choked);
    SECTION("a %LEL threshold for a gas without a LEL is an error at its line") {
        std::string bad = scenario(g);
        bad.replace(bad.find("2 ppm"), 5, "10 %LEL");
        CHECK_THROWS_WITH(parseScenarioText(bad, "s.yaml", "."), Catch::Contains("s.yaml:16:") && Catch::Contains("no lower explosive limit"));
    }
}

TEST_CASE("Plume mode gives the Gaussian plume with Briggs coefficients", "[gas]") {
    const std::string g = R"(  gas: ammonia
  model: plume
  wind: {speed: 4, direction: 270, reference_height: 10, stability: D}
  sources:
    - {id: s, level: L0, at: [-5, 5], height: 2, rate: 1.0}
)";
    Simulation sim(parseScenarioText(scenario(g), "s.yaml", "."));
    for (int i = 0; i < 400; ++i) REQUIRE(sim.step());  // 20 s (people wait 100 s): the plume has passed x = 5 + 45 m
    const GasCoupling& gas = *sim.gas();
    // 50 m downwind of the source, 3 m off the axis, at 1.5 m: wind at the 2 m release height
    // u = 4 (2/10)^0.15, Briggs class D sigmas at 50 m.
    const double u = 4.0 * std::pow(0.2, 0.15), x = 50.0;
    const double expect = plumeConcentration(1.0, u, briggsSigmaY(StabilityClass::D, x), briggsSigmaZ(StabilityClass::D, x), 3.0, 1.5, 2.0);
    CHECK(gas.concentrationAt(45.0, 8.0, 1.5) == Approx(expect).epsilon(1e-9));
    CHECK(gas.concentrationAt(-20.0, 5.0, 1.5) == 0.0);  // upwind
}

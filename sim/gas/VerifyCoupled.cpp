// The coupled check: an ammonia leak 12 m upwind (west) of a room with a door in its south and
// north walls. The plume runs east along the south wall. People start near the south door, so
// without gas they leave by it; with gas a detector between the leak and the room alarms, the
// alarm starts the evacuation, and the cloud over the south door sends them to the north door. Their doses must be finite and never decrease.
#include <cmath>
#include <cstdio>

#include "sim/gas/GasCoupling.hpp"
#include "sim/gas/GasVerification.hpp"
#include "sim/gas/GaussianPlume.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace safetwin::gasverify {

namespace {

std::string coupledYaml(bool withGas) {
    std::string y = R"(
name: coupled gas check
duration: 150
time_step: 0.05
seed: 3
scene:
  name: room downwind of a leak
  levels:
    - id: L0
      height: 3.5
      walls:
        - {points: [[20,0],[40,0],[40,20],[20,20],[20,0]], thickness: 0.2, height: 3.5}
      doors:
        - {id: south, at: [30, 0], width: 1.6, exit: true}
        - {id: north, at: [30, 20], width: 1.6, exit: true}
      spaces:
        - {id: room, rect: {min: [20.2, 0.2], max: [39.8, 19.8]}}
populations:
  - name: occupants
    count: 20
    where: {level: L0, rect: {min: [26, 2], max: [34, 6]}}
    premovement: 20
)";
    if (withGas)
        y += R"(
gas:
  gas: ammonia
  wind: {speed: 3, direction: 270, stability: D}
  grid: {cell: 1.0, margin: 16, height_above: 6}
  sources:
    - {id: leak, level: L0, at: [8, 2], height: 1.0, rate: 0.3}
  detectors:
    - {id: GD, level: L0, at: [14, 2], height: 1.5, threshold: 25 ppm, response_time: 10}
  alarm_starts_evacuation: true
  tenability: 300 ppm
  reroute_interval: 2
  record_interval: 5
)";
    return y;
}

}  // namespace

std::vector<GasCheck> coupled() {
    std::vector<GasCheck> out;
    auto northShare = [](const Simulation& sim) {
        int north = 0, all = 0;
        const int e = sim.scenario().scene.exitIndex("north");
        for (const AgentRecord& r : sim.agents()) { all++; north += r.exit == e; }
        return double(north) / std::max(1, all);
    };
    Simulation base(parseScenarioText(coupledYaml(false), "coupled.yaml", "."));
    base.run();
    const double baseNorth = northShare(base);

    Simulation sim(parseScenarioText(coupledYaml(true), "coupled.yaml", "."));
    const size_t n = sim.state().size();
    std::vector<double> lastDose(n, 0.0);
    bool monotone = true, finite = true;
    while (sim.step()) {
        const auto& ex = sim.gas()->exposures();
        for (size_t i = 0; i < n; ++i) {
            finite = finite && std::isfinite(ex[i].dose) && std::isfinite(ex[i].fed);
            monotone = monotone && ex[i].dose >= lastDose[i];
            lastDose[i] = ex[i].dose;
        }
    }
    const GasCoupling& gas = *sim.gas();
    const double alarm = gas.firstAlarm().value_or(-1.0);
    // Expected alarm time in open terrain: the continuous point source of the same rate in uniform
    // wind u (class D power law at the 1 m release height) with the run's constant K and a
    // reflecting ground, C(t) = integral over release times of the reflected Gaussian puff,
    // read through the same first-order lag (t90 = 10 s) until 25 ppm.
    const double q = 0.3, u = 3.0 * std::pow(1.0 / 10.0, 0.15), xd = 6.0, hs = 1.0, zd = 1.5;
    const EddyDiffusivity K = briggsDiffusivity(StabilityClass::D, 3.0);  // what the run used (no override)
    const double Kh = K.horizontal, Kz = K.vertical;
    const double threshold = gas.gas().ppmToKgM3(25.0), tau = 10.0 / std::log(10.0), dt = 0.01;
    double reading = 0.0, expected = -1.0;
    for (int step = 1; step * dt < 120.0 && expected < 0.0; ++step) {
        const double t = step * dt;
        double c = 0.0;  // midpoint rule over release times
        for (double s0 = 0.5 * dt; s0 < t; s0 += dt) {
            const double age = t - s0, sx2 = 2 * Kh * age, sz2 = 2 * Kz * age;
            c += q * dt * puffConcentration(1.0, std::sqrt(sx2), std::sqrt(sx2), std::sqrt(sz2), xd - u * age, 0.0, zd, hs);
        }
        reading += (c - reading) * (1.0 - std::exp(-dt / tau));
        if (reading >= threshold) expected = t;
    }
    const double ratio = alarm / expected;
    out.push_back({"coupled_detector_alarm", alarm, "s", "the detector alarms within a factor 2 of the open-terrain analytic estimate", alarm > 0.0 && ratio >= 0.5 && ratio <= 2.0,
                   "analytic " + std::to_string(expected) + " s (u " + std::to_string(u).substr(0, 4) + " m/s, K " + std::to_string(Kh).substr(0, 4) + "/" +
                       std::to_string(Kz).substr(0, 4) + " m^2/s); evacuation starts 20 s after the alarm"});
    const double north = northShare(sim);
    char buf[160];
    std::snprintf(buf, sizeof buf, "without gas %.0f %% leave by the north door (the far one); evacuated %d of %zu with gas", baseNorth * 100, sim.evacuated(), n);
    out.push_back({"coupled_reroute", north * 100, "%", "with the cloud over the south door >= 90 % leave by the north door (without gas <= 10 %)",
                   north >= 0.9 && baseNorth <= 0.1, buf});
    double maxDose = 0.0, maxFed = 0.0;
    for (const AgentExposure& e : gas.exposures()) { maxDose = std::max(maxDose, e.dose); maxFed = std::max(maxFed, e.fed); }
    std::snprintf(buf, sizeof buf, "largest dose %.4g ppm min, largest FED %.3g, %d incapacitated", maxDose, maxFed, gas.incapacitated());
    out.push_back({"coupled_doses_monotone", maxDose, "ppm min", "every dose finite and non-decreasing at every step", finite && monotone, buf});
    return out;
}

}  // namespace safetwin::gasverify

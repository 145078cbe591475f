// A gas release inside a scenario run, and its coupling to the people and the site:
//   gas stage      the dispersion advanced to the crowd's clock (grid solver, or the Gaussian
//                  plume/puff for open terrain), with the scenario's sources;
//   sensors        detectors read the concentration through a first-order lag (t90 = the
//                  response time) and alarm at their threshold; the first alarm can start the
//                  evacuation (pre-movement then counts from it);
//   route cost     nav-grid slowness raised where the concentration at breathing height is
//                  near or above the tenability limit, recomputed as the cloud moves;
//   exposure       each person's concentration at breathing height (1.5 m above their floor):
//                  peak, dose, toxic load and probit (TNO constants, mg/m^3 and min), and a
//                  fractional effective dose: Purser's CO term 2.764e-5 C^1.036 per minute
//                  for carbon monoxide; for other toxic gases SafeTwin's analogue
//                  (C / AEGL-3(10 min))^n / 10 min with n fitted to AEGL-3 at 10 and 60 min.
//                  A person whose FED reaches the limit (1.0: the median person) stops;
//   results        detector series and alarms, areas above each threshold at breathing height,
//                  ASET per space and per exit beside RSET, maps of the maximum concentration.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/crowd/Crowd.hpp"
#include "sim/gas/GasGrid.hpp"
#include "sim/gas/Gases.hpp"
#include "sim/gas/Transport.hpp"
#include "sim/gas/Wind.hpp"
#include "sim/nav/NavGrid.hpp"
#include "sim/scenario/GasSpec.hpp"

namespace safetwin {

struct AgentExposure {
    double peak = 0.0;               // [Units: kg/m^3]
    double dose = 0.0;               // integral of C dt [Units: ppm min]
    double toxic_load = 0.0;         // integral of C^n dt [Units: (mg/m^3)^n min]
    double fed = 0.0;                // fractional effective dose
    double incapacitated_at = -1.0;  // [Units: s]
};

/// Maximum concentration at breathing height over the run, on one level's plan raster.
struct GasLevelMap {
    std::string level;
    int nx = 0, ny = 0;
    double x0 = 0.0, y0 = 0.0, cell = 1.0;
    std::vector<float> max_ppm;      // (ny x nx)
    std::vector<uint8_t> solid;      // (ny x nx) 1 where the breathing-height cell is solid
};

class GasCoupling {
public:
    /// Builds the grid, the wind and the sources. Throws InputError for a source inside a solid.
    GasCoupling(const GasSpec& spec, const Scene& scene, const NavGrid& nav, const CrowdState& initial);
    ~GasCoupling();

    /// Stage: gas. Advances the dispersion to time t.
    void advance(double t);
    /// Stage: sensors and alarms at time t (detector lag over dt).
    void sense(double t, double dt);
    /// Origin of pre-movement times: 0, or the first alarm (+inf before it) with alarm_starts_evacuation.
    double premovementOrigin() const;
    /// True when route fields should follow the cloud now.
    bool rerouteDue(double t);
    /// Multiplies the nav slowness (nodes) by the gas cost of each node.
    void applyRouteCost(std::vector<float>& slowness) const;
    /// Stage: exposure over the step just taken; incapacitated people are stopped.
    void expose(CrowdState& s, double t, double dt);

    /// Concentration at a point at the current gas time. [Units: kg/m^3]
    double concentrationAt(double x, double y, double z) const;
    const GasProperties& gas() const { return *gas_; }
    const GasSpec& spec() const { return spec_; }
    const GasGrid& grid() const { return grid_; }
    const std::vector<AgentExposure>& exposures() const { return exposure_; }
    std::optional<double> firstAlarm() const { return firstAlarm_; }
    const std::vector<double>& alarmTimes() const { return alarm_; }   // (detectors) -1 if none
    int incapacitated() const;
    const std::vector<GasLevelMap>& maxMaps() const { return maps_; }
    double gasTime() const { return gasTimeBase_ + double(steps_ - stepsBase_) * dtGas_; }

    // Director actions (the viewer's drill panel): each takes effect from the current gas time.
    /// A new source from now on (src.start is moved to now if earlier). Throws InputError for a
    /// point outside the grid or inside a solid, as for the scenario's sources.
    void addSource(GasSourceSpec src);
    /// New wind from now on: the mass-consistent field is solved again and the transport rebuilt
    /// (the plume model uses the new wind for all of its gas at once).
    void setWind(double speed, double direction_deg);
    /// The alarm is raised at t (as if a detector had alarmed) unless one already has.
    void raiseAlarm(double t);

    /// A door opened or closed now (Simulation::setDoorClosed, a timed event): its cells in the
    /// gas grid turn air or solid, gas in a closing doorway moves to the air cells beside it
    /// (mass kept), and the wind is made mass consistent again. Openings (no leaf) stay open.
    void setDoorClosed(int level, int door, bool closed);

    /// summary.json "gas" object; exit_time per agent (-1 if not out).
    nlohmann::ordered_json summary(const std::vector<double>& exit_time) const;

private:
    void addSources(double t0, double t1);
    void updateMaps();
    void recordSeries(double t);
    double plumeAt(double x, double y, double z, double t) const;
    double levelBreathingZ(int level) const;
    double ppm(double kg) const { return gas_->kgM3ToPpm(kg); }

    GasSpec spec_;
    const GasProperties* gas_;
    const Scene* scene_;
    const NavGrid* nav_;
    GasGrid grid_;
    WindField wind_;
    WindSolveStats windStats_;
    TransportOptions transportOptions_;
    std::unique_ptr<Transport> transport_;
    std::vector<double> C_;            // (cells) kg/m^3
    double dtGas_ = 0.1;
    int64_t steps_ = 0;
    double gasTimeBase_ = 0.0;         // gas time when dtGas_ last changed (setWind) [Units: s]
    int64_t stepsBase_ = 0;
    double outflowBefore_ = 0.0;       // outflow of transports replaced by setWind [Units: kg]
    double released_ = 0.0;            // [kg]
    std::vector<uint8_t> doorClosed_;  // (grid_.doors) 1 while the door is closed
    std::vector<size_t> sourceCell_;   // (sources)
    std::vector<double> sourceZ_;      // (sources) absolute height
    std::vector<double> sourceReleased_;
    // Detectors
    std::vector<double> reading_, alarm_, detectorPeak_;
    std::optional<double> firstAlarm_;
    // Exposure
    std::vector<AgentExposure> exposure_;
    double fedExponent_ = 1.0;         // n of the toxic FED
    double lastMapUpdate_ = -1e300, lastReroute_ = 0.0, nextRecord_ = 0.0;
    std::vector<GasLevelMap> maps_;
    std::vector<int> mapK_;            // (levels) breathing-height layer of the grid
    // ASET: plan cells per space and near each exit, first time above the limit.
    struct Zone { std::string id, level; int levelIndex = 0; std::vector<size_t> cells; double aset = -1.0; std::vector<int> agents; };
    std::vector<Zone> spaces_, exits_;
    // Series
    std::vector<double> seriesTime_;
    std::vector<std::vector<double>> seriesDetector_;   // [detector][sample] ppm
    std::vector<std::string> thresholdNames_;
    std::vector<double> thresholdKg_;
    std::vector<std::vector<std::vector<double>>> seriesArea_;  // [level][threshold][sample] m^2
};

}  // namespace safetwin

// Internals of the crowd verification suite: loading bundled scenarios, measuring densities
// in named areas, formatting, and the checks themselves (one function each).
//   VerifyRimea.cpp   RiMEA 1-3, 5-7 (single persons, pre-movement, walls, speeds)
//   VerifyExits.cpp   RiMEA 9-13 (exits, route choice, congestion)
//   VerifyFlow.cpp    fundamental diagram (RiMEA 4), bottleneck flow, determinism
#pragma once

#include <string>
#include <vector>

#include "sim/run/Simulation.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin::verify {

/// What a check measured: the figure its criterion applies to, the verdict, and a line of
/// supporting numbers.
struct Outcome {
    double measured = 0.0;
    bool pass = false;
    std::string detail;
};

/// Reads <verificationHome()>/<relative>, e.g. "scenarios/rimea/rimea01_corridor.yaml".
Scenario loadBundled(const std::string& relative);

/// Density in a named space of the scene over a run: call sample() after every step.
/// Counts agents that are waiting or moving on the space's level with centres inside it.
class AreaProbe {
  public:
    AreaProbe(const Simulation& sim, const std::string& spaceId);
    void sample();
    /// Largest moving average of the density over `window_s`. [Units: 1/m^2]
    double peakDensity(double window_s) const;
    const std::string& id() const { return id_; }
    double area() const { return area_; }

  private:
    const Simulation* sim_;
    std::string id_;
    int layer_ = -1;
    Polygon polygon_;
    Box2 box_;
    double area_ = 0.0;
    std::vector<int> counts_;  // (steps) agents inside after each step
};

/// Runs a simulation to its end, sampling each probe after every step.
void runWithProbes(Simulation& sim, std::vector<AreaProbe>& probes);

/// Where step p -> q crosses the closed segment [a, b]: the parameter along p -> q in [0, 1],
/// or -1 if it does not (a step along the segment's own line does not cross it).
double crossing(Vec2 p, Vec2 q, Vec2 a, Vec2 b);

/// `v` with `digits` decimals.
std::string fixed(double v, int digits);

// The checks -------------------------------------------------------------------------------------

Outcome rimea01Corridor();
Outcome rimea02StairUp();
Outcome rimea03StairDown();
Outcome rimea04FundamentalDiagram();
Outcome rimea05Premovement();
Outcome rimea06Corner();
Outcome rimea07SpeedDistribution();
Outcome rimea09DoorClosure();
Outcome rimea10AssignedExits();
Outcome rimea11ExitChoice();
Outcome rimea12Bottlenecks();
Outcome rimea13StairQueue();
Outcome bottleneckFlow(double width);
Outcome determinism();

// Criteria shared between the checks and the registry -------------------------------------------

/// Fundamental diagram: the largest allowed |v - v_Weidmann|, one standard deviation of the
/// free walking speed in Weidmann's (1993) data. [Units: m/s]
inline constexpr double kFdTolerance = 0.26;
inline constexpr double kDoorClosureLo = 1.6, kDoorClosureHi = 2.4;       // RiMEA 9 time ratio
inline constexpr double kBottleneckWidths[] = {0.8, 1.2, 1.6, 2.0, 2.4};  // [m]
inline constexpr double kBottleneckLo = 1.2, kBottleneckHi = 2.0;         // specific flow [1/(m s)]
inline constexpr double kFruinLosF = 2.15;     // lower bound of level of service F [1/m^2]
inline constexpr double kDensityWindow = 5.0;  // moving-average window for peak densities [s]

}  // namespace safetwin::verify

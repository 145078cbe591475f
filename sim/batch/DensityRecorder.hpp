// Crowd density during a run, for Fruin's levels of service: a 2 m grid per level counts the
// people (not yet out) whose centre lies in each cell after every step, and turns the counts
// into a density averaged over a 1 s window (count / cell area / steps in the window). People
// on stair flights are not counted (stairs are reported by their exits and flows).
// Why 2 m: Fruin's levels describe walkway areas; in 1 m cells two people standing side by side
// already read as level E (2 /m^2), so "time at level E" would be the whole run of any crowd.
//
// Fruin's walkway levels (REFERENCES.md): E from 1.08 /m^2, F above 2.15 /m^2.
#pragma once

#include <string>
#include <vector>

#include "scenes/Geometry.hpp"

namespace safetwin {

class Simulation;

struct DensityOptions {
    double cell = 2.0;    // grid cell [Limit: [0.25, 5]] [Units: m] [Default: 2]
    double window = 1.0;  // averaging window [Limit: >= one time step] [Units: s] [Default: 1]
};

inline constexpr double kFruinE = 1.08;  // [persons/m^2] lower bound of level of service E
inline constexpr double kFruinF = 2.15;  // [persons/m^2] lower bound of level of service F

/// The peak windowed density of each cell of one level over the run.
struct DensityMap {
    std::string level;  // level id
    Vec2 origin;        // corner of cell (0, 0) [m]
    double cell = 2.0;  // [m]
    int nx = 0, ny = 0;
    std::vector<float> peak;  // (ny x nx) [persons/m^2]
};

struct DensitySummary {
    double los_e_s = 0.0;          // time some cell was at level E or worse (>= 1.08 /m^2) [s]
    double los_f_s = 0.0;          // time some cell was at level F (> 2.15 /m^2) [s]
    double los_e_area_s = 0.0;     // area x time at level E or worse [m^2 s]
    double peak = 0.0;             // highest windowed density [persons/m^2]
    std::string peak_level;        // where and when it occurred ("" if nobody was counted)
    Vec2 peak_at;                  // cell centre [m]
    double peak_time = 0.0;        // end of the window [s]
    std::vector<DensityMap> maps;  // one per level
};

class DensityRecorder {
  public:
    DensityRecorder(const Simulation& sim, const DensityOptions& options = {});
    /// Call after each step of `sim`.
    void sample(const Simulation& sim);
    /// Closes the last (partial) window and returns the summary.
    DensitySummary finish(const Simulation& sim);

  private:
    void closeWindow(double time);

    DensityOptions options_;
    std::vector<DensityMap> maps_;
    std::vector<std::vector<int>> counts_;  // per level (ny x nx): people-steps in the window
    std::vector<int> levelOfLayer_;         // nav layer -> level, -1 for stairs
    int stepsInWindow_ = 0;
    int stepsPerWindow_ = 20;
    double dt_ = 0.05;
    DensitySummary summary_;
};

}  // namespace safetwin

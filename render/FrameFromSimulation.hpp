// A Frame from a running Simulation: the people (position, heading, speed, dose, state), the
// doors' current states, the counters, and for a run with gas the breathing-height maps per
// level, the 3D concentration and the detectors. Called on the simulation's thread; the
// Frame it returns is plain data the window thread may read while the run goes on.
#pragma once

#include "render/Frame.hpp"

namespace safetwin {
class Simulation;
}

namespace safetwin::render {

struct FrameOptions {
    bool include_out = false;     // also agents who have left (state Out)
    bool gas_maps = true;         // breathing-height concentration per level
    bool gas_volume = true;       // the 3D concentration (for the threshold surface)
};

/// Which gas threshold the surface and the map scale use: AEGL-2 (10 min) when the gas has
/// one, else the run's tenability limit. [Units: ppm]
double displayThresholdPpm(const Simulation& sim);

Frame frameFromSimulation(const Simulation& sim, const FrameOptions& options = {});

}  // namespace safetwin::render

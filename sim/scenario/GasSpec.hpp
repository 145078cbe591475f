// The `gas:` section of a scenario: which gas, the wind, the grid, the sources, the detectors
// and how the release couples to the evacuation. Filled by GasYaml.cpp; used by
// sim/gas/GasCoupling. Concentrations are kg/m^3 here (converted from the file's units).
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "scenes/Geometry.hpp"
#include "scenes/InputError.hpp"
#include "sim/gas/GasGrid.hpp"
#include "sim/gas/Release.hpp"
#include "sim/gas/Wind.hpp"

namespace safetwin {

struct GasSourceSpec {
    std::string id;
    std::string level_id;
    Vec2 at;                           // plan position [Units: m]
    double height = 1.0;               // above the level's floor [Limit: [0, 100]] [Units: m]
    bool instantaneous = false;        // a mass released at `start`, else a rate from start to stop
    double rate = 0.0;                 // continuous [Units: kg/s]
    double mass = 0.0;                 // instantaneous [Units: kg]
    std::optional<HoleConditions> hole;  // the rate comes from a hole (gas phase)
    bool choked = false;               // filled from `hole`
    double start = 0.0;                // [Units: s]
    double stop = std::numeric_limits<double>::infinity();  // [Units: s]
    SourceRef where;
};

struct GasDetectorSpec {
    std::string id;
    std::string level_id;
    Vec2 at;
    double height = 1.5;               // above the floor [Units: m]
    double threshold = 0.0;            // alarm level [Units: kg/m^3]
    std::string threshold_text;        // as written, e.g. "25 ppm"
    double response_time = 0.0;        // t90 of a first-order sensor [Limit: [0, 600]] [Units: s]
    SourceRef where;
};

struct GasSpec {
    std::string gas;                   // id in the gas table (sim/gas/Gases.hpp)
    bool plume_model = false;          // analytic Gaussian plume/puff instead of the grid solver
    WindSpec wind;
    VoxelOptions grid;
    double max_memory_mb = 4096.0;     // refuse grids whose estimate exceeds this [Units: MB]
    std::optional<double> horizontal_diffusivity, vertical_diffusivity;  // [Units: m^2/s]
    std::vector<GasSourceSpec> sources;
    std::vector<GasDetectorSpec> detectors;
    bool alarm_starts_evacuation = false;  // pre-movement counts from the first alarm
    double tenability = 0.0;           // route and ASET limit at breathing height [Units: kg/m^3]
    std::string tenability_text;
    double route_penalty = 20.0;       // slowness factor at and above the limit; inf = impassable
    double reroute_interval = 5.0;     // route fields follow the cloud this often [Units: s]
    double record_interval = 5.0;      // gas time series [Units: s]
    double breathing_height = 1.5;     // [Units: m]
    double incapacitation_fed = 1.0;   // FED at which a person stops [Limit: (0, 10]]
    SourceRef where;
};

}  // namespace safetwin

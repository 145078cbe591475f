// Live sensors of a scenario (docs/FORMAT.md "Sensors"): where each one is on the model, its
// unit, its warning and alarm limits with deadband and on/off delays (ISA-18.2), when its value
// goes stale, which values are plausible, and how it is addressed on MQTT. Read by
// SensorYaml.cpp; used by the live feed (live/feed/) and the forecast.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenes/Geometry.hpp"
#include "scenes/InputError.hpp"
#include "scenes/Scene.hpp"
#include "scenes/YamlReader.hpp"

namespace safetwin {

struct SensorSpec {
    std::string id;              // also the last topic level of the plain JSON layout
    std::string kind = "other";  // gas, pressure, level, temperature, flow, other
    std::string unit;            // as the sensor reports it: "ppm", "%LEL", "bar", "degC"...
    std::string level_id;        // scene level
    Vec2 at;                     // plan position [Units: m]
    double height = 1.5;         // above the level's floor [Limit: [0, 100]] [Units: m]
    std::string object;          // scene object it is mapped to (door, exit, space,
                                 // obstacle or stair id), "" if only a point
    std::optional<double> alarm_high, warning_high, warning_low, alarm_low;  // [Units: unit]
    double deadband = 0.0;      // [Limit: >= 0] [Units: unit]
    double on_delay = 0.0;      // [Limit: [0, 3600]] [Units: s]
    double off_delay = 0.0;     // [Limit: [0, 3600]] [Units: s]
    double stale_after = 60.0;  // silence before stale [Limit: (0, 86400]] [Units: s]
    double plausible_min = -1e300, plausible_max = 1e300;  // outside: absurd [Units: unit]
    // Sparkplug B address; empty group = match the metric name in any node.
    std::string sp_group, sp_node, sp_device, sp_metric;
    SourceRef where;
};

/// Reads the scenario's `sensors:` list. Levels and objects are checked against the scene.
std::vector<SensorSpec> readSensorSpecs(const YamlReader& r, const YAML::Node& node,
                                        const Scene& scene);

}  // namespace safetwin

// Reading a scenario's `gas:` section (docs/FORMAT.md "Gas"), with file:line errors.
#pragma once

#include <yaml-cpp/yaml.h>

#include "scenes/Scene.hpp"
#include "scenes/YamlReader.hpp"
#include "sim/scenario/GasSpec.hpp"

namespace safetwin {

/// Reads and checks the section; the scene is needed for levels and the grid's size.
GasSpec readGasSpec(const YamlReader& r, const YAML::Node& node, const Scene& scene, double duration);

/// A concentration written with its unit ("25 ppm", "17.7 mg/m3", "0.02 kg/m3", "10 %LEL",
/// "0.5 %vol") in kg/m^3 for the gas. Fails at `node` for a missing or unknown unit.
double readConcentration(const YamlReader& r, const YAML::Node& node, const std::string& label, const std::string& gas);

}  // namespace safetwin

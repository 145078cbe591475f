// The scenario file format (YAML): which scene, who is where, how they walk and choose exits,
// what happens when, and the run settings. Documented key by key in docs/FORMAT.md.
// Everything is validated here, at load: a Scenario that comes back is ready to run.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "sim/scenario/Scenario.hpp"

namespace safetwin {

/// Reads a scenario file; a `scene:` path is taken relative to the file's folder.
/// Throws InputError naming file:line:column, the key, the value, its unit and allowed range.
Scenario loadScenarioFile(const std::string& path);

/// Parses scenario text. `file` is the name used in messages and stored in Scenario::file;
/// a `scene:` path is taken relative to `baseDir`.
Scenario parseScenarioText(const std::string& yaml, const std::string& file,
                           const std::string& baseDir);

/// As parseScenarioText, from an already parsed YAML tree.
Scenario parseScenario(const YAML::Node& node, const std::string& file, const std::string& baseDir);

/// As parseScenario, with the scene given (already read and edited by a variant) instead of
/// the one under `scene:`; `variants` are not read (see sim/scenario/Variant.hpp).
Scenario parseScenario(const YAML::Node& node, const std::string& file, const std::string& baseDir,
                       const Scene* scene);

}  // namespace safetwin

// A scene taken from a model file and edited by the scenario (`scene: {model: ..., ...}`):
// import options, doors marked as exits or closed, obstacles added, moved or removed, spaces
// renamed, extra exit lines. Elements are matched by id (the IFC GlobalId), by a name pattern
// (* and ?) or by position. docs/FORMAT.md ("Model scenes") lists every key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "scenes/Scene.hpp"
#include "scenes/YamlReader.hpp"

namespace safetwin {

/// Reads `node` (a map with `model:`, or a plain model path), imports the model (the path is
/// relative to `baseDir`), applies the edits and resolves the scene. Errors name the
/// scenario file, line and column.
Scene loadModelScene(const YamlReader& reader, const YAML::Node& node, const std::string& baseDir);

/// Case-insensitive glob match: '*' any run of characters, '?' one character.
bool globMatch(const std::string& pattern, const std::string& text);

}  // namespace safetwin

// The scene file format (YAML): levels with walls, doors, openings, obstacles, spaces and
// exits, plus stairs between levels. The format is documented key by key in docs/FORMAT.md.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "scenes/Scene.hpp"

namespace safetwin {

/// Reads a scene file and resolves it (resolveScene). Throws InputError naming file:line:col.
Scene loadSceneFile(const std::string& path);

/// Reads a scene from a parsed YAML map (a whole file, or a scene written inline in a
/// scenario); `file` is the name used in messages. Resolves it before returning.
Scene parseScene(const YAML::Node& node, const std::string& file);

}  // namespace safetwin

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

// Single elements as written under a level (unresolved), for variants that add them
// (scenes/SceneEdit.cpp). `r` names the file in messages.
class YamlReader;
Wall readWall(const YamlReader& r, const YAML::Node& node);
Door readDoor(const YamlReader& r, const YAML::Node& node, bool opening);
Obstacle readObstacle(const YamlReader& r, const YAML::Node& node);
Space readSpace(const YamlReader& r, const YAML::Node& node);
Exit readExit(const YamlReader& r, const YAML::Node& node, const std::string& levelId);

}  // namespace safetwin

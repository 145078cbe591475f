// Layout variants as small edits of one scene: remove, move, resize, close or open named
// objects, and add walls, doors, openings, obstacles, spaces and exits to a level. Edits are
// read from a variant's map in a scenario file (docs/FORMAT.md, "Variants") and applied to a
// resolved Scene, which is then resolved again, so an edited scene is checked exactly like
// one read from a file.
//
// [SECTION] SceneEdit        one edit, with the place it was written
// [SECTION] Reading          readSceneEdits(): the scene keys of a variant map
// [SECTION] Applying         applySceneEdits(), close matches for unknown names
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenes/Scene.hpp"

namespace safetwin {

class YamlMap;

// [SECTION] SceneEdit --------------------------------------------------------------------------

struct SceneEdit {
    enum class Kind {
        Remove,  // any named object: obstacle, door, opening, exit, wall, space, stair
        Move,    // obstacle, space, door, opening or exit line: by a vector or to a point
        Resize,  // door or opening (clear width), exit line (length about its centre), stair
        Close,   // a door, closed when the run starts
        Open,    // a door, open when the run starts
        Add,     // elements added to one level
    };
    Kind kind = Kind::Remove;
    std::string id;          // the object edited (not for Add)
    std::optional<Vec2> by;  // Move: translation [Units: m]
    std::optional<Vec2> to;  // Move: new centre (obstacle, space, exit) or `at` (door) [Units: m]
    double width = 0.0;      // Resize: new width [Units: m]
    // Add: elements for level `level`, unresolved, as read.
    std::string level;
    std::vector<Wall> walls;
    std::vector<Door> doors;  // doors and openings
    std::vector<Obstacle> obstacles;
    std::vector<Space> spaces;
    std::vector<Exit> exits;
    SourceRef where;  // where the edit names its object (or the add entry)
};

// [SECTION] Reading ----------------------------------------------------------------------------

/// Keys of a variant map that edit the scene.
inline constexpr const char* kSceneEditKeys[] = {"remove", "move", "resize",
                                                 "close",  "open", "add"};

/// Reads the scene edits of a variant map (the keys in kSceneEditKeys; other keys are left to
/// the caller). Shapes and ranges are checked here; names are checked by applySceneEdits().
std::vector<SceneEdit> readSceneEdits(const YamlMap& variant);

// [SECTION] Applying ---------------------------------------------------------------------------

/// Applies `edits` in order to a resolved scene and resolves it again. An edit naming an object
/// the scene does not have (or one of the wrong kind) is an InputError at the edit's place
/// that names the object and lists the close matches. Geometry errors of the result (a moved
/// door no longer on a wall, two objects with one id) are reported by resolveScene().
void applySceneEdits(Scene& scene, const std::vector<SceneEdit>& edits);

/// " (did you mean 'a'? close matches: a, b, c)" or " (no close match; <kind>: x, y, ...)":
/// the candidates within a small edit distance of `name`, closest first.
std::string closeMatches(const std::string& name, const std::vector<std::string>& candidates,
                         const std::string& kind);

}  // namespace safetwin

// The twin's scene model: levels, walls, doors and openings, exits, obstacles, spaces, stairs.
// Plain data, filled by the scene readers (SceneYaml.cpp today, model importers later) and
// checked by resolveScene(). All lengths in metres, z up, plans in x-y.
//
// [SECTION] Elements   Wall, Door, Obstacle, Space, LevelRaster, Level, Stair, Exit
// [SECTION] Model      triangles of an imported model, kept for the viewer
// [SECTION] Scene      lookups and resolveScene()
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenes/Geometry.hpp"
#include "scenes/InputError.hpp"

namespace safetwin {

// [SECTION] Elements ---------------------------------------------------------------------------

struct Wall {
    std::string id;              // optional; "" if unnamed
    std::vector<Vec2> points;    // polyline, at least 2 points
    double thickness = 0.2;      // [Limit: (0, 5]] [Units: m] [Default: 0.2]
    double height = 3.0;         // [Limit: (0, 100]] [Units: m] [Default: 3.0]
    SourceRef where;
};

/// A door or opening cut into a wall of its level. Its opening is the segment [a, b] on the
/// wall's centre line, computed by resolveScene() from `at` and `width`. An imported door
/// (`placed`) has no wall: the importer gives a, b and its depth (the wall's thickness), and
/// its leaf covers the rectangle of that depth centred on [a, b].
struct Door {
    std::string id;
    Vec2 at;                     // a point on (or within half a thickness of) a wall
    double width = 0.9;          // clear width [Limit: (0.3, 20]] [Units: m]
    bool closed = false;         // initial state
    bool closable = true;        // false for an opening (no leaf)
    bool exit = false;           // leads outside: an exit with the door's id is created
    bool placed = false;         // a, b (and depth) set by an importer; no wall
    double depth = 0.2;          // for placed doors: leaf thickness band [Units: m]
    std::string source_id;       // IFC GlobalId (or node name) of the imported element, else ""
    SourceRef where;
    // resolved
    int wall = -1;               // index into Level::walls
    int segment = -1;            // segment index within that wall
    Vec2 a, b;                   // opening end points on the wall's centre line
};

struct Obstacle {
    std::string id;
    Polygon polygon;             // footprint
    double height = 1.0;         // [Units: m] obstacles block movement whatever their height
    std::string source_id;       // IFC GlobalId (or node name) of the imported element, else ""
    SourceRef where;
};

struct Space {
    std::string id;
    std::string name;            // human name, e.g. "Open plan office 1.02"
    Polygon polygon;
    std::string source_id;       // IFC GlobalId of the imported space, else ""
    SourceRef where;
};

/// What an imported model contributes to a level's walkable area, on its own lattice: cells
/// where something stands at body height (`solid`) and cells with a floor (`floor`). The
/// navigation grid treats a cell as blocked if any raster cell under it is solid, or the
/// raster cell at its centre has no floor, or it lies outside the raster. Empty (nx = 0) for
/// scenes written in YAML.
struct LevelRaster {
    Vec2 origin;                 // corner of cell (0, 0) [Units: m]
    double cell = 0.1;           // [Limit: > 0] [Units: m]
    int nx = 0, ny = 0;
    std::vector<uint8_t> solid;  // (ny x nx) 1 where something stands in the body-height band
    std::vector<uint8_t> floor;  // (ny x nx) 1 where there is a floor to walk on

    bool empty() const { return nx <= 0 || ny <= 0; }
    int at(int i, int j) const { return j * nx + i; }
    Box2 box() const { return {origin, {origin.x + nx * cell, origin.y + ny * cell}}; }
    /// Cell index of plan point p, or -1 outside.
    int cellOf(Vec2 p) const {
        const int i = int(std::floor((p.x - origin.x) / cell)), j = int(std::floor((p.y - origin.y) / cell));
        return i >= 0 && j >= 0 && i < nx && j < ny ? at(i, j) : -1;
    }
    bool walkable(int c) const { return c >= 0 && floor[size_t(c)] && !solid[size_t(c)]; }
};

struct Level {
    std::string id;
    std::string name;
    double elevation = 0.0;      // floor height [Units: m]
    double height = 3.0;         // storey height [Units: m]
    std::vector<Wall> walls;
    std::vector<Door> doors;
    std::vector<Obstacle> obstacles;
    std::vector<Space> spaces;
    LevelRaster raster;          // imported models only
    SourceRef where;
};

/// A straight stair flight joining two levels. `from` is the centre of the bottom step's
/// front edge on the lower level, `to` the centre of the top edge on the upper level (plan
/// coordinates). Its footprint is the rectangle of length |to - from| and width `width`.
struct Stair {
    std::string id;
    std::string lower_id, upper_id;
    Vec2 from, to;
    double width = 1.2;          // clear width [Limit: (0.5, 10]] [Units: m]
    double riser = 0.17;         // [Limit: (0.05, 0.25]] [Units: m]
    double tread = 0.29;         // [Limit: (0.2, 0.5]] [Units: m]
    SourceRef where;
    // resolved
    int lower = -1, upper = -1;  // level indices
    Vec2 along, across;          // unit vectors: up the flight, and to its left
    double run = 0.0;            // plan length [m]
    double rise = 0.0;           // elevation difference [m]
    double slope_length = 0.0;   // length along the slope [m]

    Polygon footprint() const;
    /// Stair coordinates of plan point p: s along the run from `from`, w across from the axis.
    Vec2 local(Vec2 p) const { return {dot(p - from, along), dot(p - from, across)}; }
};

/// Where agents leave the building: a segment on a level (a door marked `exit`, or a line
/// given directly). An agent has left once it reaches the segment.
struct Exit {
    std::string id;
    std::string level_id;
    Vec2 a, b;
    std::string door;            // id of the door it passes through, "" if none
    SourceRef where;
    int level = -1;              // resolved
    double width() const { return norm(b - a); }
};

// [SECTION] Model ------------------------------------------------------------------------------

/// One element of an imported model with its triangles (z up, metres), as the importer saw
/// it; kept so a viewer can show the model and results can name its elements.
struct ModelElement {
    std::string ifc_class;       // "IfcWall", ..., or "" for non-IFC models
    std::string name;
    std::string global_id;       // IFC GlobalId, or the node's name for other formats
    int level = -1;              // level index, -1 if none
    std::vector<float> xyz;      // (vertices x 3)
    std::vector<uint32_t> triangles;  // (triangles x 3) vertex indices
};

struct ModelGeometry {
    std::string file;
    std::vector<ModelElement> elements;
};

// [SECTION] Scene ------------------------------------------------------------------------------

struct Scene {
    std::string name;
    std::vector<Level> levels;
    std::vector<Stair> stairs;
    std::vector<Exit> exits;     // after resolveScene(): also one per door marked exit
    std::shared_ptr<const ModelGeometry> model;  // imported models only (shared, never edited)
    SourceRef where;

    int levelIndex(const std::string& id) const;           // -1 if none
    int exitIndex(const std::string& id) const;            // -1 if none
    /// {level index, door index} or nullopt.
    std::optional<std::pair<int, int>> findDoor(const std::string& id) const;
    /// {level index, space index} or nullopt.
    std::optional<std::pair<int, int>> findSpace(const std::string& id) const;
    Box2 bounds() const;                                   // all levels, in plan
    Box2 levelBounds(int level) const;
};

/// Checks references and geometry and fills the resolved fields: doors are placed on their
/// walls, door exits are added to `exits`, stairs get their frames. Throws InputError naming
/// the element's place in its file. A scene with no exit is an error.
void resolveScene(Scene& scene);

}  // namespace safetwin

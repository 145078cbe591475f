// Internal to scenes/import: what a reader hands to the scene builder.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "scenes/Scene.hpp"
#include "scenes/import/ModelImport.hpp"

namespace safetwin::import {

/// How an element takes part in the walkable area.
enum class Role {
    Structure,  // walls, slabs, columns, railings, roofs: solid at body height, floors from its tops
    Floor,      // only a floor (ground planes)
    Door,       // a passage
    Window,     // solid (in a wall)
    Space,      // a named room: floor from its bottom, outline kept
    Stair,      // stairs, flights and ramps
    Obstacle,   // furniture, equipment, included models: an Obstacle of the scene
    Ignore,     // openings, site terrain, annotations
};

struct Storey {
    std::string name, global_id;
    double elevation = 0.0;  // [m], from the IFC text when known
    bool has_elevation = false;
};

struct RawElement {
    ModelElement el;         // triangles in metres, z up
    Role role = Role::Structure;
    int storey = -1;         // index into RawModel::storeys
    int group = -1;          // stairs: elements of one IfcStair share a group
};

/// Attributes assimp does not import, read from the IFC text itself.
struct IfcFacts {
    std::string schema;                       // "IFC2X3", "IFC4", ...
    double length_unit = 1.0;                 // metres per file length unit
    int storeys = 0, doors = 0, spaces = 0;   // entity counts in the text
    struct Door { std::string gid, name; double width = 0.0; };
    struct Space { std::string gid, name, long_name; };
    struct StoreyFact { std::string gid, name; double elevation = 0.0; bool has = false; };
    std::vector<Door> door_list;
    std::vector<Space> space_list;
    std::vector<StoreyFact> storey_list;
};

struct RawModel {
    std::string file;
    std::string format;
    bool ifc = false;
    IfcFacts facts;
    std::vector<Storey> storeys;
    std::vector<RawElement> elements;
    std::vector<float> points;               // (points x 3) point clouds, metres, z up (voxel centres)
    size_t source_points = 0;                // points in the file, NaN points dropped
    std::vector<std::string> warnings;
};

/// IFC (ISO 10303-21) string escapes to UTF-8: \\S\\x (ISO 8859-1 high half), \\X\\hh, \\X2\\hhhh...\\X0\\.
std::string decodeIfcString(const std::string& s);

// Readers (one file per path in). Each throws InputError naming the file.
IfcFacts scanIfcText(const std::string& path);
RawModel readWithAssimp(const std::string& path, const ImportOptions& options);
RawModel readWithOpen3D(const std::string& path, const ImportOptions& options);
RawModel readGazeboWorld(const std::string& path, const ImportOptions& options);
/// Loads one mesh file (COLLADA, ...) through assimp into `out` as one element per node, each
/// vertex mapped by the 4x4 row-major `pose` after the y-up -> z-up turn.
void appendAssimpMesh(const std::string& path, const std::array<double, 16>& pose, Role role,
                      const std::string& name, RawModel& out);

/// Builds the scene (levels, rasters, doors, exits, spaces, obstacles, stairs).
Scene buildScene(RawModel&& model, const ImportOptions& options, ImportStats& stats);

// Bullet collision world of the static geometry (CollisionWorld.cpp).
class CollisionWorld {
  public:
    explicit CollisionWorld(const std::vector<const ModelElement*>& elements);
    ~CollisionWorld();
    CollisionWorld(const CollisionWorld&) = delete;
    CollisionWorld& operator=(const CollisionWorld&) = delete;
    /// Height of the first surface below (x, y, z_from) within `depth` m, or NaN.
    double floorBelow(double x, double y, double z_from, double depth) const;
    bool empty() const;

  private:
    struct Impl;
    Impl* impl_;
};

}  // namespace safetwin::import

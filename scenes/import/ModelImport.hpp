// Import of building and plant models into the scene model: IFC 2x3, glTF/GLB, OBJ, FBX and
// COLLADA through assimp; PLY/STL meshes and PLY/PCD point clouds through Open3D; Gazebo
// world/SDF files that place COLLADA models. Heavy third-party headers stay in the .cpp files
// of this folder: nothing that includes this header sees assimp, Open3D or Bullet.
//
// What comes back is an ordinary resolved Scene: one Level per storey with a LevelRaster (what
// stands at body height, where the floor is), doors placed where the model has them, exits
// found where a door leads out of the building envelope, spaces with their outlines,
// furniture and equipment as obstacles, straight stair flights as stairs, and the model's
// triangles kept in Scene::model.
#pragma once

#include <string>
#include <vector>

#include "scenes/Scene.hpp"

namespace safetwin {

struct ImportOptions {
    double cell = 0.1;         // raster cell [Limit: [0.05, 0.5]] [Units: m] [Default: 0.1]
    double body_low = 0.3;     // lower end of the body-height band above the floor [Units: m]
    double body_high = 1.8;    // upper end of the band [Units: m]
    double unit = 0.0;         // metres per file unit; 0 = from the file (1 where it has none)
    enum class Up { Auto, Y, Z };
    Up up = Up::Auto;          // Auto: assimp's output is y-up; point clouds, PLY, STL are z-up
    bool exits_auto = true;    // find exits where doors lead outside
    /// Walkable ground around a plant or site model that has no ground plane of its own
    /// (Gazebo models leave it to the world): Auto gives one to non-IFC meshes without a
    /// ground element whose floors cover under half of their plan; On always, Off never.
    enum class Ground { Auto, On, Off };
    Ground ground = Ground::Auto;
};

/// Figures and messages of one import, for `inspect` and `bench import`.
struct ImportStats {
    double read_s = 0.0;       // reading the file(s) [Units: s]
    double build_s = 0.0;      // levels, rasters, doors, exits, spaces [Units: s]
    size_t triangles = 0;
    size_t points = 0;         // point clouds
    std::string format;        // "IFC2X3", "glTF", "COLLADA", "PCD", ...
    std::vector<std::string> warnings;
    double total_s() const { return read_s + build_s; }
};

/// True if `path` has an extension this importer reads (.ifc, .glb, .gltf, .obj, .fbx, .dae,
/// .ply, .stl, .pcd, .world, .sdf).
bool isModelFile(const std::string& path);

/// Imports and resolves a model. Throws InputError naming the file and what was expected for
/// a missing file, an unsupported or unreadable format, an empty or truncated file, an IFC4
/// file, or a model with no floor.
Scene importModel(const std::string& path, const ImportOptions& options = {},
                  ImportStats* stats = nullptr);

/// Peak resident memory of this process so far [Units: KiB] (Linux VmHWM; 0 if unknown).
size_t peakMemoryKiB();

}  // namespace safetwin

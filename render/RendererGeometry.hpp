// Internal to the renderer: triangle soup built on the CPU (no OpenGL here, so it can be
// tested headless): the static scene, the per-frame doors, exits and markers, and the gas
// threshold surface. Every vertex carries its scene level (for hiding and pulling levels
// apart in the shader) and a kind (1 = wall-like: cut down or made see-through).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "render/Frame.hpp"
#include "scenes/Scene.hpp"

namespace safetwin::render {

using Rgba = std::array<uint8_t, 4>;

struct MeshVertex {
    float p[3];
    float n[3];
    uint8_t c[4];
    float level;     // scene level index
    float kind;      // 0 plain, 1 wall-like (cut away / see-through)
};
static_assert(sizeof(MeshVertex) == 36, "vertex layout is uploaded as is");

struct P3 {
    double x, y, z;
};

/// Non-indexed triangles with flat normals.
struct MeshBuilder {
    std::vector<MeshVertex> v;
    std::vector<uint8_t> detailed;   // per triangle: 1 from an imported model (may be simplified)
    int level = 0;
    float kind = 0;
    bool detail = false;             // what tri() records in `detailed`

    void tri(P3 a, P3 b, P3 c, Rgba col);
    void quad(P3 a, P3 b, P3 c, P3 d, Rgba col) { tri(a, b, c, col); tri(a, c, d, col); }
    /// Box around segment p-q in plan (width across it), from z0 to z1; `bottom` adds the base.
    void segmentBox(Vec2 p, Vec2 q, double width, double z0, double z1, Rgba col, bool bottom = false);
    /// Vertical prism over a plan polygon (any orientation, simple), from z0 to z1.
    void prism(const Polygon& poly, double z0, double z1, Rgba col);
    /// Horizontal polygon at height z, facing up.
    void flat(const Polygon& poly, double z, Rgba col);
    /// Octahedron of half-size r centred at c.
    void diamond(P3 c, double r, Rgba col);
    size_t triangles() const { return v.size() / 3; }
};

/// Ear clipping of a simple polygon: triangles as vertex index triples, counter-clockwise.
std::vector<int> triangulate(const Polygon& poly);

struct SceneGeometry {
    MeshBuilder opaque;       // floors, stairs, obstacles, opaque model parts
    MeshBuilder upperFloors;  // floor slabs of levels above the lowest (optionally see-through)
    MeshBuilder walls;        // walls and wall-like model parts (kind 1)
    MeshBuilder glass;        // windows (always blended)
    MeshBuilder roofs;        // roofs and ceilings of an imported model (only with solid walls)
    // Closed solids wound counter-clockwise seen from outside (boxes, prisms, imported
    // elements whose mesh is closed, turned outward): opaque, they can be drawn with back
    // faces culled, about half their triangles.
    MeshBuilder closedOpaque; // like opaque
    MeshBuilder closedWalls;  // like walls (kind 1)
};

/// Whether an imported element's mesh is closed (vertices welded at 0.1 mm, every edge shared
/// by two triangles in opposite directions), and if so whether it is wound inward (`inward`).
bool closedMesh(const ModelElement& e, bool& inward);

/// A static batch cut into chunks (per level, in plan squares), each drawn in full or, far
/// from the eye, simplified: vertices snapped to a grid of a LOD cell and the triangles that
/// collapse or repeat dropped (vertex clustering). Under a software rasteriser each triangle
/// costs whatever its size, and a detailed model seen whole is mostly sub-pixel triangles.
struct ChunkedMesh {
    static constexpr int kMaxLods = 3;
    struct Chunk {
        int level = 0;
        float lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};   // bounds of both versions [Units: m]
        int first[kMaxLods] = {}, count[kMaxLods] = {};  // vertex ranges in v: full, then each simplified version
    };
    std::vector<MeshVertex> v;
    std::vector<Chunk> chunks;   // levels from the highest down (seen from above, front first)
    size_t triangles(int lod) const;
};

/// Chunks of `chunk_size` in plan [Units: m] [Limit: > 0]; one simplified version per cell of
/// `lod_cells` (increasing, at most kMaxLods - 1) [Units: m] [Limit: > 0]. The triangles' vertex
/// attributes are kept; normals are recomputed.
/// Only the triangles marked `detailed` are simplified: our own geometry is coarse already,
/// and snapping it would merge layers a few centimetres apart (floor and room fills).
/// `closed`: the soup is of closed solids drawn with back faces culled, so the simplified
/// version keeps a collapsed plate's two faces (one would be culled from either side).
ChunkedMesh chunkMesh(const MeshBuilder& soup, double chunk_size, const std::vector<double>& lod_cells, bool closed = false);

/// The level each imported model element belongs to (its own, or by its lowest point).
int modelElementLevel(const Scene& scene, const ModelElement& e);

SceneGeometry buildSceneGeometry(const Scene& scene, bool withModel);

/// Door leaves (closed: a solid leaf in the opening; open: a green threshold), exits (a band
/// on the floor, green when usable, red when its door is closed).
/// `closed` is Frame::door_closed (empty: the scene's initial states).
void addDoorsAndExits(MeshBuilder& out, const Scene& scene, const std::vector<std::vector<uint8_t>>& closed);

/// Sensors (pole and head coloured by alarm and quality: unknown, stale or bad data is never
/// green) and hazard markers (diamonds: major red, overdue purple, others orange).
void addMarkers(MeshBuilder& out, const Scene& scene, const Frame& frame);

/// Alarm/quality colour of a sensor (RGB 0..1).
std::array<float, 3> sensorColour(const SensorSample& s);

/// Threshold surface of the gas volume at `threshold` ppm by marching tetrahedra (each cube
/// cut into six tetrahedra around its main diagonal, so neighbouring cubes share faces and the
/// surface is closed and has no ambiguous cases). Normals follow the concentration gradient.
void gasSurface(const GasVolume& vol, double threshold, const Scene& scene, MeshBuilder& out);

/// Level index of elevation z (highest level with elevation <= z + 0.5 m; 0 without levels).
int levelOfElevation(const Scene& scene, double z);

}  // namespace safetwin::render

// Draws one moment of a run: the scene (floors, walls with their door openings, doors open or
// closed, stairs, exits, obstacles, the imported model's own triangles in its own colours),
// the people (instanced bodies near the eye, point impostors far away or beyond a budget),
// coloured by state, speed or dose, and the maps: crowd density by Fruin level of service,
// gas concentration at breathing height and the 3D threshold surface, detectors, live sensors
// and hazard markers. Into whatever framebuffer is bound (a window, or an OffscreenTarget).
// Needs a current OpenGL 3.3 core context for its whole life. No OpenGL types here (pimpl).
#pragma once

#include <array>
#include <memory>
#include <string>

#include "render/Camera.hpp"
#include "render/Frame.hpp"

namespace safetwin {
struct Scene;
}

namespace safetwin::render {

enum class ColourBy { State, Speed, Dose };
enum class WallMode { Solid, CutAway, SeeThrough };
enum class LevelMode { All, One, Exploded };

struct DrawOptions {
    ColourBy colour_by = ColourBy::State;
    WallMode walls = WallMode::CutAway;
    double cut_height = 1.2;           // walls end this high above their floor (CutAway) [Units: m]
    double wall_alpha = 0.3;           // opacity of walls (SeeThrough) [Limit: [0, 1]]
    LevelMode levels = LevelMode::All;
    int level = 0;                     // the level shown (One) [Limit: scene level index]
    double explode_gap = 8.0;          // extra height between levels (Exploded) [Units: m]
    bool upper_floors_see_through = true;  // floors above the lowest shown level at 50 % opacity
    bool show_agents = true, show_model = true, show_density = false;
    bool show_gas = true, show_gas_surface = true, show_markers = true;
    double speed_max = 1.6;            // top of the speed colour scale [Units: m/s]
    double dose_max = 1.0;             // top of the dose colour scale (FED or toxic load)
    double body_height = 1.7;          // [Units: m]
    /// Agents whose body radius is below this on screen are drawn as point impostors (a
    /// shaded disc: at this size a body's shape does not show). [Units: px]
    double impostor_pixels = 6.0;
    /// Bodies whose radius on screen is below this use a low-poly mesh. [Units: px]
    double lowpoly_pixels = 12.0;
    /// Impostors that would hide each other on screen (centres closer than their disc radius
    /// / sqrt 2, in one screen cell) are drawn once: the most critical state, then the nearest.
    bool merge_impostors = true;
    /// At most this many agents are drawn as bodies (nearest first); the rest as impostors.
    int body_budget = 2000;
    double density_cell = 0.5;         // density raster [Units: m]
    double density_radius = 1.0;       // density counts people within this radius [Units: m]
    std::array<float, 3> background{0.13f, 0.15f, 0.18f};
    bool clear = true;                 // clear colour and depth first
};

/// Colours used for legends (RGB 0..1).
std::array<float, 3> stateColour(AgentVisual v);
const char* stateName(AgentVisual v);
/// Ramp for speed and dose: t in [0, 1].
std::array<float, 3> rampColour(double t);
/// Fruin level of service colours, A..F.
std::array<float, 3> fruinColour(int level);
/// Gas colour for `ppm` against the threshold (transparent below 1 %).
std::array<float, 4> gasColour(double ppm, double threshold);

/// Counters of the last draw (for the benchmark and the tests).
struct DrawStats {
    int bodies = 0, impostors = 0;     // agents drawn each way
    int low_poly_bodies = 0;           // of the bodies, drawn with the low-poly mesh
    int impostors_merged = 0;          // of the impostors, hidden under another in the same screen cell
    int scene_triangles = 0;           // static geometry
    int scene_triangles_drawn = 0;     // of it drawn (in view, far parts simplified)
    int surface_triangles = 0;         // gas threshold surface
};

class Renderer {
public:
    /// Builds the static geometry of `scene` (kept by reference: it must outlive the renderer).
    explicit Renderer(const Scene& scene);
    ~Renderer();
    Renderer(const Renderer&) = delete;
    Renderer& operator=(const Renderer&) = delete;

    /// Draws `frame` seen by `camera` into the bound framebuffer's (0, 0, width, height).
    void draw(const Frame& frame, const Camera& camera, const DrawOptions& options, int width, int height);

    const DrawStats& stats() const { return stats_; }
    const Scene& scene() const;
    /// Height added to level l's geometry by the options (Exploded), for project(). [Units: m]
    double levelOffset(int level, const DrawOptions& options) const;
    /// The scene level an elevation belongs to (the highest level at or below z + 0.5 m).
    int levelOfZ(double z) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    DrawStats stats_;
};

}  // namespace safetwin::render

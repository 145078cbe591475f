// The viewer's and the renderer's camera: an orbit camera (target, distance, yaw, pitch) with
// pan and zoom, perspective or orthographic, its view and projection matrices, and
// project(world point) -> pixel, which the tests use to find agents in an image. Named
// bookmarks: "overview", "top", one top view per level ("level:<id>"), computed from a scene.
// Units: metres and radians; z is up; pixels from the top-left corner.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace safetwin {
struct Scene;
struct Scenario;
struct CameraSpec;
}

namespace safetwin::render {

/// 4x4 matrix, column-major (OpenGL's layout): m[col * 4 + row].
struct Mat4 {
    std::array<float, 16> m{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    Mat4 operator*(const Mat4& o) const;
    /// (x, y, z, 1) transformed: clip coordinates.
    std::array<double, 4> apply(double x, double y, double z) const;
};

struct Camera {
    enum class Projection { Perspective, Orthographic };
    double tx = 0, ty = 0, tz = 0;   // orbit target [Units: m]
    double distance = 30;            // eye to target [Limit: > 0] [Units: m]
    double yaw = -1.0;               // azimuth of the eye around the target, from +x [Units: rad]
    double pitch = 0.7;              // eye elevation above the target's horizon [Limit: [-1.55, pi/2]] [Units: rad]
    double fov_y = 0.785398;         // vertical field of view (perspective) [Units: rad]
    Projection projection = Projection::Perspective;
    double ortho_height = 30;        // visible height (orthographic) [Units: m]
    double ortho_min_width = 0;      // the visible width is at least this (orthographic) [Units: m]
    double near_plane = 0;           // 0: chosen from the distance [Units: m]
    double far_plane = 0;            // 0: chosen from the distance [Units: m]

    /// Eye position.
    std::array<double, 3> eye() const;
    /// Rotate around the target. [Units: rad]
    void orbit(double dyaw, double dpitch);
    /// Move target and eye in the view plane, by metres to the right and up on screen.
    void pan(double right, double up);
    /// Pan as a mouse drag of (dx, dy) pixels (right, down) in an image `heightPx` tall: what
    /// was under the cursor at the target's depth stays under it.
    void panPixels(double dx, double dy, int heightPx);
    /// Multiply the distance (perspective) or the visible height (ortho) by `factor`.
    void zoom(double factor);
    /// Eye at `eye` looking along (dx, dy, dz) (first person); the target is 1 m ahead.
    static Camera lookFrom(double ex, double ey, double ez, double dx, double dy, double dz);

    Mat4 view() const;
    Mat4 projectionMatrix(double aspect) const;
    /// Projection x view for a width x height image.
    Mat4 viewProjection(int width, int height) const;
    /// Pixel of world point (x, y, z) in a width x height image, from the top-left corner
    /// (x right, y down); nullopt behind the eye.
    std::optional<std::array<double, 2>> project(double x, double y, double z, int width, int height) const;
};

/// Named cameras computed from a scene: "overview" (perspective from the south-east over the
/// whole scene), "top" (orthographic plan of everything) and "level:<id>" (orthographic plan
/// of one level). In that order.
std::vector<std::pair<std::string, Camera>> sceneBookmarks(const Scene& scene);

/// The bookmark called `name`, or nullopt. Also accepts a level's index: "level:0".
std::optional<Camera> findBookmark(const Scene& scene, const std::string& name);

/// The camera a scenario's `cameras:` entry describes: the orbit target at `look_at`, the eye
/// at `eye` (exactly: eye() returns it), and its field of view or orthographic height.
Camera cameraFromSpec(const CameraSpec& spec);

/// A scenario's bookmarks: its own cameras in file order, then the computed ones of
/// sceneBookmarks() whose names they do not take (a scenario camera "overview" replaces the
/// computed overview).
std::vector<std::pair<std::string, Camera>> scenarioBookmarks(const Scenario& scenario);

/// As findBookmark(scene, name), the scenario's own cameras first.
std::optional<Camera> findBookmark(const Scenario& scenario, const std::string& name);

/// `camera` as a `cameras:` entry of a scenario (YAML flow map on one line), for a planner to
/// paste into the file: "{name: NAME, eye: [x, y, z], look_at: [x, y, z], fov: 45}".
std::string cameraYaml(const std::string& name, const Camera& camera);

/// "--camera 'name': no such camera; this scenario has overview, top, ..." for error messages.
std::string unknownCameraMessage(const Scenario& scenario, const std::string& name);

}  // namespace safetwin::render

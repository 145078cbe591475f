// Orbit camera and bookmarks (see Camera.hpp). The view matrix is the usual look-at built from
// the yaw and pitch directly (right = (-sin yaw, cos yaw, 0)), so a straight-down top view has
// a well-defined "up" on screen: north for yaw = -pi/2.
#include "render/Camera.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "scenes/Scene.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin::render {

namespace {
constexpr double kPi = 3.14159265358979323846;
using V3 = std::array<double, 3>;
V3 cross3(const V3& a, const V3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot3(const V3& a, const V3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/// Unit vectors of the camera frame: right, up, forward (eye to target).
void frame(const Camera& c, V3& right, V3& up, V3& forward) {
    const double cp = std::cos(c.pitch), sp = std::sin(c.pitch);
    const double cy = std::cos(c.yaw), sy = std::sin(c.yaw);
    forward = {-cp * cy, -cp * sy, -sp};
    right = {-sy, cy, 0.0};
    up = cross3(right, forward);
}
}  // namespace

Mat4 Mat4::operator*(const Mat4& o) const {
    Mat4 r;
    for (int c = 0; c < 4; ++c)
        for (int rr = 0; rr < 4; ++rr) {
            double s = 0;
            for (int k = 0; k < 4; ++k) s += double(m[size_t(k * 4 + rr)]) * double(o.m[size_t(c * 4 + k)]);
            r.m[size_t(c * 4 + rr)] = float(s);
        }
    return r;
}

std::array<double, 4> Mat4::apply(double x, double y, double z) const {
    std::array<double, 4> r{};
    for (int rr = 0; rr < 4; ++rr)
        r[size_t(rr)] = m[size_t(rr)] * x + m[size_t(4 + rr)] * y + m[size_t(8 + rr)] * z + m[size_t(12 + rr)];
    return r;
}

std::array<double, 3> Camera::eye() const {
    const double cp = std::cos(pitch), sp = std::sin(pitch);
    return {tx + distance * cp * std::cos(yaw), ty + distance * cp * std::sin(yaw), tz + distance * sp};
}

void Camera::orbit(double dyaw, double dpitch) {
    yaw = std::remainder(yaw + dyaw, 2 * kPi);
    pitch = std::clamp(pitch + dpitch, -1.55, kPi / 2);
}

void Camera::pan(double right, double up) {
    V3 r, u, f;
    frame(*this, r, u, f);
    tx += r[0] * right + u[0] * up;
    ty += r[1] * right + u[1] * up;
    tz += r[2] * right + u[2] * up;
}

void Camera::panPixels(double dx, double dy, int heightPx) {
    const double visible = projection == Projection::Orthographic ? ortho_height : 2.0 * distance * std::tan(fov_y / 2);
    const double metresPerPixel = visible / std::max(1, heightPx);
    pan(-dx * metresPerPixel, dy * metresPerPixel);
}

void Camera::zoom(double factor) {
    if (!(factor > 0)) return;
    if (projection == Projection::Orthographic) {
        ortho_height = std::max(0.1, ortho_height * factor);
        ortho_min_width *= factor;
    } else {
        distance = std::max(0.2, distance * factor);
    }
}

Camera Camera::lookFrom(double ex, double ey, double ez, double dx, double dy, double dz) {
    Camera c;
    const double n = std::sqrt(dx * dx + dy * dy + dz * dz);
    if (n > 0) { dx /= n; dy /= n; dz /= n; } else { dx = 1; dy = 0; dz = 0; }
    c.distance = 1.0;
    c.tx = ex + dx;
    c.ty = ey + dy;
    c.tz = ez + dz;
    // the eye sits at target - forward: its direction from the target is -d
    c.yaw = std::atan2(-dy, -dx);
    c.pitch = std::asin(std::clamp(-dz, -1.0, 1.0));
    c.near_plane = 0.05;
    c.far_plane = 2000;
    c.fov_y = 70.0 * kPi / 180.0;
    return c;
}

Mat4 Camera::view() const {
    V3 r, u, f;
    frame(*this, r, u, f);
    const V3 e = eye();
    Mat4 v;
    for (int i = 0; i < 3; ++i) {
        v.m[size_t(i * 4 + 0)] = float(r[size_t(i)]);
        v.m[size_t(i * 4 + 1)] = float(u[size_t(i)]);
        v.m[size_t(i * 4 + 2)] = float(-f[size_t(i)]);
        v.m[size_t(i * 4 + 3)] = 0.0f;
    }
    v.m[12] = float(-dot3(r, e));
    v.m[13] = float(-dot3(u, e));
    v.m[14] = float(dot3(f, e));
    v.m[15] = 1.0f;
    return v;
}

Mat4 Camera::projectionMatrix(double aspect) const {
    const double n = near_plane > 0 ? near_plane : std::clamp(distance * 0.01, 0.05, 5.0);
    const double fa = far_plane > 0 ? far_plane : distance * 4.0 + 500.0;
    Mat4 p;
    p.m.fill(0.0f);
    if (projection == Projection::Perspective) {
        const double t = 1.0 / std::tan(fov_y / 2);
        p.m[0] = float(t / aspect);
        p.m[5] = float(t);
        p.m[10] = float((fa + n) / (n - fa));
        p.m[11] = -1.0f;
        p.m[14] = float(2 * fa * n / (n - fa));
    } else {
        const double h = std::max(ortho_height, ortho_min_width / aspect);
        const double w = h * aspect;
        p.m[0] = float(2.0 / w);
        p.m[5] = float(2.0 / h);
        p.m[10] = float(-2.0 / (fa - n));
        p.m[14] = float(-(fa + n) / (fa - n));
        p.m[15] = 1.0f;
    }
    return p;
}

Mat4 Camera::viewProjection(int width, int height) const {
    return projectionMatrix(double(width) / double(std::max(1, height))) * view();
}

std::optional<std::array<double, 2>> Camera::project(double x, double y, double z, int width, int height) const {
    const auto c = viewProjection(width, height).apply(x, y, z);
    if (c[3] <= 1e-9) return std::nullopt;
    const double nx = c[0] / c[3], ny = c[1] / c[3];
    return std::array<double, 2>{(nx + 1) * 0.5 * width, (1 - ny) * 0.5 * height};
}

namespace {

Camera planOf(const Box2& b, double zTop, double zTarget) {
    Camera c;
    c.projection = Camera::Projection::Orthographic;
    c.tx = 0.5 * (b.min.x + b.max.x);
    c.ty = 0.5 * (b.min.y + b.max.y);
    c.tz = zTarget;
    c.yaw = -kPi / 2;
    c.pitch = kPi / 2;
    c.distance = std::max(10.0, zTop - zTarget + 10.0);
    c.ortho_height = (b.max.y - b.min.y) * 1.08 + 1.0;
    c.ortho_min_width = (b.max.x - b.min.x) * 1.08 + 1.0;
    c.near_plane = 0.1;
    c.far_plane = c.distance + 200.0;
    return c;
}

}  // namespace

std::vector<std::pair<std::string, Camera>> sceneBookmarks(const Scene& scene) {
    std::vector<std::pair<std::string, Camera>> out;
    Box2 b = scene.bounds();
    if (!b.valid()) b = {{-10, -10}, {10, 10}};
    double z0 = 0, z1 = 3;
    if (!scene.levels.empty()) {
        z0 = 1e300;
        z1 = -1e300;
        for (const Level& l : scene.levels) {
            z0 = std::min(z0, l.elevation);
            z1 = std::max(z1, l.elevation + l.height);
        }
    }
    // Overview: the bounding sphere fits the vertical field of view.
    Camera o;
    o.tx = 0.5 * (b.min.x + b.max.x);
    o.ty = 0.5 * (b.min.y + b.max.y);
    o.tz = 0.5 * (z0 + z1) - 0.25 * (z1 - z0);
    const double dx = b.max.x - b.min.x, dy = b.max.y - b.min.y, dz = z1 - z0;
    const double radius = 0.5 * std::sqrt(dx * dx + dy * dy + dz * dz);
    o.yaw = -kPi / 3;                   // from the south-south-east
    o.pitch = 50.0 * kPi / 180.0;
    o.distance = std::max(5.0, radius / std::sin(o.fov_y / 2) * 0.9);
    o.near_plane = std::max(0.1, o.distance - 2 * radius) * 0.5;
    o.far_plane = o.distance + 3 * radius + 10;
    out.emplace_back("overview", o);
    out.emplace_back("top", planOf(b, z1, z0));
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        const Level& L = scene.levels[l];
        Box2 lb = scene.levelBounds(int(l));
        if (!lb.valid()) lb = b;
        out.emplace_back("level:" + L.id, planOf(lb, L.elevation + L.height, L.elevation));
    }
    return out;
}

std::optional<Camera> findBookmark(const Scene& scene, const std::string& name) {
    for (auto& [n, c] : sceneBookmarks(scene))
        if (n == name) return c;
    if (name.rfind("level:", 0) == 0) {
        const std::string rest = name.substr(6);
        if (!rest.empty() && std::all_of(rest.begin(), rest.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
            const size_t k = std::stoul(rest);
            if (k < scene.levels.size()) return findBookmark(scene, "level:" + scene.levels[k].id);
        }
    }
    return std::nullopt;
}

Camera cameraFromSpec(const CameraSpec& spec) {
    Camera c;
    c.tx = spec.look_at[0];
    c.ty = spec.look_at[1];
    c.tz = spec.look_at[2];
    const double dx = spec.eye[0] - c.tx, dy = spec.eye[1] - c.ty, dz = spec.eye[2] - c.tz;
    const double horizontal = std::hypot(dx, dy);
    c.distance = std::max(1e-3, std::sqrt(horizontal * horizontal + dz * dz));
    c.pitch = std::atan2(dz, horizontal);
    // Straight down (or up) the yaw only turns the picture: keep north up, as the plan views do.
    c.yaw = horizontal > 1e-9 * c.distance ? std::atan2(dy, dx) : -kPi / 2;
    if (spec.orthographic) {
        c.projection = Camera::Projection::Orthographic;
        c.ortho_height = spec.height;
    } else {
        c.fov_y = spec.fov * kPi / 180.0;
    }
    return c;
}

std::vector<std::pair<std::string, Camera>> scenarioBookmarks(const Scenario& scenario) {
    std::vector<std::pair<std::string, Camera>> out;
    for (const CameraSpec& spec : scenario.cameras) out.emplace_back(spec.name, cameraFromSpec(spec));
    for (auto& [name, camera] : sceneBookmarks(scenario.scene)) {
        const bool taken = std::any_of(scenario.cameras.begin(), scenario.cameras.end(),
                                       [&](const CameraSpec& s) { return s.name == name; });
        if (!taken) out.emplace_back(std::move(name), camera);
    }
    return out;
}

std::optional<Camera> findBookmark(const Scenario& scenario, const std::string& name) {
    for (const CameraSpec& spec : scenario.cameras)
        if (spec.name == name) return cameraFromSpec(spec);
    return findBookmark(scenario.scene, name);
}

std::string cameraYaml(const std::string& name, const Camera& camera) {
    const auto e = camera.eye();
    char buf[400];
    if (camera.projection == Camera::Projection::Orthographic)
        std::snprintf(buf, sizeof buf, "{name: %s, eye: [%.2f, %.2f, %.2f], look_at: [%.2f, %.2f, %.2f], orthographic: true, height: %.2f}",
                      name.c_str(), e[0], e[1], e[2], camera.tx, camera.ty, camera.tz, camera.ortho_height);
    else
        std::snprintf(buf, sizeof buf, "{name: %s, eye: [%.2f, %.2f, %.2f], look_at: [%.2f, %.2f, %.2f], fov: %.1f}", name.c_str(),
                      e[0], e[1], e[2], camera.tx, camera.ty, camera.tz, camera.fov_y * 180.0 / kPi);
    return buf;
}

std::string unknownCameraMessage(const Scenario& scenario, const std::string& name) {
    std::string names;
    for (const auto& [n, c] : scenarioBookmarks(scenario)) names += (names.empty() ? "" : ", ") + n;
    return "--camera '" + name + "': no such camera; this scenario has " + names +
           " (add your own under 'cameras:' in the scenario, docs/FORMAT.md)";
}

}  // namespace safetwin::render

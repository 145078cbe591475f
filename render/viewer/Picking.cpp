#include "render/viewer/Picking.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace safetwin::viewer {

namespace {

/// Inverse of a 4x4 column-major matrix (Gauss-Jordan with partial pivoting).
std::optional<std::array<double, 16>> invert(const render::Mat4& M) {
    double a[4][8];
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) {
            a[r][c] = M.m[size_t(c * 4 + r)];
            a[r][c + 4] = r == c ? 1.0 : 0.0;
        }
    for (int c = 0; c < 4; ++c) {
        int p = c;
        for (int r = c + 1; r < 4; ++r)
            if (std::abs(a[r][c]) > std::abs(a[p][c])) p = r;
        if (std::abs(a[p][c]) < 1e-14) return std::nullopt;
        for (int k = 0; k < 8; ++k) std::swap(a[c][k], a[p][k]);
        const double d = a[c][c];
        for (int k = 0; k < 8; ++k) a[c][k] /= d;
        for (int r = 0; r < 4; ++r)
            if (r != c) {
                const double f = a[r][c];
                for (int k = 0; k < 8; ++k) a[r][k] -= f * a[c][k];
            }
    }
    std::array<double, 16> inv{};
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) inv[size_t(c * 4 + r)] = a[r][c + 4];
    return inv;
}

}  // namespace

/// The point on the horizontal plane z = planeZ under pixel (px, py), or nullopt.
std::optional<std::array<double, 3>> pickPlane(const render::Camera& cam, double px, double py, int w, int h, double planeZ) {
    const auto inv = invert(cam.viewProjection(w, h));
    if (!inv) return std::nullopt;
    const double nx = 2.0 * px / w - 1.0, ny = 1.0 - 2.0 * py / h;
    auto unproject = [&](double nz) {
        std::array<double, 4> v{};
        const double in[4] = {nx, ny, nz, 1.0};
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) v[size_t(r)] += (*inv)[size_t(c * 4 + r)] * in[c];
        return std::array<double, 3>{v[0] / v[3], v[1] / v[3], v[2] / v[3]};
    };
    const auto a = unproject(-1.0), b = unproject(1.0);
    const double dz = b[2] - a[2];
    if (std::abs(dz) < 1e-12) return std::nullopt;
    const double s = (planeZ - a[2]) / dz;
    if (s < 0.0) return std::nullopt;
    return std::array<double, 3>{a[0] + s * (b[0] - a[0]), a[1] + s * (b[1] - a[1]), planeZ};
}

int pickAgent(const render::Camera& cam, const std::vector<render::AgentSample>& agents, double px, double py, int w, int h,
              double radiusPx, const std::function<double(const render::AgentSample&)>& lift) {
    constexpr double kBodyHeight = 1.7;  // feet to the top of the head [Units: m]
    const auto eye = cam.eye();
    int best = -1;
    double bestPixels = radiusPx, bestEye = 0.0;
    for (const render::AgentSample& a : agents) {
        if (a.visual == render::AgentVisual::Out) continue;
        const double z = a.z + (lift ? lift(a) : 0.0);
        const auto feet = cam.project(a.x, a.y, z, w, h);
        const auto head = cam.project(a.x, a.y, z + kBodyHeight, w, h);
        if (!feet || !head) continue;
        // distance from the pixel to the body's segment on screen
        const double sx = (*head)[0] - (*feet)[0], sy = (*head)[1] - (*feet)[1];
        const double len2 = sx * sx + sy * sy;
        const double t = len2 > 0 ? std::clamp(((px - (*feet)[0]) * sx + (py - (*feet)[1]) * sy) / len2, 0.0, 1.0) : 0.0;
        const double pixels = std::hypot(px - (*feet)[0] - t * sx, py - (*feet)[1] - t * sy);
        const double toEye = std::hypot(a.x - eye[0], a.y - eye[1], z + 0.5 * kBodyHeight - eye[2]);
        if (pixels > radiusPx) continue;
        // Equally near on screen (within a pixel): the nearer body is the one drawn in front.
        if (best < 0 || pixels < bestPixels - 1.0 || (pixels <= bestPixels + 1.0 && toEye < bestEye)) {
            best = int(a.id);
            bestPixels = pixels;
            bestEye = toEye;
        }
    }
    return best;
}

}  // namespace safetwin::viewer

// Plan geometry: 2D vectors, segments and polygons in metres (z is up, plans are x-y).
#pragma once

#include <cmath>
#include <vector>

namespace safetwin {

struct Vec2 {
    double x = 0.0;
    double y = 0.0;

    Vec2 operator+(Vec2 o) const { return {x + o.x, y + o.y}; }
    Vec2 operator-(Vec2 o) const { return {x - o.x, y - o.y}; }
    Vec2 operator*(double s) const { return {x * s, y * s}; }
    Vec2 operator/(double s) const { return {x / s, y / s}; }
    Vec2& operator+=(Vec2 o) { x += o.x; y += o.y; return *this; }
    Vec2& operator-=(Vec2 o) { x -= o.x; y -= o.y; return *this; }
    bool operator==(const Vec2&) const = default;
};

inline double dot(Vec2 a, Vec2 b) { return a.x * b.x + a.y * b.y; }
inline double cross(Vec2 a, Vec2 b) { return a.x * b.y - a.y * b.x; }
inline double norm(Vec2 a) { return std::sqrt(dot(a, a)); }
inline Vec2 perp(Vec2 a) { return {-a.y, a.x}; }
inline Vec2 normalized(Vec2 a) {
    const double n = norm(a);
    return n > 0.0 ? a / n : Vec2{};
}

using Polygon = std::vector<Vec2>;  // closed implicitly: last vertex joins the first

struct Box2 {
    Vec2 min{1e300, 1e300};
    Vec2 max{-1e300, -1e300};
    void expand(Vec2 p) {
        min = {std::fmin(min.x, p.x), std::fmin(min.y, p.y)};
        max = {std::fmax(max.x, p.x), std::fmax(max.y, p.y)};
    }
    void expand(const Box2& b) {
        if (b.valid()) { expand(b.min); expand(b.max); }
    }
    bool valid() const { return min.x <= max.x && min.y <= max.y; }
    bool contains(Vec2 p) const { return p.x >= min.x && p.x <= max.x && p.y >= min.y && p.y <= max.y; }
};

/// Distance from p to segment [a, b]; `t` receives the clamped parameter in [0, 1].
double distanceToSegment(Vec2 p, Vec2 a, Vec2 b, double* t = nullptr);
/// Even-odd rule; points on the boundary may fall either way.
bool pointInPolygon(Vec2 p, const Polygon& poly);
/// Signed area (positive for counter-clockwise vertices). [Units: m^2]
double signedArea(const Polygon& poly);
double distanceToPolygonBoundary(Vec2 p, const Polygon& poly);
Box2 bounds(const Polygon& poly);
Polygon rectangle(Vec2 min, Vec2 max);

}  // namespace safetwin

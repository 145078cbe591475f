#include "scenes/Geometry.hpp"

#include <algorithm>

namespace safetwin {

double distanceToSegment(Vec2 p, Vec2 a, Vec2 b, double* t) {
    const Vec2 ab = b - a;
    const double len2 = dot(ab, ab);
    double u = len2 > 0.0 ? dot(p - a, ab) / len2 : 0.0;
    u = std::clamp(u, 0.0, 1.0);
    if (t) *t = u;
    return norm(p - (a + ab * u));
}

bool pointInPolygon(Vec2 p, const Polygon& poly) {
    bool inside = false;
    const size_t n = poly.size();
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        const Vec2 a = poly[i], b = poly[j];
        if ((a.y > p.y) != (b.y > p.y)) {
            const double xCross = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if (p.x < xCross) inside = !inside;
        }
    }
    return inside;
}

double signedArea(const Polygon& poly) {
    double s = 0.0;
    const size_t n = poly.size();
    for (size_t i = 0, j = n - 1; i < n; j = i++) s += cross(poly[j], poly[i]);
    return 0.5 * s;
}

double distanceToPolygonBoundary(Vec2 p, const Polygon& poly) {
    double d = 1e300;
    const size_t n = poly.size();
    for (size_t i = 0, j = n - 1; i < n; j = i++) d = std::min(d, distanceToSegment(p, poly[j], poly[i]));
    return d;
}

Box2 bounds(const Polygon& poly) {
    Box2 b;
    for (Vec2 p : poly) b.expand(p);
    return b;
}

Polygon rectangle(Vec2 min, Vec2 max) {
    return {{min.x, min.y}, {max.x, min.y}, {max.x, max.y}, {min.x, max.y}};
}

}  // namespace safetwin

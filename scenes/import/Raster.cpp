#include "scenes/import/Raster.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace safetwin::import {

namespace {

void cellRange(const LevelRaster& R, double x0, double x1, double y0, double y1, int& ia, int& ib, int& ja, int& jb) {
    ia = std::max(0, int(std::floor((x0 - R.origin.x) / R.cell)));
    ib = std::min(R.nx - 1, int(std::floor((x1 - R.origin.x) / R.cell)));
    ja = std::max(0, int(std::floor((y0 - R.origin.y) / R.cell)));
    jb = std::min(R.ny - 1, int(std::floor((y1 - R.origin.y) / R.cell)));
}

/// Centres inside the convex plan polygon (either orientation).
void fillConvex(const LevelRaster& R, std::vector<uint8_t>& mask, const std::vector<Vec2>& poly) {
    if (poly.size() < 3) return;
    double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
    for (Vec2 p : poly) { x0 = std::min(x0, p.x); x1 = std::max(x1, p.x); y0 = std::min(y0, p.y); y1 = std::max(y1, p.y); }
    const double area = signedArea(poly);
    if (std::abs(area) < 1e-12) return;
    const double s = area > 0 ? 1.0 : -1.0;
    int ia, ib, ja, jb;
    cellRange(R, x0, x1, y0, y1, ia, ib, ja, jb);
    for (int j = ja; j <= jb; ++j)
        for (int i = ia; i <= ib; ++i) {
            const Vec2 c{R.origin.x + (i + 0.5) * R.cell, R.origin.y + (j + 0.5) * R.cell};
            bool in = true;
            for (size_t k = 0; k < poly.size() && in; ++k) {
                const Vec2 a = poly[k], b = poly[(k + 1) % poly.size()];
                in = s * cross(b - a, c - a) >= -1e-12;
            }
            if (in) mask[size_t(R.at(i, j))] = 1;
        }
}

void markSegment(const LevelRaster& R, std::vector<uint8_t>& mask, Vec2 a, Vec2 b) {
    const double len = norm(b - a);
    const int n = std::max(1, int(std::ceil(len / (0.25 * R.cell))));
    for (int k = 0; k <= n; ++k) {
        const Vec2 p = a + (b - a) * (double(k) / n);
        const int c = R.cellOf(p);
        if (c >= 0) mask[size_t(c)] = 1;
    }
}

}  // namespace

void fillTriangle(LevelRaster& R, std::vector<uint8_t>& mask, P3 a, P3 b, P3 c) {
    fillConvex(R, mask, {{a.x, a.y}, {b.x, b.y}, {c.x, c.y}});
}

void fillTriangleBand(LevelRaster& R, std::vector<uint8_t>& mask, P3 a, P3 b, P3 c, double lo, double hi) {
    std::vector<P3> poly{a, b, c};
    auto clip = [&](double h, bool keepAbove) {
        std::vector<P3> out;
        for (size_t k = 0; k < poly.size(); ++k) {
            const P3 p = poly[k], q = poly[(k + 1) % poly.size()];
            const bool pin = keepAbove ? p.z >= h : p.z <= h, qin = keepAbove ? q.z >= h : q.z <= h;
            if (pin) out.push_back(p);
            if (pin != qin) {
                const double t = (h - p.z) / (q.z - p.z);
                out.push_back({p.x + t * (q.x - p.x), p.y + t * (q.y - p.y), h});
            }
        }
        poly.swap(out);
    };
    clip(lo, true);
    if (poly.empty()) return;
    clip(hi, false);
    if (poly.empty()) return;
    std::vector<Vec2> plan;
    for (const P3& p : poly) plan.push_back({p.x, p.y});
    for (size_t k = 0; k < plan.size(); ++k) markSegment(R, mask, plan[k], plan[(k + 1) % plan.size()]);
    fillConvex(R, mask, plan);
}

int components(const std::vector<uint8_t>& mask, int nx, int ny, std::vector<int>& label, std::vector<int>& size) {
    label.assign(mask.size(), -1);
    size.clear();
    std::vector<int> stack;
    for (int c0 = 0; c0 < nx * ny; ++c0) {
        if (!mask[size_t(c0)] || label[size_t(c0)] >= 0) continue;
        const int id = int(size.size());
        size.push_back(0);
        stack.push_back(c0);
        label[size_t(c0)] = id;
        while (!stack.empty()) {
            const int c = stack.back();
            stack.pop_back();
            ++size.back();
            const int i = c % nx, j = c / nx;
            const int nb[4][2] = {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}};
            for (const auto& q : nb) {
                if (q[0] < 0 || q[1] < 0 || q[0] >= nx || q[1] >= ny) continue;
                const int d = q[1] * nx + q[0];
                if (mask[size_t(d)] && label[size_t(d)] < 0) {
                    label[size_t(d)] = id;
                    stack.push_back(d);
                }
            }
        }
    }
    return int(size.size());
}

Polygon outline(const LevelRaster& R, const std::vector<int>& label, int which) {
    // Directed boundary edges between corner points (inside on the left), linked into loops.
    auto in = [&](int i, int j) { return i >= 0 && j >= 0 && i < R.nx && j < R.ny && label[size_t(R.at(i, j))] == which; };
    const int W = R.nx + 1;
    std::multimap<int, int> next;  // corner -> corner
    for (int j = 0; j < R.ny; ++j)
        for (int i = 0; i < R.nx; ++i) {
            if (!in(i, j)) continue;
            const int c00 = j * W + i, c10 = j * W + i + 1, c01 = (j + 1) * W + i, c11 = (j + 1) * W + i + 1;
            if (!in(i, j - 1)) next.insert({c00, c10});
            if (!in(i + 1, j)) next.insert({c10, c11});
            if (!in(i, j + 1)) next.insert({c11, c01});
            if (!in(i - 1, j)) next.insert({c01, c00});
        }
    std::vector<int> best;
    while (!next.empty()) {
        std::vector<int> loop;
        auto it = next.begin();
        const int start = it->first;
        int cur = start;
        while (true) {
            auto e = next.find(cur);
            if (e == next.end()) break;
            loop.push_back(cur);
            cur = e->second;
            next.erase(e);
            if (cur == start) break;
        }
        if (loop.size() > best.size()) best = loop;
    }
    Polygon poly;
    for (size_t k = 0; k < best.size(); ++k) {
        const int p = best[(k + best.size() - 1) % best.size()], c = best[k], n = best[(k + 1) % best.size()];
        const int dx1 = c % W - p % W, dy1 = c / W - p / W, dx2 = n % W - c % W, dy2 = n / W - c / W;
        if (dx1 == dx2 && dy1 == dy2) continue;  // collinear
        poly.push_back({R.origin.x + (c % W) * R.cell, R.origin.y + (c / W) * R.cell});
    }
    return poly;
}

Polygon convexHull(std::vector<Vec2> pts) {
    std::sort(pts.begin(), pts.end(), [](Vec2 a, Vec2 b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
    pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
    if (pts.size() < 3) return pts;
    Polygon h(2 * pts.size());
    size_t k = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
        while (k >= 2 && cross(h[k - 1] - h[k - 2], pts[i] - h[k - 2]) <= 0) --k;
        h[k++] = pts[i];
    }
    for (size_t i = pts.size() - 1, t = k + 1; i-- > 0;) {
        while (k >= t && cross(h[k - 1] - h[k - 2], pts[i] - h[k - 2]) <= 0) --k;
        h[k++] = pts[i];
    }
    h.resize(k - 1);
    return h;
}

Rect2 minAreaRect(const Polygon& hull) {
    Rect2 best;
    double bestArea = 1e300;
    if (hull.empty()) return best;
    for (size_t k = 0; k < hull.size(); ++k) {
        Vec2 u = normalized(hull[(k + 1) % hull.size()] - hull[k]);
        if (norm(u) == 0.0) u = {1, 0};
        const Vec2 v = perp(u);
        double a0 = 1e300, a1 = -1e300, b0 = 1e300, b1 = -1e300;
        for (Vec2 p : hull) {
            a0 = std::min(a0, dot(p, u)); a1 = std::max(a1, dot(p, u));
            b0 = std::min(b0, dot(p, v)); b1 = std::max(b1, dot(p, v));
        }
        const double area = (a1 - a0) * (b1 - b0);
        if (area < bestArea) {
            bestArea = area;
            best.u = u;
            best.hu = 0.5 * (a1 - a0);
            best.hv = 0.5 * (b1 - b0);
            best.centre = u * (0.5 * (a0 + a1)) + v * (0.5 * (b0 + b1));
        }
    }
    return best;
}

}  // namespace safetwin::import

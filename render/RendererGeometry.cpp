// CPU geometry for the renderer (see RendererGeometry.hpp).
#include "render/RendererGeometry.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace safetwin::render {

namespace {

constexpr double kDoorHeight = 2.1;   // drawn height of door openings and leaves [m]

Rgba rgb(int r, int g, int b, int a = 255) { return {uint8_t(r), uint8_t(g), uint8_t(b), uint8_t(a)}; }

P3 sub(P3 a, P3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
P3 crossP(P3 a, P3 b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }

}  // namespace

void MeshBuilder::tri(P3 a, P3 b, P3 c, Rgba col) {
    P3 n = crossP(sub(b, a), sub(c, a));
    const double len = std::sqrt(n.x * n.x + n.y * n.y + n.z * n.z);
    if (!(len > 1e-12)) return;   // degenerate
    n = {n.x / len, n.y / len, n.z / len};
    detailed.push_back(detail ? 1 : 0);
    for (const P3& p : {a, b, c}) {
        MeshVertex m;
        m.p[0] = float(p.x);
        m.p[1] = float(p.y);
        m.p[2] = float(p.z);
        m.n[0] = float(n.x);
        m.n[1] = float(n.y);
        m.n[2] = float(n.z);
        for (int k = 0; k < 4; ++k) m.c[k] = col[size_t(k)];
        m.level = float(level);
        m.kind = kind;
        v.push_back(m);
    }
}

void MeshBuilder::segmentBox(Vec2 p, Vec2 q, double width, double z0, double z1, Rgba col, bool bottom) {
    const Vec2 d = normalized(q - p);
    if (norm(q - p) < 1e-6 || z1 <= z0) return;
    const Vec2 n = perp(d) * (0.5 * width);
    const Vec2 c[4] = {p - n, q - n, q + n, p + n};   // counter-clockwise in plan
    for (int k = 0; k < 4; ++k) {
        const Vec2 a = c[k], b = c[(k + 1) % 4];
        quad({a.x, a.y, z0}, {b.x, b.y, z0}, {b.x, b.y, z1}, {a.x, a.y, z1}, col);
    }
    quad({c[0].x, c[0].y, z1}, {c[1].x, c[1].y, z1}, {c[2].x, c[2].y, z1}, {c[3].x, c[3].y, z1}, col);
    if (bottom) quad({c[0].x, c[0].y, z0}, {c[3].x, c[3].y, z0}, {c[2].x, c[2].y, z0}, {c[1].x, c[1].y, z0}, col);
}

std::vector<int> triangulate(const Polygon& poly) {
    std::vector<int> out;
    const int n = int(poly.size());
    if (n < 3) return out;
    std::vector<int> idx(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) idx[size_t(i)] = i;
    if (signedArea(poly) < 0) std::reverse(idx.begin(), idx.end());
    auto convex = [&](Vec2 a, Vec2 b, Vec2 c) { return cross(b - a, c - b) > 1e-12; };
    auto inside = [&](Vec2 p, Vec2 a, Vec2 b, Vec2 c) {
        return cross(b - a, p - a) >= 0 && cross(c - b, p - b) >= 0 && cross(a - c, p - c) >= 0;
    };
    int guard = 0;
    while (idx.size() > 3 && guard < 4 * n * n) {
        ++guard;
        bool clipped = false;
        const int m = int(idx.size());
        for (int i = 0; i < m; ++i) {
            const int ia = idx[size_t((i + m - 1) % m)], ib = idx[size_t(i)], ic = idx[size_t((i + 1) % m)];
            const Vec2 a = poly[size_t(ia)], b = poly[size_t(ib)], c = poly[size_t(ic)];
            if (!convex(a, b, c)) continue;
            bool empty = true;
            for (int k = 0; k < m && empty; ++k) {
                const int ik = idx[size_t(k)];
                if (ik == ia || ik == ib || ik == ic) continue;
                if (inside(poly[size_t(ik)], a, b, c)) empty = false;
            }
            if (!empty) continue;
            out.insert(out.end(), {ia, ib, ic});
            idx.erase(idx.begin() + i);
            clipped = true;
            break;
        }
        if (!clipped) break;   // not simple: fall back to a fan of what is left
    }
    for (size_t k = 1; k + 1 < idx.size(); ++k) out.insert(out.end(), {idx[0], idx[k], idx[k + 1]});
    return out;
}

void MeshBuilder::flat(const Polygon& poly, double z, Rgba col) {
    const auto t = triangulate(poly);
    for (size_t k = 0; k + 2 < t.size(); k += 3) {
        const Vec2 a = poly[size_t(t[k])], b = poly[size_t(t[k + 1])], c = poly[size_t(t[k + 2])];
        tri({a.x, a.y, z}, {b.x, b.y, z}, {c.x, c.y, z}, col);
    }
}

void MeshBuilder::prism(const Polygon& poly, double z0, double z1, Rgba col) {
    if (poly.size() < 3) return;
    Polygon p = poly;
    if (signedArea(p) < 0) std::reverse(p.begin(), p.end());
    for (size_t k = 0; k < p.size(); ++k) {
        const Vec2 a = p[k], b = p[(k + 1) % p.size()];
        quad({a.x, a.y, z0}, {b.x, b.y, z0}, {b.x, b.y, z1}, {a.x, a.y, z1}, col);
    }
    flat(p, z1, col);
}

void MeshBuilder::diamond(P3 c, double r, Rgba col) {
    const P3 top{c.x, c.y, c.z + r}, bot{c.x, c.y, c.z - r};
    const P3 ring[4] = {{c.x + r, c.y, c.z}, {c.x, c.y + r, c.z}, {c.x - r, c.y, c.z}, {c.x, c.y - r, c.z}};
    for (int k = 0; k < 4; ++k) {
        tri(ring[k], ring[(k + 1) % 4], top, col);
        tri(ring[(k + 1) % 4], ring[k], bot, col);
    }
}

int levelOfElevation(const Scene& scene, double z) {
    int best = 0;
    double bestElev = -1e300;
    bool found = false;
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        const double e = scene.levels[l].elevation;
        if (e <= z + 0.5 && e > bestElev) {
            best = int(l);
            bestElev = e;
            found = true;
        }
    }
    if (!found) {   // below every level: the lowest
        double lowest = 1e300;
        for (size_t l = 0; l < scene.levels.size(); ++l)
            if (scene.levels[l].elevation < lowest) { lowest = scene.levels[l].elevation; best = int(l); }
    }
    return best;
}

bool closedMesh(const ModelElement& e, bool& inward) {
    inward = false;
    const size_t nv = e.xyz.size() / 3, nt = e.triangles.size() / 3;
    if (nt < 4) return false;
    std::map<std::array<int64_t, 3>, uint32_t> weld;
    std::vector<uint32_t> id(nv);
    for (size_t i = 0; i < nv; ++i) {
        const std::array<int64_t, 3> k{std::llround(e.xyz[3 * i] * 1e4), std::llround(e.xyz[3 * i + 1] * 1e4), std::llround(e.xyz[3 * i + 2] * 1e4)};
        id[i] = weld.emplace(k, uint32_t(weld.size())).first->second;
    }
    std::unordered_map<uint64_t, int> edges;   // directed edge -> uses
    double volume = 0;
    for (size_t t = 0; t < nt; ++t) {
        uint32_t v[3];
        for (size_t k = 0; k < 3; ++k) {
            const uint32_t i = e.triangles[3 * t + k];
            if (i >= nv) return false;
            v[k] = id[i];
        }
        if (v[0] == v[1] || v[1] == v[2] || v[0] == v[2]) continue;   // degenerate: no area, no edges
        for (int k = 0; k < 3; ++k) ++edges[uint64_t(v[k]) << 32 | v[(k + 1) % 3]];
        const float* a = &e.xyz[3 * e.triangles[3 * t]];
        const float* b = &e.xyz[3 * e.triangles[3 * t + 1]];
        const float* c = &e.xyz[3 * e.triangles[3 * t + 2]];
        volume += double(a[0]) * (double(b[1]) * c[2] - double(b[2]) * c[1]) - double(a[1]) * (double(b[0]) * c[2] - double(b[2]) * c[0]) +
                  double(a[2]) * (double(b[0]) * c[1] - double(b[1]) * c[0]);
    }
    if (edges.empty()) return false;
    for (const auto& [key, uses] : edges) {
        const auto back = edges.find((key & 0xffffffffu) << 32 | key >> 32);
        if (uses != 1 || back == edges.end() || back->second != 1) return false;
    }
    inward = volume < 0;
    return volume != 0;
}

int modelElementLevel(const Scene& scene, const ModelElement& e) {
    if (e.level >= 0 && e.level < int(scene.levels.size())) return e.level;
    double zmin = 1e300;
    for (size_t k = 2; k < e.xyz.size(); k += 3) zmin = std::min(zmin, double(e.xyz[k]));
    return zmin < 1e299 ? levelOfElevation(scene, zmin) : 0;
}

namespace {

struct ModelLook {
    Rgba colour;
    int batch;   // 0 opaque, 1 wall-like, 2 glass, 3 roof or ceiling, 4 slab, -1 not drawn
};

bool startsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

/// How an imported element looks, by its IFC class (architects' usual plan colours).
ModelLook modelLook(const ModelElement& e) {
    const std::string& c = e.ifc_class;
    if (c == "IfcSpace" || c == "IfcOpeningElement" || c == "IfcSite" || c == "IfcAnnotation") return {rgb(0, 0, 0), -1};
    if (startsWith(c, "IfcWall") || c == "IfcCurtainWall") return {rgb(222, 218, 205), 1};
    if (c == "IfcRoof" || c == "IfcCovering") return {rgb(190, 170, 150), 3};
    if (c == "IfcBeam" || c == "IfcMember" || c == "IfcPlate") return {rgb(190, 170, 150), 1};
    if (c == "IfcColumn") return {rgb(200, 200, 205), 1};
    if (c == "IfcWindow") return {rgb(140, 190, 230, 110), 2};
    if (c == "IfcDoor") return {rgb(150, 100, 60), 0};
    if (c == "IfcSlab") return {rgb(182, 184, 188), 4};
    if (startsWith(c, "IfcStair") || c == "IfcRamp" || c == "IfcRampFlight") return {rgb(200, 170, 120), 0};
    if (c == "IfcRailing") return {rgb(120, 120, 130), 0};
    if (startsWith(c, "IfcFurnish") || c == "IfcFurniture") return {rgb(170, 135, 95), 0};
    if (startsWith(c, "IfcFlowTerminal") || startsWith(c, "IfcBuildingElementProxy")) return {rgb(160, 165, 150), 0};
    if (c.empty()) {
        std::string n = e.name;
        std::transform(n.begin(), n.end(), n.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
        if (n.find("wall") != std::string::npos) return {rgb(222, 218, 205), 1};
        if (n.find("window") != std::string::npos || n.find("glass") != std::string::npos) return {rgb(140, 190, 230, 110), 2};
        return {rgb(175, 178, 182), 0};
    }
    return {rgb(175, 178, 182), 0};
}

/// Door intervals along wall segment (p, q), as distances from p.
std::vector<std::pair<double, double>> doorCuts(const Level& L, int wall, int segment, Vec2 p, Vec2 q) {
    std::vector<std::pair<double, double>> cuts;
    const Vec2 d = normalized(q - p);
    for (const Door& dr : L.doors) {
        if (dr.placed || dr.wall != wall || dr.segment != segment) continue;
        double a = dot(dr.a - p, d), b = dot(dr.b - p, d);
        if (a > b) std::swap(a, b);
        cuts.emplace_back(a, b);
    }
    std::sort(cuts.begin(), cuts.end());
    return cuts;
}

void addWalls(MeshBuilder& m, const Level& L) {
    const Rgba wallColour = rgb(222, 218, 205), lintelColour = rgb(205, 200, 188);
    for (size_t w = 0; w < L.walls.size(); ++w) {
        const Wall& W = L.walls[w];
        const double z0 = L.elevation, z1 = L.elevation + W.height;
        for (size_t s = 0; s + 1 < W.points.size(); ++s) {
            const Vec2 p = W.points[s], q = W.points[s + 1];
            const double len = norm(q - p);
            if (len < 1e-9) continue;
            const Vec2 d = (q - p) / len;
            const auto cuts = doorCuts(L, int(w), int(s), p, q);
            // Extend by half a thickness at both ends so that corners close.
            double from = -0.5 * W.thickness;
            for (const auto& [a, b] : cuts) {
                if (a > from) m.segmentBox(p + d * from, p + d * a, W.thickness, z0, z1, wallColour);
                const double top = L.elevation + std::min(kDoorHeight, W.height);
                if (z1 > top) m.segmentBox(p + d * a, p + d * b, W.thickness, top, z1, lintelColour, true);
                from = std::max(from, b);
            }
            const double to = len + 0.5 * W.thickness;
            if (to > from) m.segmentBox(p + d * from, p + d * to, W.thickness, z0, z1, wallColour);
        }
    }
}

void addFloor(MeshBuilder& m, const Scene& scene, int l, bool modelHasSlabs) {
    const Level& L = scene.levels[size_t(l)];
    const Rgba floorColour = rgb(150, 154, 160), rasterColour = rgb(150, 154, 160);
    if (!L.raster.empty()) {
        if (modelHasSlabs) return;   // the model's own slabs show the floor
        // Floor cells merged into rectangles (row runs, then equal runs of the next rows
        // joined), slightly below the floor so that imported slabs win. Few large triangles:
        // a software rasteriser pays per triangle and per tile it touches, and thin row strips
        // were most of the frame.
        const LevelRaster& R = L.raster;
        const double z = L.elevation - 0.03;
        auto emit = [&](int i0, int i1, int j0, int j1) {
            const double x0 = R.origin.x + i0 * R.cell, x1 = R.origin.x + i1 * R.cell;
            const double y0 = R.origin.y + j0 * R.cell, y1 = R.origin.y + j1 * R.cell;
            m.quad({x0, y0, z}, {x1, y0, z}, {x1, y1, z}, {x0, y1, z}, rasterColour);
        };
        struct Open {
            int i0, i1, j0;
        };
        std::vector<Open> open, next;
        for (int j = 0; j <= R.ny; ++j) {
            next.clear();
            size_t k = 0;   // open rectangles and this row's runs are both sorted by i0
            int i = 0;
            while (j < R.ny && i < R.nx) {
                while (i < R.nx && !R.floor[size_t(R.at(i, j))]) ++i;
                const int start = i;
                while (i < R.nx && R.floor[size_t(R.at(i, j))]) ++i;
                if (i == start) break;
                while (k < open.size() && open[k].i0 < start) emit(open[k].i0, open[k].i1, open[k].j0, j), ++k;
                if (k < open.size() && open[k].i0 == start && open[k].i1 == i) next.push_back(open[k++]);
                else next.push_back({start, i, j});
            }
            for (; k < open.size(); ++k) emit(open[k].i0, open[k].i1, open[k].j0, j);
            open.swap(next);
        }
        return;
    }
    Box2 b = scene.levelBounds(l);
    if (!b.valid()) return;
    m.prism(rectangle(b.min, b.max), L.elevation - 0.12, L.elevation - 0.005, floorColour);
    // Spaces a shade lighter, so rooms read on the plan.
    for (const Space& s : L.spaces) m.flat(s.polygon, L.elevation, rgb(170, 174, 180));
}

void addStair(MeshBuilder& m, const Scene& scene, const Stair& st) {
    if (st.lower < 0 || st.upper < 0 || st.run <= 0) return;
    const double z0 = scene.levels[size_t(st.lower)].elevation;
    const int n = std::max(1, int(std::lround(st.rise / std::max(0.05, st.riser))));
    const double dr = st.run / n, dz = st.rise / n;
    for (int k = 0; k < n; ++k) {
        const Vec2 p = st.from + st.along * (k * dr), q = st.from + st.along * ((k + 1) * dr);
        const double top = z0 + (k + 1) * dz;
        const int shade = 170 + (k % 2) * 20;
        m.segmentBox(p, q, st.width, std::max(z0, top - dz - 0.15), top, rgb(shade + 30, shade, 130), true);
    }
}

}  // namespace

SceneGeometry buildSceneGeometry(const Scene& scene, bool withModel) {
    SceneGeometry g;
    g.walls.kind = g.closedWalls.kind = 1;
    double lowest = 1e300;
    for (const Level& L : scene.levels) lowest = std::min(lowest, L.elevation);
    // levels whose floor the imported model draws itself (slabs on that level or the one below)
    std::vector<uint8_t> slabs(scene.levels.size(), 0);
    if (withModel && scene.model)
        for (const ModelElement& e : scene.model->elements)
            if (e.ifc_class == "IfcSlab") {
                const int l = modelElementLevel(scene, e);
                if (l >= 0 && size_t(l) < slabs.size()) slabs[size_t(l)] = 1;
            }
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        const Level& L = scene.levels[l];
        MeshBuilder& floors = L.elevation > lowest + 0.5 ? g.upperFloors : g.opaque;
        floors.level = g.opaque.level = g.walls.level = int(l);
        addFloor(floors, scene, int(l), slabs[l] != 0);
        g.closedWalls.level = g.closedOpaque.level = int(l);
        addWalls(g.closedWalls, L);
        for (const Obstacle& o : L.obstacles)
            if (o.source_id.empty() || !withModel || !scene.model)   // imported ones are in the model
                g.closedOpaque.prism(o.polygon, L.elevation, L.elevation + std::min(o.height, 3.0), rgb(120, 130, 150));
    }
    for (const Stair& st : scene.stairs) {
        g.closedOpaque.level = std::max(0, st.lower);
        addStair(g.closedOpaque, scene, st);
    }
    if (withModel && scene.model) {
        for (const ModelElement& e : scene.model->elements) {
            const ModelLook look = modelLook(e);
            if (look.batch < 0) continue;
            const int level = modelElementLevel(scene, e);
            const bool upper = level >= 0 && size_t(level) < scene.levels.size() && scene.levels[size_t(level)].elevation > lowest + 0.5;
            bool inward = false;
            const bool closed = (look.batch == 0 || look.batch == 1) && closedMesh(e, inward);
            MeshBuilder& m = look.batch == 0   ? (closed ? g.closedOpaque : g.opaque)
                             : look.batch == 1 ? (closed ? g.closedWalls : g.walls)
                             : look.batch == 2 ? g.glass
                             : look.batch == 3 ? g.roofs
                             : upper           ? g.upperFloors
                                               : g.opaque;
            m.level = level;
            m.detail = true;
            const auto& x = e.xyz;
            for (size_t t = 0; t + 2 < e.triangles.size(); t += 3) {
                const uint32_t i0 = e.triangles[t], i1 = e.triangles[t + 1 + (inward ? 1 : 0)], i2 = e.triangles[t + 2 - (inward ? 1 : 0)];
                if (size_t(std::max({i0, i1, i2})) * 3 + 2 >= x.size()) continue;
                m.tri({x[i0 * 3], x[i0 * 3 + 1], x[i0 * 3 + 2]}, {x[i1 * 3], x[i1 * 3 + 1], x[i1 * 3 + 2]},
                      {x[i2 * 3], x[i2 * 3 + 1], x[i2 * 3 + 2]}, look.colour);
            }
            m.detail = false;
        }
    }
    return g;
}

size_t ChunkedMesh::triangles(int lod) const {
    size_t n = 0;
    for (const Chunk& c : chunks) n += size_t(c.count[std::clamp(lod, 0, kMaxLods - 1)]) / 3;
    return n;
}

namespace {

struct TriKeyHash {
    size_t operator()(const std::array<int32_t, 10>& k) const {
        uint64_t h = 1469598103934665603ull;
        for (int32_t x : k) h = (h ^ uint32_t(x)) * 1099511628211ull;
        return size_t(h);
    }
};

/// Appends the clustered version of triangles `tris` (indices of first vertices in `soup`).
void appendSimplified(const MeshBuilder& mesh, const std::vector<uint32_t>& tris, double cell, bool closed,
                      std::vector<MeshVertex>& out) {
    const std::vector<MeshVertex>& soup = mesh.v;
    std::unordered_set<std::array<int32_t, 10>, TriKeyHash> seen;
    for (uint32_t t : tris) {
        if (!mesh.detailed[t / 3]) {
            out.insert(out.end(), soup.begin() + t, soup.begin() + t + 3);
            continue;
        }
        int32_t q[3][3];
        for (int k = 0; k < 3; ++k)
            for (int d = 0; d < 3; ++d) q[k][d] = int32_t(std::lround(soup[t + uint32_t(k)].p[d] / cell));
        auto same = [&](int a, int b) { return q[a][0] == q[b][0] && q[a][1] == q[b][1] && q[a][2] == q[b][2]; };
        if (same(0, 1) || same(1, 2) || same(0, 2)) continue;   // collapsed below the cell size
        // the same three cells in any order and colour: one copy (both faces of thin plates;
        // for closed solids, culled, one per winding)
        int order[3] = {0, 1, 2};
        auto less = [&](int a, int b) { return std::lexicographical_compare(q[a], q[a] + 3, q[b], q[b] + 3); };
        std::sort(order, order + 3, less);
        // an odd permutation reverses the winding
        const bool odd = (order[0] == 1 && order[1] == 0) || (order[0] == 0 && order[1] == 2) || (order[0] == 2 && order[1] == 1);
        std::array<int32_t, 10> key;
        for (int k = 0; k < 3; ++k)
            for (int d = 0; d < 3; ++d) key[size_t(3 * k + d)] = q[order[k]][d];
        const uint8_t* c = soup[t].c;
        key[9] = int32_t(uint32_t(c[0]) | uint32_t(c[1]) << 8 | uint32_t(c[2]) << 16 | uint32_t(c[3] >> 1) << 24 | uint32_t(closed && odd) << 31);
        if (!seen.insert(key).second) continue;
        float p[3][3];
        for (int k = 0; k < 3; ++k)
            for (int d = 0; d < 3; ++d) p[k][d] = float(q[k][d] * cell);
        const float e1[3] = {p[1][0] - p[0][0], p[1][1] - p[0][1], p[1][2] - p[0][2]};
        const float e2[3] = {p[2][0] - p[0][0], p[2][1] - p[0][1], p[2][2] - p[0][2]};
        float n[3] = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]};
        const float len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (!(len > 0)) continue;
        for (int k = 0; k < 3; ++k) {
            MeshVertex m = soup[t + uint32_t(k)];
            for (int d = 0; d < 3; ++d) {
                m.p[d] = p[k][d];
                m.n[d] = n[d] / len;
            }
            out.push_back(m);
        }
    }
}

}  // namespace

ChunkedMesh chunkMesh(const MeshBuilder& mesh, double chunkSize, const std::vector<double>& lodCells, bool closed) {
    const std::vector<MeshVertex>& soup = mesh.v;
    ChunkedMesh out;
    // (level, plan cell) of each triangle's centroid; std::map keeps levels together, highest first
    struct Key {
        int level, i, j;
        bool operator<(const Key& o) const {
            return level != o.level ? level > o.level : i != o.i ? i < o.i : j < o.j;
        }
    };
    std::map<Key, std::vector<uint32_t>> groups;
    for (size_t t = 0; t + 2 < soup.size(); t += 3) {
        double cx = 0, cy = 0;
        for (size_t k = 0; k < 3; ++k) {
            cx += soup[t + k].p[0];
            cy += soup[t + k].p[1];
        }
        const Key key{int(soup[t].level), int(std::floor(cx / 3 / chunkSize)), int(std::floor(cy / 3 / chunkSize))};
        groups[key].push_back(uint32_t(t));
    }
    out.v.reserve(soup.size() * 3 / 2);
    for (const auto& [key, tris] : groups) {
        ChunkedMesh::Chunk c;
        c.level = key.level;
        for (int d = 0; d < 3; ++d) {
            c.lo[d] = 1e30f;
            c.hi[d] = -1e30f;
        }
        c.first[0] = int(out.v.size());
        for (uint32_t t : tris)
            for (uint32_t k = 0; k < 3; ++k) out.v.push_back(soup[t + k]);
        c.count[0] = int(out.v.size()) - c.first[0];
        for (size_t k = 0; k < lodCells.size() && k + 1 < size_t(ChunkedMesh::kMaxLods); ++k) {
            c.first[k + 1] = int(out.v.size());
            appendSimplified(mesh, tris, lodCells[k], closed, out.v);
            c.count[k + 1] = int(out.v.size()) - c.first[k + 1];
        }
        for (size_t k = size_t(c.first[0]); k < out.v.size(); ++k)
            for (int d = 0; d < 3; ++d) {
                c.lo[d] = std::min(c.lo[d], out.v[k].p[d]);
                c.hi[d] = std::max(c.hi[d], out.v[k].p[d]);
            }
        out.chunks.push_back(c);
    }
    return out;
}

void addDoorsAndExits(MeshBuilder& out, const Scene& scene, const std::vector<std::vector<uint8_t>>& closed) {
    auto isClosed = [&](size_t l, size_t d) {
        if (l < closed.size() && d < closed[l].size()) return closed[l][d] != 0;
        return scene.levels[l].doors[d].closed;
    };
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        const Level& L = scene.levels[l];
        out.level = int(l);
        for (size_t d = 0; d < L.doors.size(); ++d) {
            const Door& D = L.doors[d];
            double depth = D.placed ? D.depth : 0.2;
            if (!D.placed && D.wall >= 0 && size_t(D.wall) < L.walls.size()) depth = L.walls[size_t(D.wall)].thickness;
            if (isClosed(l, d)) {
                // A closed leaf: dark red, proud of the wall on both faces so it reads in plan.
                out.segmentBox(D.a, D.b, depth + 0.06, L.elevation, L.elevation + kDoorHeight, rgb(170, 40, 40));
            } else {
                // An open door or opening: a green threshold on the floor.
                out.segmentBox(D.a, D.b, depth + 0.1, L.elevation, L.elevation + 0.04,
                               D.closable ? rgb(70, 190, 110) : rgb(130, 170, 140));
            }
        }
    }
    for (const Exit& e : scene.exits) {
        if (e.level < 0) continue;
        bool blocked = false;
        if (!e.door.empty())
            if (auto ld = scene.findDoor(e.door)) blocked = isClosed(size_t(ld->first), size_t(ld->second));
        const double z = scene.levels[size_t(e.level)].elevation;
        out.level = e.level;
        out.segmentBox(e.a, e.b, 0.5, z, z + 0.06, blocked ? rgb(200, 30, 30) : rgb(30, 220, 90));
    }
}

std::array<float, 3> sensorColour(const SensorSample& s) {
    if (s.quality != SensorQuality::Good) return {0.85f, 0.2f, 0.85f};   // magenta: unknown, never safe
    switch (s.alarm) {
        case AlarmState::Normal: return {0.2f, 0.8f, 0.3f};
        case AlarmState::Warning: return {1.0f, 0.85f, 0.1f};
        case AlarmState::Active: return {0.95f, 0.1f, 0.1f};
        case AlarmState::Acknowledged: return {1.0f, 0.5f, 0.1f};
        case AlarmState::Cleared: return {0.4f, 0.7f, 0.9f};
        case AlarmState::Shelved: return {0.55f, 0.55f, 0.55f};
    }
    return {0.85f, 0.2f, 0.85f};
}

void addMarkers(MeshBuilder& out, const Scene& scene, const Frame& frame) {
    auto u8 = [](float f) { return uint8_t(std::clamp(f, 0.0f, 1.0f) * 255.0f + 0.5f); };
    for (const SensorSample& s : frame.sensors) {
        const auto c = sensorColour(s);
        const Rgba col{u8(c[0]), u8(c[1]), u8(c[2]), 255};
        out.level = levelOfElevation(scene, s.z);
        const double floorZ = scene.levels.empty() ? 0.0 : scene.levels[size_t(out.level)].elevation;
        const Vec2 p{s.x, s.y};
        out.segmentBox(p - Vec2{0.03, 0}, p + Vec2{0.03, 0}, 0.06, floorZ, s.z, rgb(90, 90, 90));
        out.segmentBox(p - Vec2{0.18, 0}, p + Vec2{0.18, 0}, 0.36, s.z - 0.18, s.z + 0.18, col, true);
    }
    for (const HazardMarker& h : frame.hazards) {
        const Rgba col = h.major ? rgb(230, 30, 30) : h.overdue ? rgb(150, 60, 200) : rgb(255, 150, 30);
        out.level = levelOfElevation(scene, h.z);
        out.diamond({h.x, h.y, h.z + 2.6}, 0.6, col);
        out.segmentBox(Vec2{h.x - 0.05, h.y}, Vec2{h.x + 0.05, h.y}, 0.1, h.z, h.z + 2.1, col);
    }
}

void gasSurface(const GasVolume& vol, double threshold, const Scene& scene, MeshBuilder& out) {
    if (vol.nx < 2 || vol.ny < 2 || vol.nz < 2 || !(threshold > 0)) return;
    const size_t nx = size_t(vol.nx), ny = size_t(vol.ny);
    auto value = [&](int i, int j, int k) {
        const float c = vol.ppm[(size_t(k) * ny + size_t(j)) * nx + size_t(i)];
        return std::isfinite(c) ? double(c) : 0.0;
    };
    static constexpr int kTets[6][4] = {{0, 1, 3, 7}, {0, 3, 2, 7}, {0, 2, 6, 7}, {0, 6, 4, 7}, {0, 4, 5, 7}, {0, 5, 1, 7}};
    const Rgba col{235, 200, 40, 95};
    std::vector<int> levelOfK(size_t(vol.nz));
    for (int k = 0; k < vol.nz; ++k) levelOfK[size_t(k)] = levelOfElevation(scene, vol.z0 + (k + 0.5) * vol.cell - 1.5);
    for (int k = 0; k + 1 < vol.nz; ++k)
        for (int j = 0; j + 1 < vol.ny; ++j)
            for (int i = 0; i + 1 < vol.nx; ++i) {
                double v[8];
                P3 p[8];
                int above = 0;
                for (int c = 0; c < 8; ++c) {
                    const int ci = i + (c & 1), cj = j + ((c >> 1) & 1), ck = k + ((c >> 2) & 1);
                    v[c] = value(ci, cj, ck);
                    p[c] = {vol.x0 + (ci + 0.5) * vol.cell, vol.y0 + (cj + 0.5) * vol.cell, vol.z0 + (ck + 0.5) * vol.cell};
                    above += v[c] >= threshold;
                }
                if (above == 0 || above == 8) continue;
                out.level = levelOfK[size_t(k)];
                for (const auto& t : kTets) {
                    int in[4], outv[4], ni = 0, no = 0;
                    for (int q = 0; q < 4; ++q) (v[t[q]] >= threshold ? in[ni++] : outv[no++]) = t[q];
                    if (ni == 0 || ni == 4) continue;
                    auto cut = [&](int a, int b) {
                        const double s = (threshold - v[a]) / (v[b] - v[a]);
                        return P3{p[a].x + s * (p[b].x - p[a].x), p[a].y + s * (p[b].y - p[a].y), p[a].z + s * (p[b].z - p[a].z)};
                    };
                    if (ni == 1 || ni == 3) {
                        const int lone = ni == 1 ? in[0] : outv[0];
                        const int* others = ni == 1 ? outv : in;
                        out.tri(cut(lone, others[0]), cut(lone, others[1]), cut(lone, others[2]), col);
                    } else {
                        const P3 a = cut(in[0], outv[0]), b = cut(in[0], outv[1]), c2 = cut(in[1], outv[1]), d = cut(in[1], outv[0]);
                        out.quad(a, b, c2, d, col);
                    }
                }
            }
}

}  // namespace safetwin::render

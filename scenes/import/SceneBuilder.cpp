// From a read model to a resolved Scene: levels from storeys (or the dominant floor), one
// raster per level (floor surfaces near the level's elevation; anything between body_low and
// body_high above it is solid), doors carved into it, exits where a door leads from inside
// the envelope to the outside, spaces traced from their floor, furniture and equipment as
// obstacles, straight stair flights as stairs.
//
// [SECTION] Levels    elevations of storeys, or the dominant floor height
// [SECTION] Rasters   floor and solid masks per level
// [SECTION] Doors     placement, width, carving, "not cut into its wall"
// [SECTION] Spaces and obstacles
// [SECTION] Stairs    straight flights, landings as their own levels
// [SECTION] Exits     doors to the outside, open floor edges
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "scenes/InputError.hpp"
#include "scenes/import/Raster.hpp"
#include "scenes/import/RawModel.hpp"

namespace safetwin::import {

namespace {

std::string fmt(double v, int digits = 2) {
    std::ostringstream os;
    os.setf(std::ios::fixed);
    os.precision(digits);
    os << v;
    return os.str();
}

P3 vertex(const ModelElement& e, uint32_t i) {
    return {double(e.xyz[size_t(i) * 3]), double(e.xyz[size_t(i) * 3 + 1]), double(e.xyz[size_t(i) * 3 + 2])};
}

struct ZRange {
    double lo = 1e300, hi = -1e300;
};

ZRange zRange(const ModelElement& e) {
    ZRange r;
    for (size_t v = 2; v < e.xyz.size(); v += 3) {
        r.lo = std::min(r.lo, double(e.xyz[v]));
        r.hi = std::max(r.hi, double(e.xyz[v]));
    }
    return r;
}

/// Unit normal's z of a triangle (0 for a degenerate one) and its plan area.
double normalZ(P3 a, P3 b, P3 c, double* area = nullptr) {
    const double ux = b.x - a.x, uy = b.y - a.y, uz = b.z - a.z, vx = c.x - a.x, vy = c.y - a.y, vz = c.z - a.z;
    const double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const double n = std::sqrt(nx * nx + ny * ny + nz * nz);
    if (area) *area = 0.5 * std::abs(nz);
    return n > 0 ? nz / n : 0.0;
}

/// Height with (about) the largest area of near-horizontal triangles in [lo, hi] (5 cm bins), or NaN.
double dominantFloor(const std::vector<const ModelElement*>& els, double lo, double hi) {
    std::map<long, double> bins;
    for (const ModelElement* e : els)
        for (size_t t = 0; t + 2 < e->triangles.size(); t += 3) {
            const P3 a = vertex(*e, e->triangles[t]), b = vertex(*e, e->triangles[t + 1]), c = vertex(*e, e->triangles[t + 2]);
            double area = 0;
            if (std::abs(normalZ(a, b, c, &area)) < 0.95) continue;
            const double z = (a.z + b.z + c.z) / 3;
            if (z < lo || z > hi) continue;
            bins[std::lround(z / 0.05)] += area;
        }
    // The top of a slab, not its underside: the highest bin with nearly the largest area.
    double best = 0, z = std::nan("");
    for (const auto& [k, area] : bins) best = std::max(best, area);
    for (const auto& [k, area] : bins)
        if (area >= 0.8 * best) z = double(k) * 0.05;
    return z;
}

struct Builder {
    Builder(RawModel& model, const ImportOptions& options, ImportStats& st) : m(model), o(options), stats(st) {}
    RawModel& m;
    const ImportOptions& o;
    ImportStats& stats;
    Scene scene;
    Box2 plan;
    std::vector<int> storeyLevel;         // storey -> level index
    std::vector<std::vector<uint8_t>> cutDoors;  // per level: door cells (for the envelope fill)

    // [SECTION] Levels ---------------------------------------------------------------------------

    void levels() {
        for (const RawElement& e : m.elements)
            if (e.role != Role::Ignore)
                for (size_t v = 0; v + 2 < e.el.xyz.size(); v += 3) plan.expand(Vec2{e.el.xyz[v], e.el.xyz[v + 1]});
        for (size_t v = 0; v + 2 < m.points.size(); v += 3) plan.expand(Vec2{m.points[v], m.points[v + 1]});
        if (!plan.valid()) throw InputError(m.file + ": the model has no geometry (expected triangles or points)");

        struct L { std::string name, gid; double z; int storey; };
        std::vector<L> found;
        if (m.ifc && !m.storeys.empty()) {
            for (size_t s = 0; s < m.storeys.size(); ++s) {
                const Storey& st = m.storeys[s];
                // Floor of its spaces (their bottoms), else its Elevation attribute if a floor is
                // there, else the dominant floor among its own elements.
                std::vector<double> spaceZ;
                std::vector<const ModelElement*> own;
                for (const RawElement& e : m.elements) {
                    if (e.storey != int(s)) continue;
                    if (e.role == Role::Space && !e.el.xyz.empty()) spaceZ.push_back(zRange(e.el).lo);
                    if (e.role == Role::Structure) own.push_back(&e.el);
                }
                double z = std::nan("");
                if (!spaceZ.empty()) {
                    std::nth_element(spaceZ.begin(), spaceZ.begin() + long(spaceZ.size() / 2), spaceZ.end());
                    z = spaceZ[spaceZ.size() / 2];
                }
                for (const IfcFacts::StoreyFact& f : m.facts.storey_list)
                    if (std::isnan(z) && f.gid == st.global_id && f.has) {
                        const double attr = f.elevation * m.facts.length_unit;
                        std::vector<const ModelElement*> all;
                        for (const RawElement& e : m.elements)
                            if (e.role == Role::Structure) all.push_back(&e.el);
                        if (!std::isnan(dominantFloor(all, attr - 0.3, attr + 0.3))) z = attr;
                    }
                if (std::isnan(z) && !own.empty()) {
                    double lo = 1e300;
                    for (const ModelElement* e : own) lo = std::min(lo, zRange(*e).lo);
                    z = dominantFloor(own, lo - 0.1, lo + 2.0);
                    if (std::isnan(z)) z = lo;
                }
                if (std::isnan(z)) {
                    for (const IfcFacts::StoreyFact& f : m.facts.storey_list)
                        if (f.gid == st.global_id && f.has) z = f.elevation * m.facts.length_unit;
                }
                if (std::isnan(z)) {
                    z = 0.0;
                    stats.warnings.push_back("storey '" + st.name + "' has no elements and no elevation; put at 0 m");
                }
                found.push_back({st.name, st.global_id, z, int(s)});
            }
        } else if (!m.points.empty()) {
            double lo = 1e300;
            for (size_t v = 2; v < m.points.size(); v += 3) lo = std::min(lo, double(m.points[v]));
            std::map<long, int> bins;
            for (size_t v = 2; v < m.points.size(); v += 3)
                if (m.points[v] < lo + 1.0) ++bins[std::lround(m.points[v] / o.cell)];
            int best = 0;
            double z = lo;
            for (const auto& [k, n] : bins)
                if (n > best) { best = n; z = double(k) * o.cell; }
            found.push_back({"Floor", "", z, -1});
        } else {
            std::vector<const ModelElement*> all;
            double lo = 1e300;
            for (const RawElement& e : m.elements) {
                if (e.role == Role::Ignore) continue;
                all.push_back(&e.el);
                lo = std::min(lo, zRange(e.el).lo);
            }
            const double z = dominantFloor(all, lo - 0.01, lo + 1.5);
            if (std::isnan(z))
                throw InputError(m.file + ": the model has no floor (expected a horizontal surface within 1.5 m of its lowest point, "
                                          "such as a slab or a ground plane)");
            found.push_back({"Ground", "", z, -1});
        }
        std::vector<size_t> order(found.size());
        std::iota(order.begin(), order.end(), size_t(0));
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return found[a].z < found[b].z; });
        storeyLevel.assign(m.storeys.size(), -1);
        std::set<std::string> ids;
        for (size_t k : order) {
            Level lv;
            std::string id;
            for (char c : found[k].name)
                if (!std::isspace(static_cast<unsigned char>(c))) id += c;
            if (id.empty() || ids.count(id)) id = "L" + std::to_string(scene.levels.size());
            ids.insert(id);
            lv.id = id;
            lv.name = found[k].name.empty() ? id : found[k].name;
            lv.elevation = found[k].z;
            lv.where = SourceRef{m.file, 0, 0};
            if (found[k].storey >= 0) storeyLevel[size_t(found[k].storey)] = int(scene.levels.size());
            scene.levels.push_back(std::move(lv));
        }
        for (size_t l = 0; l < scene.levels.size(); ++l)
            scene.levels[l].height = l + 1 < scene.levels.size()
                ? std::max(2.0, scene.levels[l + 1].elevation - scene.levels[l].elevation) : 3.0;
    }

    /// Level of an element: its storey's, else the highest level at or below its foot.
    int levelOf(const RawElement& e) const {
        if (e.storey >= 0 && storeyLevel[size_t(e.storey)] >= 0) return storeyLevel[size_t(e.storey)];
        return levelAt(zRange(e.el).lo);
    }
    int levelAt(double z) const {
        int best = 0;
        for (size_t l = 0; l < scene.levels.size(); ++l)
            if ((l >= landing.size() || !landing[l]) && scene.levels[l].elevation <= z + 0.3) best = int(l);
        return best;
    }

    // [SECTION] Rasters --------------------------------------------------------------------------

    void rasters() {
        const double margin = 1.0;
        for (Level& lv : scene.levels) {
            LevelRaster& R = lv.raster;
            R.cell = o.cell;
            R.origin = {std::floor((plan.min.x - margin) / o.cell) * o.cell, std::floor((plan.min.y - margin) / o.cell) * o.cell};
            R.nx = int(std::ceil((plan.max.x + margin - R.origin.x) / o.cell));
            R.ny = int(std::ceil((plan.max.y + margin - R.origin.y) / o.cell));
            R.solid.assign(size_t(R.nx) * size_t(R.ny), 0);
            R.floor.assign(size_t(R.nx) * size_t(R.ny), 0);
        }
        for (const RawElement& e : m.elements) {
            const bool floors = e.role == Role::Structure || e.role == Role::Floor || e.role == Role::Space;
            const bool solid = e.role == Role::Structure || e.role == Role::Window || e.role == Role::Stair;
            if (!floors && !solid) continue;
            const ZRange zr = zRange(e.el);
            for (Level& lv : scene.levels) {
                const double z0 = lv.elevation;
                // A space is a prism standing on the floor: its top and bottom faces both give
                // its footprint (assimp's triangulation of one of them sometimes leaves holes).
                const bool spaceHere = e.role == Role::Space && std::abs(zr.lo - z0) <= 0.35;
                const bool fl = floors && zr.lo <= z0 + 0.35 && zr.hi >= z0 - 0.35 && (e.role != Role::Space || spaceHere);
                const bool so = solid && zr.lo <= z0 + o.body_high && zr.hi >= z0 + o.body_low;
                if (!fl && !so) continue;
                LevelRaster& R = lv.raster;
                for (size_t t = 0; t + 2 < e.el.triangles.size(); t += 3) {
                    const P3 a = vertex(e.el, e.el.triangles[t]), b = vertex(e.el, e.el.triangles[t + 1]), c = vertex(e.el, e.el.triangles[t + 2]);
                    if (fl && std::abs(normalZ(a, b, c)) > 0.7) {
                        const double zl = std::min({a.z, b.z, c.z}), zh = std::max({a.z, b.z, c.z});
                        if (spaceHere || (zl >= z0 - 0.35 && zh <= z0 + 0.35)) fillTriangle(R, R.floor, a, b, c);
                    }
                    if (so) fillTriangleBand(R, R.solid, a, b, c, z0 + o.body_low, z0 + o.body_high);
                }
            }
        }
        yard();
        if (!m.points.empty()) {
            // A scan: voxels near the floor are floor, voxels in the body band are solid.
            Level& lv = scene.levels.front();
            LevelRaster& R = lv.raster;
            std::vector<Vec2> floorPts;
            for (size_t v = 0; v + 2 < m.points.size(); v += 3) {
                const double z = m.points[v + 2] - lv.elevation;
                const int c = R.cellOf({m.points[v], m.points[v + 1]});
                if (c < 0) continue;
                if (std::abs(z) <= 1.0 * o.cell + 0.05) floorPts.push_back({m.points[v], m.points[v + 1]});
                else if (z >= o.body_low && z <= o.body_high) R.solid[size_t(c)] = 1;
            }
            // A scan thins out away from the scanner and leaves shadows behind furniture: the
            // floor is taken as the convex hull of the floor points, and the sparse points of
            // walls and furniture are grown by one cell so that they close.
            const Polygon hull = convexHull(floorPts);
            if (hull.size() >= 3) {
                for (size_t k = 1; k + 1 < hull.size(); ++k)
                    fillTriangle(R, R.floor, {hull[0].x, hull[0].y, 0}, {hull[k].x, hull[k].y, 0}, {hull[k + 1].x, hull[k + 1].y, 0});
            }
            std::vector<uint8_t> grown = R.solid;
            for (int j = 1; j + 1 < R.ny; ++j)
                for (int i = 1; i + 1 < R.nx; ++i)
                    if (R.solid[size_t(R.at(i, j))])
                        for (int dj = -1; dj <= 1; ++dj)
                            for (int di = -1; di <= 1; ++di) grown[size_t(R.at(i + di, j + dj))] = 1;
            R.solid.swap(grown);
            // What stands on the floor inside the room (small clusters of points: furniture,
            // machines) becomes obstacles; long walls stay in the raster.
            std::vector<int> label, size;
            const int n = components(R.solid, R.nx, R.ny, label, size);
            std::vector<std::vector<Vec2>> corners(static_cast<size_t>(n));
            std::vector<int> onFloor(static_cast<size_t>(n), 0);
            for (int j = 0; j < R.ny; ++j)
                for (int i = 0; i < R.nx; ++i) {
                    const int k = label[size_t(R.at(i, j))];
                    if (k < 0 || size[size_t(k)] * R.cell * R.cell > 3.0) continue;
                    onFloor[size_t(k)] += R.floor[size_t(R.at(i, j))];
                    const Vec2 c0{R.origin.x + i * R.cell, R.origin.y + j * R.cell};
                    for (Vec2 d : {Vec2{0, 0}, Vec2{R.cell, 0}, Vec2{0, R.cell}, Vec2{R.cell, R.cell}}) corners[size_t(k)].push_back(c0 + d);
                }
            for (int k = 0; k < n; ++k) {
                if (corners[size_t(k)].empty() || 2 * onFloor[size_t(k)] < size[size_t(k)]) continue;
                Obstacle ob;
                ob.id = "scan-obstacle-" + std::to_string(lv.obstacles.size() + 1);
                ob.polygon = convexHull(corners[size_t(k)]);
                ob.height = o.body_high;
                ob.where = SourceRef{m.file, 0, 0};
                lv.obstacles.push_back(std::move(ob));
                for (size_t c = 0; c < label.size(); ++c)
                    if (label[c] == k) R.solid[c] = 0;
            }
        }
        size_t floorCells = 0;
        for (const Level& lv : scene.levels)
            for (uint8_t f : lv.raster.floor) floorCells += f;
        if (floorCells == 0)
            throw InputError(m.file + ": the model has no floor (expected horizontal surfaces such as slabs, a ground plane or "
                                      "scanned floor points near each level's elevation)");
    }

    /// A site model without its own ground: the ground level gets floor over the model's plan
    /// (not the raster's margin), and what is enclosed by walls with no way in is dropped later.
    void yard() {
        if (m.ifc || !m.points.empty() || o.ground == ImportOptions::Ground::Off) return;
        LevelRaster& R = scene.levels.front().raster;
        bool hasGround = false;
        for (const RawElement& e : m.elements) hasGround |= e.role == Role::Floor;
        size_t cells = 0, floorCells = 0;
        for (int j = 0; j < R.ny; ++j)
            for (int i = 0; i < R.nx; ++i) {
                const Vec2 c{R.origin.x + (i + 0.5) * R.cell, R.origin.y + (j + 0.5) * R.cell};
                if (!plan.contains(c)) continue;
                ++cells;
                floorCells += R.floor[size_t(R.at(i, j))];
            }
        // Gazebo leaves the ground to the world (ground_plane): an SDF model without a ground
        // model always stands on one.
        if (o.ground == ImportOptions::Ground::Auto && (hasGround || (m.format != "SDF" && 2 * floorCells >= cells))) return;
        for (int j = 0; j < R.ny; ++j)
            for (int i = 0; i < R.nx; ++i)
                if (plan.contains({R.origin.x + (i + 0.5) * R.cell, R.origin.y + (j + 0.5) * R.cell})) R.floor[size_t(R.at(i, j))] = 1;
        yardMade = true;
    }
    bool yardMade = false;

    // [SECTION] Doors ----------------------------------------------------------------------------

    double doorWidthFromText(const std::string& gid) const {
        for (const IfcFacts::Door& d : m.facts.door_list)
            if (d.gid == gid && d.width > 0) return d.width * m.facts.length_unit;
        return 0.0;
    }

    /// Fraction of raster cells along the segment p + u*t, t in [-h, h], that are solid.
    static double solidFraction(const LevelRaster& R, Vec2 p, Vec2 u, double h) {
        int n = 0, s = 0;
        for (double t = -h; t <= h + 1e-9; t += 0.5 * R.cell) {
            const int c = R.cellOf(p + u * t);
            if (c < 0) continue;
            ++n;
            s += R.solid[size_t(c)];
        }
        return n ? double(s) / n : 0.0;
    }

    void doors(const CollisionWorld& world) {
        cutDoors.assign(scene.levels.size(), {});
        for (size_t l = 0; l < scene.levels.size(); ++l) cutDoors[l].assign(scene.levels[l].raster.solid.size(), 0);
        std::set<std::string> ids;
        for (const RawElement& e : m.elements) {
            if (e.role != Role::Door) continue;
            std::vector<Vec2> pts;
            for (size_t v = 0; v + 2 < e.el.xyz.size(); v += 3) pts.push_back({e.el.xyz[v], e.el.xyz[v + 1]});
            const std::string label = "door '" + e.el.name + "' (" + e.el.global_id + ")";
            if (pts.size() < 3) {
                stats.warnings.push_back(label + " has no geometry; left out");
                continue;
            }
            const Rect2 r = minAreaRect(convexHull(pts));
            const double textWidth = doorWidthFromText(e.el.global_id);
            // The door's axis: the rectangle side closest to its stated width, else the longer.
            Vec2 u = r.u;
            double width = 2 * r.hu, thick = 2 * r.hv;
            if (textWidth > 0 ? std::abs(2 * r.hv - textWidth) < std::abs(2 * r.hu - textWidth) : r.hv > r.hu) {
                u = perp(r.u);
                std::swap(width, thick);
            }
            if (textWidth > 0) width = textWidth;
            if (width < 0.4 || width > 20) {
                stats.warnings.push_back(label + " is " + fmt(width) + " m wide (expected 0.4 to 20 m); left out");
                continue;
            }
            // Its level: the floor under its middle (Bullet ray), else its storey.
            const ZRange zr = zRange(e.el);
            int level = levelOf(e);
            const double sill = world.floorBelow(r.centre.x, r.centre.y, zr.lo + 0.5, 1.5);
            if (!std::isnan(sill) && (e.storey < 0 || std::abs(scene.levels[size_t(level)].elevation - sill) > 0.5)) level = levelAt(sill);
            Level& lv = scene.levels[size_t(level)];
            LevelRaster& R = lv.raster;
            const Vec2 v = perp(u);
            // A door cut into its wall leaves the band free along its middle.
            if (solidFraction(R, r.centre, u, 0.5 * width - 0.1) > 0.5)
                stats.warnings.push_back(label + " on " + lv.id + " is not cut into its wall (the wall is solid across it); opened it");
            // The wall's thickness on either side of the door's middle line.
            double side[2] = {0.5 * thick, 0.5 * thick};
            for (int s = 0; s < 2; ++s) {
                const double dir = s == 0 ? 1.0 : -1.0;
                for (double k = 0.5 * R.cell; k <= 0.6; k += 0.5 * R.cell) {
                    if (solidFraction(R, r.centre + v * (dir * k), u, 0.5 * width - 0.05) < 0.3) break;
                    side[s] = std::max(side[s], k);
                }
            }
            const double depth = side[0] + side[1] + R.cell;
            const Vec2 mid = r.centre + v * (0.5 * (side[0] - side[1]));
            for (int j = 0; j < R.ny; ++j) {
                const double y = R.origin.y + (j + 0.5) * R.cell;
                if (std::abs(y - mid.y) > width + depth) continue;
                for (int i = 0; i < R.nx; ++i) {
                    const Vec2 c{R.origin.x + (i + 0.5) * R.cell, y};
                    if (std::abs(dot(c - mid, u)) > 0.5 * width || std::abs(dot(c - mid, v)) > 0.5 * depth) continue;
                    const int cell = R.at(i, j);
                    R.solid[size_t(cell)] = 0;
                    R.floor[size_t(cell)] = 1;
                    cutDoors[size_t(level)][size_t(cell)] = 1;
                }
            }
            Door d;
            d.id = e.el.global_id.empty() || ids.count(e.el.global_id) ? "D" + std::to_string(ids.size() + 1) : e.el.global_id;
            ids.insert(d.id);
            d.source_id = e.el.global_id;
            d.placed = true;
            d.width = width;
            d.depth = depth;
            d.at = mid;
            d.a = mid - u * (0.5 * width);
            d.b = mid + u * (0.5 * width);
            d.where = SourceRef{m.file, 0, 0};
            lv.doors.push_back(d);
        }
    }

    // [SECTION] Stairs ---------------------------------------------------------------------------

    std::vector<uint8_t> landing;  // per level: 1 for a stair landing made here

    struct Tread {
        double z = 0.0, area = 0.0;
        Vec2 c;
        std::vector<std::array<P3, 3>> tris;
    };

    /// Level at height z (a storey within 0.3 m, or a landing within 0.15 m with floor within
    /// 0.6 m of plan point p), else -1.
    int floorAt(double z, Vec2 p) const {
        int best = -1;
        double bestD = 1e300;
        for (size_t l = 0; l < scene.levels.size(); ++l) {
            const double d = std::abs(scene.levels[l].elevation - z);
            if (d >= (landing[l] ? 0.15 : 0.3) || d >= bestD) continue;
            if (landing[l]) {
                const LevelRaster& R = scene.levels[l].raster;
                bool near = false;
                for (double dx = -0.6; dx <= 0.6 && !near; dx += R.cell)
                    for (double dy = -0.6; dy <= 0.6 && !near; dy += R.cell) {
                        const int c = R.cellOf(p + Vec2{dx, dy});
                        near = c >= 0 && R.floor[size_t(c)];
                    }
                if (!near) continue;
            }
            bestD = d;
            best = int(l);
        }
        return best;
    }

    int makeLanding(const Tread& t, const std::string& stairId) {
        Level lv;
        lv.id = "landing-" + stairId + "-" + std::to_string(scene.levels.size());
        lv.name = "landing of stair " + stairId;
        lv.elevation = t.z;
        lv.height = 2.0;
        lv.where = SourceRef{m.file, 0, 0};
        lv.raster = scene.levels.front().raster;
        std::fill(lv.raster.solid.begin(), lv.raster.solid.end(), 0);
        std::fill(lv.raster.floor.begin(), lv.raster.floor.end(), 0);
        for (const auto& tri : t.tris) fillTriangle(lv.raster, lv.raster.floor, tri[0], tri[1], tri[2]);
        scene.levels.push_back(std::move(lv));
        landing.push_back(1);
        cutDoors.push_back(std::vector<uint8_t>(scene.levels.back().raster.solid.size(), 0));
        return int(scene.levels.size()) - 1;
    }

    void clearFootprint(Level& lv, const Stair& st) {
        LevelRaster& R = lv.raster;
        const Vec2 along = normalized(st.to - st.from), across = perp(along);
        const double run = norm(st.to - st.from);
        for (int j = 0; j < R.ny; ++j)
            for (int i = 0; i < R.nx; ++i) {
                const Vec2 c{R.origin.x + (i + 0.5) * R.cell, R.origin.y + (j + 0.5) * R.cell};
                const double s = dot(c - st.from, along), w = dot(c - st.from, across);
                if (s < -0.15 || s > run + 0.15 || std::abs(w) > 0.5 * st.width + 0.05) continue;
                R.solid[size_t(R.at(i, j))] = 0;
                R.floor[size_t(R.at(i, j))] = 1;
            }
    }

    void stairs() {
        landing.assign(scene.levels.size(), 0);
        std::map<int, std::vector<const RawElement*>> groups;
        for (const RawElement& e : m.elements)
            if (e.group >= 0) groups[e.group].push_back(&e);
        for (const auto& [g, parts] : groups) {
            const RawElement& head = m.elements[size_t(g)];
            const std::string label = head.el.ifc_class + " '" + head.el.name + "' (" + head.el.global_id + ")";
            // Treads: horizontal upward faces of the flights, clustered by height.
            std::vector<std::pair<double, std::array<P3, 3>>> up;
            std::vector<Tread> landings;
            for (const RawElement* p : parts) {
                const bool flight = p->role == Role::Stair, slab = p->el.ifc_class == "IfcSlab";
                if (!flight && !slab) continue;
                Tread top;
                top.z = zRange(p->el).hi;
                for (size_t t = 0; t + 2 < p->el.triangles.size(); t += 3) {
                    const P3 a = vertex(p->el, p->el.triangles[t]), b = vertex(p->el, p->el.triangles[t + 1]), c = vertex(p->el, p->el.triangles[t + 2]);
                    if (std::abs(normalZ(a, b, c)) < 0.9) continue;  // IFC winding is not always outward
                    if (flight) up.push_back({(a.z + b.z + c.z) / 3, {a, b, c}});
                    else if (std::abs((a.z + b.z + c.z) / 3 - top.z) < 0.02) top.tris.push_back({a, b, c});
                }
                if (slab && !top.tris.empty()) landings.push_back(top);
            }
            std::sort(up.begin(), up.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            std::vector<Tread> treads;
            for (const auto& [z, tri] : up) {
                if (treads.empty() || z - treads.back().z > 0.02) { treads.push_back({}); treads.back().z = z; }
                treads.back().tris.push_back(tri);
            }
            for (Tread& t : treads) {
                double sx = 0, sy = 0;
                for (const auto& tri : t.tris) {
                    double a = 0;
                    normalZ(tri[0], tri[1], tri[2], &a);
                    t.area += a;
                    sx += a * (tri[0].x + tri[1].x + tri[2].x) / 3;
                    sy += a * (tri[0].y + tri[1].y + tri[2].y) / 3;
                }
                t.c = t.area > 0 ? Vec2{sx / t.area, sy / t.area} : Vec2{t.tris[0][0].x, t.tris[0][0].y};
            }
            // The top and the bottom face of a thin tread: keep the top.
            for (size_t k = 0; k + 1 < treads.size();) {
                if (treads[k + 1].z - treads[k].z < 0.08 && norm(treads[k + 1].c - treads[k].c) < 0.3) treads.erase(treads.begin() + long(k));
                else ++k;
            }
            if (std::getenv("SAFETWIN_IMPORT_DEBUG"))
                for (const Tread& t : treads)
                    std::fprintf(stderr, "%s tread z %.3f area %.3f at (%.2f, %.2f)\n", head.el.global_id.c_str(), t.z, t.area, t.c.x, t.c.y);
            std::vector<double> areas;
            for (const Tread& t : treads) areas.push_back(t.area);
            std::vector<Tread> steps;
            if (!areas.empty()) {
                std::nth_element(areas.begin(), areas.begin() + long(areas.size() / 2), areas.end());
                const double median = areas[areas.size() / 2];
                for (Tread& t : treads) {
                    if (t.area < 0.3 * median) continue;  // a stringer's end, a nosing
                    (t.area > 3.0 * median ? landings : steps).push_back(std::move(t));
                }
            }
            // Runs of steps between landings (or where the walk line jumps).
            std::vector<std::vector<const Tread*>> runs(1);
            for (size_t k = 0; k < steps.size(); ++k) {
                if (k > 0) {
                    bool split = norm(steps[k].c - steps[k - 1].c) > 1.0;
                    for (const Tread& l : landings) split |= l.z > steps[k - 1].z + 0.01 && l.z < steps[k].z - 0.01;
                    if (split) runs.emplace_back();
                }
                runs.back().push_back(&steps[k]);
            }
            int made = 0;
            std::string why = "no straight flight of at least 3 steps found";
            for (const auto& run : runs) {
                const size_t n = run.size();
                if (n < 3) continue;
                const Vec2 u = normalized(run.back()->c - run.front()->c);
                const Vec2 v = perp(u);
                bool straight = norm(run.back()->c - run.front()->c) > 0.5;
                for (size_t k = 0; k < n && straight; ++k) {
                    straight = std::abs(dot(run[k]->c - run.front()->c, v)) < 0.25;
                    if (k > 0) straight = straight && dot(run[k]->c - run[k - 1]->c, u) > 0.1;
                }
                if (!straight) { why = "its steps do not follow a straight line (a winding or spiral stair)"; continue; }
                const double tread = dot(run.back()->c - run.front()->c, u) / double(n - 1);
                const double riser = (run.back()->z - run.front()->z) / double(n - 1);
                const double zb = run.front()->z - riser, zt = run.back()->z + riser;
                const Vec2 foot = run.front()->c - u * tread, top = run.back()->c + u * tread;
                int lower = floorAt(zb, foot), upper = floorAt(zt, top);
                for (const Tread& l : landings) {
                    if (lower < 0 && std::abs(l.z - zb) < 0.1) lower = makeLanding(l, head.el.global_id);
                    if (upper < 0 && std::abs(l.z - zt) < 0.1) upper = makeLanding(l, head.el.global_id);
                }
                if (lower < 0 || upper < 0 || lower == upper) {
                    why = "a flight from " + fmt(zb) + " m to " + fmt(zt) + " m does not join two levels or landings";
                    continue;
                }
                double w0 = 1e300, w1 = -1e300;
                for (const Tread* t : run)
                    for (const auto& tri : t->tris)
                        for (const P3& p : tri) {
                            w0 = std::min(w0, dot(Vec2{p.x, p.y} - run.front()->c, v));
                            w1 = std::max(w1, dot(Vec2{p.x, p.y} - run.front()->c, v));
                        }
                Stair st;
                st.id = head.el.global_id + (made ? "-" + std::to_string(made + 1) : std::string());
                st.lower_id = scene.levels[size_t(lower)].id;
                st.upper_id = scene.levels[size_t(upper)].id;
                const Vec2 axis = run.front()->c + v * (0.5 * (w0 + w1));
                st.from = axis - u * (0.5 * tread);
                st.to = st.from + u * (double(n) * tread);
                st.width = w1 - w0;
                st.tread = tread;
                st.riser = (scene.levels[size_t(upper)].elevation - scene.levels[size_t(lower)].elevation) / double(n + 1);
                st.where = SourceRef{m.file, 0, 0};
                if (!(st.width > 0.5 && st.width <= 10 && st.riser > 0.05 && st.riser <= 0.25 && st.tread > 0.2 && st.tread <= 0.5)) {
                    why = "a flight of width " + fmt(st.width) + " m, riser " + fmt(st.riser) + " m, tread " + fmt(st.tread) +
                          " m is outside width (0.5, 10], riser (0.05, 0.25], tread (0.2, 0.5] m";
                    continue;
                }
                clearFootprint(scene.levels[size_t(lower)], st);
                clearFootprint(scene.levels[size_t(upper)], st);
                scene.stairs.push_back(st);
                ++made;
            }
            if (!made) stats.warnings.push_back(label + " is not linked: " + why + "; the levels it serves are not joined through it");
        }
    }

    // [SECTION] Spaces and obstacles ---------------------------------------------------------------

    void spaces() {
        for (const RawElement& e : m.elements) {
            if (e.role != Role::Space || e.el.triangles.empty()) continue;
            const int level = levelOf(e);
            const LevelRaster& R = scene.levels[size_t(level)].raster;
            std::vector<uint8_t> mask(R.solid.size(), 0);
            LevelRaster tmp = R;
            for (size_t t = 0; t + 2 < e.el.triangles.size(); t += 3) {
                const P3 a = vertex(e.el, e.el.triangles[t]), b = vertex(e.el, e.el.triangles[t + 1]), c = vertex(e.el, e.el.triangles[t + 2]);
                if (std::abs(normalZ(a, b, c)) > 0.7) fillTriangle(tmp, mask, a, b, c);  // top and bottom faces
            }
            std::vector<int> label, size;
            const int n = components(mask, R.nx, R.ny, label, size);
            Polygon poly;
            if (n > 0) {
                const int big = int(std::max_element(size.begin(), size.end()) - size.begin());
                poly = outline(R, label, big);
            }
            if (poly.size() < 3 || std::abs(signedArea(poly)) < 0.05) {
                std::vector<Vec2> pts;
                for (size_t v = 0; v + 2 < e.el.xyz.size(); v += 3) pts.push_back({e.el.xyz[v], e.el.xyz[v + 1]});
                poly = convexHull(pts);
            }
            if (poly.size() < 3 || std::abs(signedArea(poly)) < 1e-6) {
                stats.warnings.push_back("space '" + e.el.name + "' (" + e.el.global_id + ") has no floor outline; left out");
                continue;
            }
            Space s;
            s.id = e.el.global_id.empty() ? "S" + std::to_string(spaceCount + 1) : e.el.global_id;
            s.source_id = e.el.global_id;
            s.name = e.el.name;
            for (const IfcFacts::Space& f : m.facts.space_list)
                if (f.gid == e.el.global_id) s.name = f.long_name.empty() ? f.name : f.name + " " + f.long_name;
            s.polygon = std::move(poly);
            s.where = SourceRef{m.file, 0, 0};
            scene.levels[size_t(level)].spaces.push_back(std::move(s));
            ++spaceCount;
        }
    }
    int spaceCount = 0;

    void obstacles() {
        // Meshes that are not IFC: an element whose footprint is small against the model's is an
        // obstacle (a machine, a shelf), the rest is structure.
        const double planArea = (plan.max.x - plan.min.x) * (plan.max.y - plan.min.y);
        std::map<std::string, int> seen;
        for (RawElement& e : m.elements) {
            if (!m.ifc && e.role == Role::Structure) {
                Box2 b;
                for (size_t v = 0; v + 2 < e.el.xyz.size(); v += 3) b.expand(Vec2{e.el.xyz[v], e.el.xyz[v + 1]});
                if ((b.max.x - b.min.x) * (b.max.y - b.min.y) < 0.05 * planArea) e.role = Role::Obstacle;
            }
            if (e.role != Role::Obstacle) continue;
            const ZRange zr = zRange(e.el);
            const int level = std::max(0, levelAt(zr.lo));
            Level& lv = scene.levels[size_t(level)];
            const double lo = lv.elevation + o.body_low, hi = lv.elevation + o.body_high;
            if (zr.hi < lo || zr.lo > hi) continue;  // overhead or below the floor
            std::vector<Vec2> pts;
            for (size_t v = 0; v + 2 < e.el.xyz.size(); v += 3)
                if (e.el.xyz[v + 2] <= hi) pts.push_back({e.el.xyz[v], e.el.xyz[v + 1]});
            Polygon hull = convexHull(pts);
            if (hull.size() < 3 || std::abs(signedArea(hull)) < 0.005) continue;
            Obstacle ob;
            const std::string base = e.el.global_id.empty() ? "obstacle" : e.el.global_id;
            const int k = seen[base]++;
            ob.id = k == 0 ? base : base + "#" + std::to_string(k + 1);
            ob.source_id = e.el.global_id;
            ob.polygon = std::move(hull);
            ob.height = std::max(0.01, zr.hi - lv.elevation);
            ob.where = SourceRef{m.file, 0, 0};
            lv.obstacles.push_back(std::move(ob));
        }
    }

    // [SECTION] Exits ----------------------------------------------------------------------------

    /// Cells reachable from the raster's border without crossing solid cells or doors.
    static std::vector<uint8_t> outside(const LevelRaster& R, const std::vector<uint8_t>& doorCells) {
        std::vector<uint8_t> out(R.solid.size(), 0);
        std::vector<int> stack;
        auto push = [&](int i, int j) {
            if (i < 0 || j < 0 || i >= R.nx || j >= R.ny) return;
            const int c = R.at(i, j);
            if (out[size_t(c)] || R.solid[size_t(c)] || doorCells[size_t(c)]) return;
            out[size_t(c)] = 1;
            stack.push_back(c);
        };
        for (int i = 0; i < R.nx; ++i) { push(i, 0); push(i, R.ny - 1); }
        for (int j = 0; j < R.ny; ++j) { push(0, j); push(R.nx - 1, j); }
        while (!stack.empty()) {
            const int c = stack.back();
            stack.pop_back();
            const int i = c % R.nx, j = c / R.nx;
            push(i - 1, j); push(i + 1, j); push(i, j - 1); push(i, j + 1);
        }
        return out;
    }

    void exits() {
        if (!o.exits_auto) return;
        int doorExits = 0;
        double lowestDoor = 1e300;
        for (const Level& lv : scene.levels)
            if (!lv.doors.empty()) lowestDoor = std::min(lowestDoor, lv.elevation);
        for (size_t l = 0; l < scene.levels.size(); ++l) {
            Level& lv = scene.levels[l];
            if (lv.doors.empty() || lv.elevation > lowestDoor + 1.5) continue;
            std::vector<uint8_t> out = outside(lv.raster, cutDoors[l]);
            // A leaky envelope (a window or a wall gap at body height lets the outside in):
            // count as outside only the floorless ground reached from the border.
            size_t floorCells = 0, floorOut = 0;
            for (size_t c = 0; c < out.size(); ++c) {
                floorCells += lv.raster.floor[c];
                floorOut += lv.raster.floor[c] && out[c];
            }
            if (2 * floorOut > floorCells) {
                std::vector<uint8_t> blocked = cutDoors[l];
                for (size_t c = 0; c < blocked.size(); ++c) blocked[c] |= lv.raster.floor[c];
                out = outside(lv.raster, blocked);
            }
            for (Door& d : lv.doors) {
                const Vec2 u = normalized(d.b - d.a), v = perp(u);
                int sides[2] = {0, 0};
                for (int s = 0; s < 2; ++s) {
                    int n = 0, o2 = 0;
                    for (double t = -0.3; t <= 0.3 + 1e-9; t += 0.15)
                        for (double k = 0.5 * d.depth + 0.2; k <= 0.5 * d.depth + 0.6; k += 0.2) {
                            const int c = lv.raster.cellOf(d.at + u * (t * d.width) + v * ((s ? -1.0 : 1.0) * k));
                            if (c < 0) continue;
                            ++n;
                            o2 += out[size_t(c)];
                        }
                    sides[s] = n && 2 * o2 > n ? 1 : 0;
                }
                if (sides[0] != sides[1]) {
                    d.exit = true;
                    ++doorExits;
                    // Ground in front of the door outside, so that the way out does not end at
                    // the edge of the floor.
                    const Vec2 outward = v * (sides[0] ? 1.0 : -1.0);
                    LevelRaster& R = lv.raster;
                    for (double t = -0.5 * d.width; t <= 0.5 * d.width + 1e-9; t += 0.5 * R.cell)
                        for (double k = 0.0; k <= 0.5 * d.depth + 0.8; k += 0.5 * R.cell) {
                            const int c = R.cellOf(d.at + u * t + outward * k);
                            if (c < 0) continue;
                            R.floor[size_t(c)] = 1;
                            R.solid[size_t(c)] = 0;
                        }
                }
            }
        }
        if (doorExits > 0) return;
        // No door leads out: the open edges of the floor on the lowest level with floor (a
        // plant yard, a hall with gates), where walkable cells meet floorless outside cells.
        for (size_t l = 0; l < scene.levels.size(); ++l) {
            Level& lv = scene.levels[l];
            LevelRaster& R = lv.raster;
            if (std::find(R.floor.begin(), R.floor.end(), 1) == R.floor.end()) continue;
            std::vector<int> ground;  // cells beyond the exits that get floor, set after the search
            const std::vector<uint8_t> out = outside(R, cutDoors[l]);
            const int di[4] = {-1, 1, 0, 0}, dj[4] = {0, 0, -1, 1};
            int made = 0;
            for (int dir = 0; dir < 4; ++dir) {
                std::vector<uint8_t> edge(R.solid.size(), 0);
                for (int j = 0; j < R.ny; ++j)
                    for (int i = 0; i < R.nx; ++i) {
                        const int c = R.at(i, j);
                        if (!R.walkable(c)) continue;
                        const int a = i + di[dir], b = j + dj[dir];
                        if (a < 0 || b < 0 || a >= R.nx || b >= R.ny) continue;
                        const int q = R.at(a, b);
                        if (out[size_t(q)] && !R.floor[size_t(q)]) edge[size_t(c)] = 1;
                    }
                std::vector<int> label, size;
                // Runs along the edge: join cells of a run (8-neighbours along the side).
                const int n = components(dilateAlong(edge, R.nx, R.ny, /*alongY=*/dir < 2), R.nx, R.ny, label, size);
                std::vector<Box2> boxes(static_cast<size_t>(n));
                std::vector<int> counts(static_cast<size_t>(n), 0);
                for (int c = 0; c < R.nx * R.ny; ++c)
                    if (edge[size_t(c)] && label[size_t(c)] >= 0) {
                        const int i = c % R.nx, j = c / R.nx;
                        const Vec2 p{R.origin.x + (i + 0.5 + 0.5 * di[dir]) * R.cell, R.origin.y + (j + 0.5 + 0.5 * dj[dir]) * R.cell};
                        boxes[size_t(label[size_t(c)])].expand(p);
                        ++counts[size_t(label[size_t(c)])];
                    }
                for (int k = 0; k < n; ++k) {
                    const Box2& b = boxes[size_t(k)];
                    if (!b.valid() || (dir < 2 ? b.max.y - b.min.y : b.max.x - b.min.x) + R.cell < 0.8) continue;
                    Exit e;
                    e.id = "E" + std::to_string(scene.exits.size() + 1);
                    e.level_id = lv.id;
                    const double half = 0.5 * R.cell;
                    if (dir < 2) {
                        const double x = 0.5 * (b.min.x + b.max.x);
                        e.a = {x, b.min.y - half};
                        e.b = {x, b.max.y + half};
                    } else {
                        const double y = 0.5 * (b.min.y + b.max.y);
                        e.a = {b.min.x - half, y};
                        e.b = {b.max.x + half, y};
                    }
                    e.where = SourceRef{m.file, 0, 0};
                    if (!roomy(R, e.a, e.b)) continue;
                    // Ground beyond the edge (0.6 m), so the way out does not end at the edge.
                    for (int c = 0; c < R.nx * R.ny; ++c) {
                        if (!edge[size_t(c)] || label[size_t(c)] != k) continue;
                        for (int s2 = 1; s2 <= int(std::ceil(0.6 / R.cell)); ++s2) {
                            const int a = c % R.nx + s2 * di[dir], b2 = c / R.nx + s2 * dj[dir];
                            if (a < 0 || b2 < 0 || a >= R.nx || b2 >= R.ny || R.solid[size_t(R.at(a, b2))]) break;
                            ground.push_back(R.at(a, b2));
                        }
                    }
                    scene.exits.push_back(e);
                    ++made;
                }
            }
            for (int c : ground) R.floor[size_t(c)] = 1;
            if (made > 0) return;
        }
    }

    /// True if some point of segment [a, b] has walkable floor with no solid within 0.2 m, so
    /// that a navigation cell there stays free.
    static bool roomy(const LevelRaster& R, Vec2 a, Vec2 b) {
        const int n = std::max(1, int(norm(b - a) / (0.5 * R.cell)));
        for (int k = 0; k <= n; ++k) {
            const Vec2 p = a + (b - a) * (double(k) / n);
            if (!R.walkable(R.cellOf(p))) continue;
            bool clear = true;
            for (double dx = -0.2; dx <= 0.2 + 1e-9 && clear; dx += R.cell)
                for (double dy = -0.2; dy <= 0.2 + 1e-9 && clear; dy += R.cell) {
                    const int c = R.cellOf(p + Vec2{dx, dy});
                    clear = c < 0 || !R.solid[size_t(c)];
                }
            if (clear) return true;
        }
        return false;
    }

    /// Joins cells one apart along rows (or columns) so that a jagged edge forms one run.
    static std::vector<uint8_t> dilateAlong(const std::vector<uint8_t>& m, int nx, int ny, bool alongY) {
        std::vector<uint8_t> d = m;
        for (int j = 0; j < ny; ++j)
            for (int i = 0; i < nx; ++i) {
                if (!m[size_t(j * nx + i)]) continue;
                for (int k = -1; k <= 1; ++k) {
                    const int a = alongY ? i + k : i, b = alongY ? j : j + k;
                    if (a >= 0 && b >= 0 && a < nx && b < ny) d[size_t(b * nx + a)] = 1;
                }
            }
        return d;
    }

    // Cleanup and checks ------------------------------------------------------------------------

    /// Walkable pockets under 0.5 m^2 (the inside of a wall between its two faces, a gap behind
    /// a cupboard) are dropped, so they neither hold people nor raise warnings.
    void dropPockets() {
        for (Level& lv : scene.levels) {
            LevelRaster& R = lv.raster;
            std::vector<uint8_t> walk(R.solid.size());
            for (size_t c = 0; c < walk.size(); ++c) walk[c] = R.floor[c] && !R.solid[c];
            std::vector<int> label, size;
            components(walk, R.nx, R.ny, label, size);
            const int minCells = int(std::ceil(0.5 / (R.cell * R.cell)));
            // On a yard, the inside of a closed building (its walls have no gap) is not walkable.
            std::vector<uint8_t> open(size.size(), 0);
            if (yardMade && &lv == &scene.levels.front())
                for (int j = 0; j < R.ny; ++j)
                    for (int i = 0; i < R.nx; ++i) {
                        const int c = R.at(i, j);
                        if (label[size_t(c)] < 0) continue;
                        const bool edge = i == 0 || j == 0 || i == R.nx - 1 || j == R.ny - 1 || !R.floor[size_t(R.at(i - 1, j))] ||
                                          !R.floor[size_t(R.at(i + 1, j))] || !R.floor[size_t(R.at(i, j - 1))] || !R.floor[size_t(R.at(i, j + 1))];
                        if (edge) open[size_t(label[size_t(c)])] = 1;
                    }
            // A closed building on a yard is an obstacle (its walls stay in the raster).
            if (yardMade && &lv == &scene.levels.front())
                for (size_t k = 0; k < size.size(); ++k)
                    if (!open[k] && size[k] * R.cell * R.cell >= 1.0) {
                        Obstacle ob;
                        ob.id = "building-" + std::to_string(lv.obstacles.size() + 1);
                        ob.polygon = outline(R, label, int(k));
                        ob.height = o.body_high;
                        ob.where = SourceRef{m.file, 0, 0};
                        if (ob.polygon.size() >= 3) lv.obstacles.push_back(std::move(ob));
                    }
            for (size_t c = 0; c < walk.size(); ++c)
                if (label[c] >= 0 && (size[size_t(label[c])] < minCells || (yardMade && &lv == &scene.levels.front() && !open[size_t(label[c])])))
                    R.floor[c] = 0;
        }
    }

    void spaceDoorCheck() {
        for (const Level& lv : scene.levels)
            for (const Space& s : lv.spaces) {
                bool touched = false;
                for (const Level& other : scene.levels) {
                    for (const Door& d : other.doors) {
                        if (std::abs(other.elevation - lv.elevation) > 0.5) continue;
                        const Vec2 v = perp(normalized(d.b - d.a));
                        for (double k : {-1.0, 1.0})
                            touched |= pointInPolygon(d.at + v * (k * (0.5 * d.depth + 0.3)), s.polygon);
                    }
                    for (const Exit& e : scene.exits)
                        touched |= e.level_id == lv.id && distanceToPolygonBoundary((e.a + e.b) * 0.5, s.polygon) < 0.5;
                }
                for (const Stair& st : scene.stairs)
                    touched |= (st.lower_id == lv.id && pointInPolygon(st.from, s.polygon)) ||
                               (st.upper_id == lv.id && pointInPolygon(st.to, s.polygon));
                if (!touched)
                    stats.warnings.push_back("space '" + s.name + "' (" + s.id + ") on " + lv.id + " has no door");
            }
    }
};

}  // namespace

Scene buildScene(RawModel&& model, const ImportOptions& options, ImportStats& stats) {
    const auto t0 = std::chrono::steady_clock::now();
    Builder b(model, options, stats);
    b.scene.name = model.file;
    b.scene.where = SourceRef{model.file, 0, 0};
    for (const RawElement& e : model.elements) stats.triangles += e.el.triangles.size() / 3;
    stats.points = model.source_points;
    stats.format = model.format;
    for (std::string& w : model.warnings) stats.warnings.push_back(std::move(w));
    b.levels();
    b.rasters();
    {
        std::vector<const ModelElement*> statics;
        for (const RawElement& e : model.elements)
            if (e.role == Role::Structure || e.role == Role::Floor || e.role == Role::Stair) statics.push_back(&e.el);
        const CollisionWorld world(statics);
        b.doors(world);
    }
    b.stairs();
    b.spaces();
    b.obstacles();
    b.dropPockets();
    b.exits();
    b.spaceDoorCheck();
    // Keep the triangles for the viewer.
    auto geometry = std::make_shared<ModelGeometry>();
    geometry->file = model.file;
    for (RawElement& e : model.elements) {
        e.el.level = b.levelOf(e);
        geometry->elements.push_back(std::move(e.el));
    }
    b.scene.model = geometry;
    stats.build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::move(b.scene);
}

}  // namespace safetwin::import

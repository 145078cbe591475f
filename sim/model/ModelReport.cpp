#include "sim/model/ModelReport.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/run/Simulation.hpp"
#include "sim/scenario/Profile.hpp"

namespace safetwin {

namespace {

double round3(double v) {
    const double r = std::round(v * 1000.0) / 1000.0;
    return r == 0.0 ? 0.0 : r;  // no "-0"
}

}  // namespace

WalkableSummary summariseWalkable(const NavGrid& grid, double min_island_m2, double clearance) {
    const Scene& scene = grid.scene();
    WalkableSummary out;
    out.level_area_m2.assign(scene.levels.size(), 0.0);
    const double a = grid.cell() * grid.cell();
    // Breadth-first search from every exit cell over free cells, across layers by redirects.
    std::vector<uint8_t> reached(size_t(grid.nodeCount()), 0);
    std::vector<int> queue;
    for (const NavLayer& L : grid.layers())
        for (int c = 0; c < L.cells(); ++c)
            if (!L.solid[size_t(c)] && L.exit_id[size_t(c)] >= 0 && grid.exitOpen(L.exit_id[size_t(c)])) {
                reached[size_t(L.node0 + c)] = 1;
                queue.push_back(L.node0 + c);
            }
    // Cells that redirect into a node: reaching the node reaches them too.
    std::vector<std::vector<int>> into(size_t(grid.nodeCount()));
    for (const NavLayer& L : grid.layers())
        for (int c = 0; c < L.cells(); ++c)
            if (L.redirect[size_t(c)] >= 0 && !L.solid[size_t(c)]) into[size_t(L.redirect[size_t(c)])].push_back(L.node0 + c);
    auto visit = [&](int n) {
        if (!reached[size_t(n)]) { reached[size_t(n)] = 1; queue.push_back(n); }
    };
    for (size_t q = 0; q < queue.size(); ++q) {
        const int n = queue[q];
        const int l = grid.layerOfNode(n);
        const NavLayer& L = grid.layer(l);
        const int c = n - L.node0, i = c % L.nx, j = c / L.nx;
        if (L.redirect[size_t(c)] >= 0) visit(L.redirect[size_t(c)]);
        for (int m : into[size_t(n)]) visit(m);
        const int nb[4][2] = {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}};
        for (const auto& p : nb) {
            if (!L.inside(p[0], p[1])) continue;
            const int d = L.at(p[0], p[1]);
            if (L.solid[size_t(d)]) continue;
            // A cell too close to a wall is reached but leads nowhere (a gap narrower than a body).
            if (L.wall_dist[size_t(d)] >= clearance || L.redirect[size_t(d)] >= 0) visit(L.node0 + d);
            else reached[size_t(L.node0 + d)] = 1;
        }
    }
    out.reached.resize(scene.levels.size());
    for (size_t lv = 0; lv < scene.levels.size(); ++lv) {
        const NavLayer& L = grid.layer(grid.levelLayer(int(lv)));
        out.reached[lv].assign(reached.begin() + L.node0, reached.begin() + L.node0 + L.cells());
        std::vector<int> label(size_t(L.cells()), -1);
        for (int c0 = 0; c0 < L.cells(); ++c0) {
            if (L.solid[size_t(c0)] || L.redirect[size_t(c0)] >= 0) continue;
            out.level_area_m2[lv] += a;
            if (reached[size_t(L.node0 + c0)] || label[size_t(c0)] >= 0) continue;
            std::vector<int> stack{c0};
            label[size_t(c0)] = c0;
            int count = 0;
            while (!stack.empty()) {
                const int c = stack.back();
                stack.pop_back();
                ++count;
                const int i = c % L.nx, j = c / L.nx;
                const int nb[4][2] = {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}};
                for (const auto& p : nb) {
                    if (!L.inside(p[0], p[1])) continue;
                    const int d = L.at(p[0], p[1]);
                    if (L.solid[size_t(d)] || L.redirect[size_t(d)] >= 0 || label[size_t(d)] >= 0 || reached[size_t(L.node0 + d)]) continue;
                    label[size_t(d)] = c0;
                    stack.push_back(d);
                }
            }
            if (count * a >= min_island_m2)
                out.islands.push_back({int(lv), grid.cellCentre(L, c0 % L.nx, c0 / L.nx), count * a});
        }
    }
    return out;
}

nlohmann::ordered_json modelReport(const Scene& scene, const ImportStats& stats, const NavGrid* grid,
                                   const WalkableSummary* walkable, double navgrid_s) {
    using nlohmann::ordered_json;
    std::map<std::string, const ModelElement*> elements;
    if (scene.model)
        for (const ModelElement& e : scene.model->elements)
            if (!e.global_id.empty()) elements[e.global_id] = &e;
    auto nameOf = [&](const std::string& gid) {
        const auto it = elements.find(gid);
        return it == elements.end() ? std::string() : it->second->name;
    };
    ordered_json r;
    r["file"] = scene.model ? scene.model->file : scene.name;
    r["format"] = stats.format;
    r["triangles"] = stats.triangles;
    if (stats.points) r["points"] = stats.points;
    // Bounding box of the model's geometry (z up).
    double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
    if (scene.model)
        for (const ModelElement& e : scene.model->elements)
            for (size_t v = 0; v + 2 < e.xyz.size(); v += 3)
                for (int k = 0; k < 3; ++k) {
                    lo[k] = std::min(lo[k], double(e.xyz[v + size_t(k)]));
                    hi[k] = std::max(hi[k], double(e.xyz[v + size_t(k)]));
                }
    if (lo[0] > hi[0]) {
        const Box2 b = scene.bounds();
        lo[0] = b.min.x; lo[1] = b.min.y; hi[0] = b.max.x; hi[1] = b.max.y;
        lo[2] = scene.levels.empty() ? 0 : scene.levels.front().elevation;
        hi[2] = scene.levels.empty() ? 0 : scene.levels.back().elevation + scene.levels.back().height;
    }
    r["bounding_box"] = {{"min", {round3(lo[0]), round3(lo[1]), round3(lo[2])}}, {"max", {round3(hi[0]), round3(hi[1]), round3(hi[2])}}};
    double total = 0.0;
    ordered_json levels = ordered_json::array(), doors = ordered_json::array(), spaces = ordered_json::array();
    size_t obstacles = 0;
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        const Level& lv = scene.levels[l];
        double area = walkable ? walkable->level_area_m2[l] : 0.0;
        if (!walkable && !lv.raster.empty()) {
            // Without a navigation grid (no exit yet): walkable raster cells outside obstacles.
            const LevelRaster& R = lv.raster;
            for (int j = 0; j < R.ny; ++j)
                for (int i = 0; i < R.nx; ++i) {
                    const Vec2 c{R.origin.x + (i + 0.5) * R.cell, R.origin.y + (j + 0.5) * R.cell};
                    if (!R.walkable(R.at(i, j))) continue;
                    if (std::none_of(lv.obstacles.begin(), lv.obstacles.end(), [&](const Obstacle& o) { return pointInPolygon(c, o.polygon); }))
                        area += R.cell * R.cell;
                }
        }
        total += area;
        obstacles += lv.obstacles.size();
        levels.push_back({{"id", lv.id}, {"name", lv.name}, {"elevation_m", round3(lv.elevation)},
                          {"walkable_area_m2", std::round(area * 10) / 10}, {"doors", lv.doors.size()},
                          {"spaces", lv.spaces.size()}, {"obstacles", lv.obstacles.size()}});
        for (const Door& d : lv.doors)
            doors.push_back({{"id", d.id}, {"name", nameOf(d.source_id)}, {"level", lv.id}, {"width_m", round3(d.width)},
                             {"at", {round3(d.at.x), round3(d.at.y)}}, {"exit", d.exit}, {"closed", d.closed}});
        for (const Space& s : lv.spaces)
            spaces.push_back({{"id", s.id}, {"name", s.name}, {"level", lv.id},
                              {"area_m2", std::round(std::abs(signedArea(s.polygon)) * 10) / 10}});
    }
    ordered_json exits = ordered_json::array(), stairs = ordered_json::array();
    for (const Exit& e : scene.exits)
        exits.push_back({{"id", e.id}, {"level", e.level_id}, {"width_m", round3(e.width())}, {"door", e.door},
                         {"from", {round3(e.a.x), round3(e.a.y)}}, {"to", {round3(e.b.x), round3(e.b.y)}}});
    for (const Stair& s : scene.stairs)
        stairs.push_back({{"id", s.id}, {"lower", s.lower_id}, {"upper", s.upper_id}, {"width_m", round3(s.width)},
                          {"from", {round3(s.from.x), round3(s.from.y)}}, {"to", {round3(s.to.x), round3(s.to.y)}},
                          {"riser_m", round3(s.riser)}, {"tread_m", round3(s.tread)}});
    r["levels"] = levels;
    r["doors"] = doors;
    r["exits"] = exits;
    r["stairs"] = stairs;
    r["spaces"] = spaces;
    r["obstacles"] = obstacles;
    r["walkable_area_m2"] = std::round(total * 10) / 10;
    r["import_s"] = round3(stats.total_s());
    r["read_s"] = round3(stats.read_s);
    r["build_s"] = round3(stats.build_s);
    r["navgrid_s"] = round3(navgrid_s);
    r["peak_memory_kib"] = peakMemoryKiB();
    ordered_json warnings = ordered_json::array();
    for (const std::string& w : stats.warnings) warnings.push_back(w);
    if (scene.exits.empty()) warnings.push_back("no exit found: mark a door as an exit or add an exit line in the scenario");
    if (walkable && grid)
        for (const Island& is : walkable->islands) {
            std::string in;
            for (const Space& sp : scene.levels[size_t(is.level)].spaces)
                if (pointInPolygon(is.centre, sp.polygon)) in = " in space '" + sp.name + "' (" + sp.id + ")";
            warnings.push_back("walkable island of " + std::to_string(int(std::round(is.area_m2))) + " m^2 on " +
                               scene.levels[size_t(is.level)].id + " around (" + std::to_string(int(std::round(is.centre.x))) + ", " +
                               std::to_string(int(std::round(is.centre.y))) + ")" + in + " has no way to an exit");
        }
    r["warnings"] = warnings;
    return r;
}

std::vector<Population> peopleInSpaces(const Scene& scene, const NavGrid& grid, std::vector<std::string>* unplaced) {
    std::vector<Population> pops;
    const Profile* weidmann = builtinProfile("weidmann");
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        const int layer = grid.levelLayer(int(l));
        const NavLayer& L = grid.layer(layer);
        for (const Space& s : scene.levels[l].spaces) {
            const Box2 b = bounds(s.polygon);
            double best = 0.0;
            Vec2 at;
            for (int j = 0; j < L.ny; ++j)
                for (int i = 0; i < L.nx; ++i) {
                    const int c = L.at(i, j);
                    if (L.solid[size_t(c)] || L.redirect[size_t(c)] >= 0 || L.exit_id[size_t(c)] >= 0) continue;
                    const Vec2 p = grid.cellCentre(L, i, j);
                    if (!b.contains(p) || !pointInPolygon(p, s.polygon)) continue;
                    if (L.wall_dist[size_t(c)] > best) { best = L.wall_dist[size_t(c)]; at = p; }
                }
            if (best < 0.25) {
                if (unplaced) unplaced->push_back(s.id + " (" + s.name + ") on " + scene.levels[l].id + ": no walkable floor 0.25 m from walls");
                continue;
            }
            Population p;
            p.name = s.id;
            p.level_id = scene.levels[l].id;
            p.positions = {at};
            p.count = 1;
            p.profile = *weidmann;
            pops.push_back(std::move(p));
        }
    }
    return pops;
}

nlohmann::ordered_json evacuateSpaces(const Scene& scene, const NavGrid& grid, const WalkableSummary& walkable,
                                      const ImportStats& stats, double duration) {
    nlohmann::ordered_json r;
    std::vector<std::string> unplaced;
    Scenario sc;
    sc.name = scene.name;
    sc.scene = scene;
    sc.duration = duration;
    sc.populations = peopleInSpaces(scene, grid, &unplaced);
    r["people"] = sc.populations.size();
    r["not_placed"] = unplaced;
    if (sc.populations.empty()) {
        r["evacuated"] = 0;
        r["stuck"] = nlohmann::ordered_json::array();
        return r;
    }
    Simulation sim(sc);
    sim.run();
    r["evacuated"] = sim.evacuated();
    const auto summary = sim.summary();
    r["evacuation_time_s"] = summary["evacuation_time_s"];
    std::string stairs;
    for (const std::string& w : stats.warnings)
        if (w.find("is not linked") != std::string::npos) stairs += (stairs.empty() ? "" : "; ") + w;
    nlohmann::ordered_json stuck = nlohmann::ordered_json::array();
    for (size_t a = 0; a < sim.agents().size(); ++a) {
        if (sim.agents()[a].exit >= 0) continue;
        const Population& p = sc.populations[size_t(sim.agents()[a].population)];
        const auto where = scene.findSpace(p.name);
        const int level = where ? where->first : 0;
        const Vec2 at = p.positions.front();
        std::string reason = "did not reach an exit within " + std::to_string(int(duration)) + " s";
        const int layer = grid.levelLayer(level);
        const int cell = grid.cellAt(layer, at);
        const bool island = cell >= 0 && !walkable.reached[size_t(level)][size_t(cell)];
        if (island)
            reason = "its floor has no way to an exit (a walkable island of level " + scene.levels[size_t(level)].id + ")" +
                     (stairs.empty() ? std::string() : "; " + stairs);
        stuck.push_back({{"space", p.name},
                         {"name", where ? scene.levels[size_t(where->first)].spaces[size_t(where->second)].name : std::string()},
                         {"level", scene.levels[size_t(level)].id},
                         {"reason", reason}});
    }
    r["stuck"] = stuck;
    return r;
}

}  // namespace safetwin

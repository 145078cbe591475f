// Helpers for the import tests: counting entities in IFC text, placing people, running a scene.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "TestSupport.hpp"
#include "sim/model/ModelReport.hpp"
#include "sim/run/Simulation.hpp"

namespace safetwin::test {

/// Occurrences of `entity` + "(" in the file's text (e.g. "IFCDOOR" counts IFCDOOR( only,
/// not IFCDOORSTYLE().
inline int countEntities(const std::filesystem::path& file, const std::string& entity) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str(), key = entity + "(";
    int n = 0;
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + key.size()))
        if (at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]))) ++n;
    return n;
}

/// Levels made from storeys (not stair landings, which the importer adds as levels).
inline int storeyLevels(const Scene& scene) {
    int n = 0;
    for (const Level& l : scene.levels) n += l.id.rfind("landing-", 0) == 0 ? 0 : 1;
    return n;
}

/// Up to `count` people on `level`, on walkable cells at least 0.5 m from walls from which an
/// exit can be reached, spread over the level, as one population at explicit points.
inline Population spreadPeople(const NavGrid& grid, int level, int count, const std::string& name = "people") {
    const NavLayer& L = grid.layer(grid.levelLayer(level));
    const WalkableSummary walk = summariseWalkable(grid);  // only where an exit can be reached
    std::vector<Vec2> cells;
    for (int j = 0; j < L.ny; j += 3)
        for (int i = 0; i < L.nx; i += 3) {
            const int c = L.at(i, j);
            if (!L.solid[size_t(c)] && L.redirect[size_t(c)] < 0 && L.exit_id[size_t(c)] < 0 && L.wall_dist[size_t(c)] > 0.5 &&
                walk.reached[size_t(level)][size_t(c)])
                cells.push_back(grid.cellCentre(L, i, j));
        }
    Population p;
    p.name = name;
    p.level_id = grid.scene().levels[size_t(level)].id;
    const size_t stride = std::max<size_t>(1, cells.size() / size_t(std::max(1, count)));
    for (size_t k = 0; k < cells.size() && int(p.positions.size()) < count; k += stride) p.positions.push_back(cells[k]);
    p.count = int(p.positions.size());
    p.profile = *builtinProfile("weidmann");
    return p;
}

/// Runs the people of `pops` in `scene` to the end (at most `duration` s).
inline std::unique_ptr<Simulation> evacuate(const Scene& scene, std::vector<Population> pops, double duration = 600.0) {
    Scenario s;
    s.name = scene.name;
    s.scene = scene;
    s.populations = std::move(pops);
    s.duration = duration;
    s.seed = 7;
    auto sim = std::make_unique<Simulation>(s);
    sim->run();
    return sim;
}

}  // namespace safetwin::test

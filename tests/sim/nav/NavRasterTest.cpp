// Imported levels: a LevelRaster blocks cells and placed doors (no wall) open and close.
#include <catch2/catch.hpp>

#include "sim/SceneBuilders.hpp"
#include "sim/nav/FastMarching.hpp"
#include "sim/nav/NavGrid.hpp"

using namespace safetwin;

namespace {

/// A 10 m x 6 m floor on a 0.1 m raster with a 0.1 m thick partition at x = 5 and a 1 m gap
/// at y in [2.5, 3.5] for a placed door; an exit line at the east end.
Scene rasterScene() {
    Scene scene;
    Level L;
    L.id = "L0";
    LevelRaster& R = L.raster;
    R.origin = {0, 0};
    R.cell = 0.1;
    R.nx = 100;
    R.ny = 60;
    R.solid.assign(size_t(R.nx * R.ny), 0);
    R.floor.assign(size_t(R.nx * R.ny), 1);
    for (int j = 0; j < R.ny; ++j) {
        const double y = (j + 0.5) * R.cell;
        if (y > 2.5 && y < 3.5) continue;
        R.solid[size_t(R.at(50, j))] = 1;
    }
    for (int j = 0; j < 10; ++j)
        for (int i = 0; i < 10; ++i) R.floor[size_t(R.at(i, j))] = 0;  // a hole in the floor
    Door d;
    d.id = "D1";
    d.placed = true;
    d.a = {5.05, 2.5};
    d.b = {5.05, 3.5};
    d.width = 1.0;
    d.depth = 0.1;
    L.doors.push_back(d);
    scene.levels.push_back(L);
    scene.exits.push_back(test::exitLine("E", "L0", {9.9, 0.5}, {9.9, 5.5}));
    resolveScene(scene);
    return scene;
}

}  // namespace

TEST_CASE("a level raster blocks its solid and floorless cells", "[nav][import]") {
    const Scene scene = rasterScene();
    NavGrid grid(scene, NavOptions{});
    const int l = grid.levelLayer(0);
    REQUIRE_FALSE(grid.walkable(l, {5.05, 1.0}));   // partition, thinner than a nav cell
    REQUIRE(grid.walkable(l, {5.05, 3.0}));         // the door gap
    REQUIRE(grid.walkable(l, {3.0, 3.0}));
    REQUIRE_FALSE(grid.walkable(l, {0.5, 0.5}));    // no floor
    REQUIRE_FALSE(grid.walkable(l, {-0.5, 3.0}));   // outside the raster

    SECTION("closing the placed door closes the gap") {
        grid.setDoorClosed(0, 0, true);
        REQUIRE_FALSE(grid.walkable(l, {5.05, 3.0}));
        grid.setDoorClosed(0, 0, false);
        REQUIRE(grid.walkable(l, {5.05, 3.0}));
    }
}

// A door's opening on the navigation grid: as many cells as its width holds, wherever its
// edges fall on the lattice. Expected counts are width / h for widths that are multiples of
// the cell size h, which is what the flow through the door scales with.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/SceneBuilders.hpp"
#include "sim/nav/NavGrid.hpp"

using namespace safetwin;

namespace {

/// Free cells in the wall x = 10 of a 10 m x 20 m room with one door at (10, y).
int doorCells(double y, double width) {
    Scene scene;
    Level L = test::roomLevel(10, 20);
    L.doors.push_back(test::door("D", {10.0, y}, width, true));
    scene.levels.push_back(L);
    resolveScene(scene);
    const NavGrid grid(scene, NavOptions{});
    const int l = grid.levelLayer(0);
    int n = 0;
    for (int j = 0; j < 100; ++j) n += grid.walkable(l, {10.0, 0.1 + 0.2 * j});
    return n;
}

}  // namespace

TEST_CASE("a door is as wide on the grid as it is written", "[nav]") {
    // Edges between cell centres (y = 5.1 +- 0.5) and on cell centres (y = 5.0 +- 0.5: a
    // 1 m door centred on a whole metre, which an inclusive test widened to 1.2 m).
    for (double y : {5.1, 5.0, 12.0, 7.3})
        for (double width : {0.8, 1.0, 1.2, 2.0}) {
            INFO("door at y = " << y << ", width " << width << " m");
            REQUIRE(doorCells(y, width) == int(std::lround(width / 0.2)));
        }
}

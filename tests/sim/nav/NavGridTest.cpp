#include <catch2/catch.hpp>

#include <cmath>

#include "sim/SceneBuilders.hpp"
#include "sim/nav/FastMarching.hpp"
#include "sim/nav/NavGrid.hpp"

using namespace safetwin;

TEST_CASE("distance transform is exact Euclidean", "[nav]") {
    const int nx = 37, ny = 23;
    std::vector<uint8_t> seed(size_t(nx * ny), 0);
    seed[size_t(5 * nx + 7)] = 1;
    seed[size_t(20 * nx + 30)] = 1;
    const auto d2 = squaredDistanceTransform(seed, nx, ny);
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            const double a = (i - 7) * (i - 7) + (j - 5) * (j - 5);
            const double b = (i - 30) * (i - 30) + (j - 20) * (j - 20);
            REQUIRE(d2[size_t(j * nx + i)] == Approx(std::min(a, b)));
        }
}

TEST_CASE("walls are solid barriers and doors are openings", "[nav]") {
    Scene scene;
    Level L = test::roomLevel(10, 6);
    L.walls.push_back(Wall{"", {{5, 0}, {5, 6}}, 0.1, 3.0, {}});  // thin partition, thinner than a cell
    L.doors.push_back(test::door("D1", {5, 3}, 1.0));
    L.doors.push_back(test::door("EXIT", {10, 3}, 1.2, true));
    scene.levels.push_back(L);
    resolveScene(scene);
    NavGrid grid(scene, NavOptions{});
    const int l = grid.levelLayer(0);

    SECTION("cells on the partition are solid except at the door") {
        REQUIRE_FALSE(grid.walkable(l, {5.0, 1.0}));
        REQUIRE_FALSE(grid.walkable(l, {5.05, 5.0}));
        REQUIRE(grid.walkable(l, {5.0, 3.0}));
        REQUIRE(grid.walkable(l, {2.0, 2.0}));
    }
    SECTION("wall distance is about the distance to the wall surface") {
        // Room interior: x = 2.0 is 1.9 m from the inner face of the west wall (centre x=0,
        // half thickness 0.1, rasterised 0.15 m). Grid error is at most one cell.
        REQUIRE(grid.wallDistance(l, {2.0, 1.5}) == Approx(1.5 - 0.15).margin(0.2));
    }
    SECTION("closing the door cuts the west half off the exit") {
        const auto F = routeSlowness(grid, {});
        const int exit = scene.exitIndex("EXIT");
        REQUIRE(sampleCost(grid, computeRouteField(grid, F, exit), l, {2, 3}) < 1e3f);
        grid.setDoorClosed(0, 0, true);
        const auto F2 = routeSlowness(grid, {});
        REQUIRE(sampleCost(grid, computeRouteField(grid, F2, exit), l, {2, 3}) == RouteField::kUnreachable);
        REQUIRE(sampleCost(grid, computeRouteField(grid, F2, exit), l, {8, 3}) < 1e3f);
    }
}

TEST_CASE("fast marching distances are isotropic (unlike graph distances)", "[nav]") {
    // A large room, exit a short line in the middle of the floor: the field is the distance to
    // the line. A 4-neighbour breadth-first search would give |dx| + |dy| (41 % too long on
    // the diagonal); first-order fast marching stays within a few per cent.
    Scene scene;
    scene.levels.push_back(test::roomLevel(40, 40));
    scene.exits.push_back(test::exitLine("E", "L0", {20.0, 20.0}, {20.0, 20.3}));
    resolveScene(scene);
    NavGrid grid(scene, NavOptions{});
    RouteCostOptions o;
    o.wall_penalty = 0.0;
    const auto field = computeRouteField(grid, routeSlowness(grid, o), 0);
    const int l = grid.levelLayer(0);
    for (double angle : {0.0, 22.5, 45.0, 67.5, 90.0, 135.0}) {
        const double r = 12.0, a = angle * M_PI / 180.0;
        const Vec2 p{20.0 + r * std::cos(a), 20.15 + r * std::sin(a)};
        const double exact = distanceToSegment(p, {20.0, 20.0}, {20.0, 20.3});
        INFO("angle " << angle);
        REQUIRE(sampleCost(grid, field, l, p) == Approx(exact).epsilon(0.04));
        // The direction field points at the exit.
        const Vec2 d = sampleDirection(grid, field, l, p);
        REQUIRE(dot(d, normalized(Vec2{20.0, 20.15} - p)) > 0.99);
    }
}

TEST_CASE("route fields cross stairs between levels", "[nav]") {
    // Two 12 x 6 m levels 3 m apart; a stair of 3 m rise (17 risers of 0.1765 m, 16 treads of
    // 0.28 m = 4.48 m run) along x; the exit is on the ground floor.
    Scene scene;
    scene.levels.push_back(test::roomLevel(12, 6, "L0", 0.0));
    scene.levels.push_back(test::roomLevel(12, 6, "L1", 3.0));
    scene.levels[0].doors.push_back(test::door("EXIT", {0, 3}, 1.2, true));
    Stair s;
    s.id = "S1";
    s.lower_id = "L0";
    s.upper_id = "L1";
    s.from = {4.0, 4.5};
    s.to = {8.48, 4.5};
    s.width = 1.2;
    s.riser = 3.0 / 17;
    s.tread = 0.28;
    scene.stairs.push_back(s);
    resolveScene(scene);
    NavGrid grid(scene, NavOptions{});
    const auto field = computeRouteField(grid, routeSlowness(grid, {}), 0);
    const int up = grid.levelLayer(1), st = grid.stairLayer(0);
    const float onUpper = sampleCost(grid, field, up, {10.0, 4.5});
    const float onStair = sampleCost(grid, field, st, {6.0, 4.5});
    REQUIRE(onUpper < 1e3f);
    REQUIRE(onStair < onUpper);
    // Lower bound: the plan path from (10, 4.5) along the stair to its foot and on to the exit,
    // with the stair part weighted by its cost factor.
    const double stairFactor = scene.stairs[0].slope_length / scene.stairs[0].run * RouteCostOptions{}.stair_speed_ratio;
    const double lower = 1.52 + 4.48 * stairFactor + norm(Vec2{4.0, 4.5} - Vec2{0.0, 3.0});
    REQUIRE(onUpper > lower * 0.97);
    REQUIRE(onUpper < lower * 1.35);
    // Elevation on the stair rises linearly.
    REQUIRE(grid.elevation(st, {4.0 + 4.48 / 2, 4.5}) == Approx(1.5));
}

TEST_CASE("lattice indices equal floor((x - origin) / h) exactly, on cell edges too", "[nav]") {
    Scene scene;
    scene.levels.push_back(test::roomLevel(60, 60));
    scene.exits.push_back(test::exitLine("E", "L0", {59.0, 29.0}, {59.0, 31.0}));
    resolveScene(scene);
    for (const double h : {0.2, 0.1, 0.15, 0.05}) {
        NavOptions options;
        options.cell = h;
        const NavGrid grid(scene, options);
        const Vec2 o = grid.origin();
        int checked = 0, mismatches = 0;
        for (int k = -5; k < 400; ++k) {
            // Points on a cell edge as the division sees it, and one unit in the last place
            // either side, where a multiplication by 1 / h alone can land on the other side.
            const double edge = o.x + k * h;
            for (const double x : {edge, std::nextafter(edge, -1e9), std::nextafter(edge, 1e9), edge + 0.37 * h}) {
                ++checked;
                mismatches += grid.latticeI(x) != int(std::floor((x - o.x) / h));
                mismatches += grid.latticeJ(x - o.x + o.y) != int(std::floor(((x - o.x + o.y) - o.y) / h));
            }
        }
        INFO("cell " << h << " m");
        CHECK(checked == 405 * 4);
        CHECK(mismatches == 0);
    }
}

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

#include "sim/SceneBuilders.hpp"
#include "sim/crowd/Crowd.hpp"
#include "sim/nav/FastMarching.hpp"
#include "sim/nav/NavGrid.hpp"
#include "sim/run/RouteSampling.hpp"

using namespace safetwin;

TEST_CASE("the route stage's vectorised fast case gives the same bits on every build and agrees with sampleDirection", "[route]") {
    // A room with a pillar and an exit line by the east wall; people scattered over it, some on the
    // layer's edge or outside it, where the fast case must decline.
    Scene scene;
    scene.levels.push_back(test::roomLevel(30, 20));
    Obstacle pillar;
    pillar.id = "pillar";
    pillar.polygon = {{12.0, 8.0}, {14.0, 8.0}, {14.0, 12.0}, {12.0, 12.0}};
    scene.levels[0].obstacles.push_back(pillar);
    scene.exits.push_back(test::exitLine("E", "L0", {29.5, 9.0}, {29.5, 11.0}));
    resolveScene(scene);
    NavGrid grid(scene, NavOptions{});
    const RouteField field = computeRouteField(grid, routeSlowness(grid, RouteCostOptions{}), 0);
    const int layer = grid.levelLayer(0);
    const NavLayer& L = grid.layer(layer);
    const double h = grid.cell();
    const float invH = float(1.0 / h);
    const float fx0 = float(grid.origin().x / h + 0.5 + L.i0), fy0 = float(grid.origin().y / h + 0.5 + L.j0);

    std::mt19937 rng(7);
    std::uniform_real_distribution<double> ux(-1.0, 31.0), uy(-1.0, 21.0);
    const int n = 3001;  // not a whole number of vectors
    std::vector<double> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
    std::vector<int32_t> ids(static_cast<size_t>(n));
    for (int k = 0; k < n; ++k) {
        x[size_t(k)] = ux(rng);
        y[size_t(k)] = uy(rng);
        ids[size_t(k)] = (k * 7919) % n;  // visited out of order, as the crowd's cell order does
    }
    auto sample = [&](CrowdKernelIsa isa, std::vector<float>& ox, std::vector<float>& oy, std::vector<uint8_t>& ok) {
        setCrowdKernelIsa(isa);
        ox.assign(size_t(n), -9.0f);
        oy.assign(size_t(n), -9.0f);
        ok.assign(size_t(n), 9);
        sampleRouteDirections(L, field.cell_dir.data() + size_t(L.node0) * 4, fx0, fy0, invH, x.data(), y.data(), ids.data(), n, ox.data(),
                              oy.data(), ok.data());
    };
    std::vector<float> ax, ay, bx, by, cx, cy;
    std::vector<uint8_t> aok, bok, cok;
    sample(CrowdKernelIsa::Auto, ax, ay, aok);
    const std::string widest = crowdKernelName();
    sample(CrowdKernelIsa::Avx2, bx, by, bok);
    sample(CrowdKernelIsa::Baseline, cx, cy, cok);
    setCrowdKernelIsa(CrowdKernelIsa::Auto);
    INFO("widest build " << widest);
    REQUIRE(std::memcmp(ax.data(), cx.data(), ax.size() * sizeof(float)) == 0);
    REQUIRE(std::memcmp(ay.data(), cy.data(), ay.size() * sizeof(float)) == 0);
    REQUIRE(aok == cok);
    REQUIRE(std::memcmp(bx.data(), cx.data(), bx.size() * sizeof(float)) == 0);
    REQUIRE(std::memcmp(by.data(), cy.data(), by.size() * sizeof(float)) == 0);
    REQUIRE(bok == cok);

    int fast = 0, declined = 0;
    for (int k = 0; k < n; ++k) {
        const int id = ids[size_t(k)];
        const Vec2 p{x[size_t(id)], y[size_t(id)]};
        if (!cok[size_t(k)]) {
            ++declined;
            continue;
        }
        ++fast;
        // The fast case is sampleDirection's interpolation in float: a unit vector within
        // float rounding of the double one.
        const Vec2 d = sampleDirection(grid, field, layer, p);
        INFO("person " << id << " at " << p.x << ", " << p.y);
        REQUIRE(std::hypot(double(cx[size_t(k)]), double(cy[size_t(k)])) == Approx(1.0).margin(1e-6));
        REQUIRE(std::abs(double(cx[size_t(k)]) - d.x) < 1e-4);
        REQUIRE(std::abs(double(cy[size_t(k)]) - d.y) < 1e-4);
    }
    // Most of the room is the fast case; the margin outside the room and the pillar are not.
    REQUIRE(fast > n / 2);
    REQUIRE(declined > n / 20);
}

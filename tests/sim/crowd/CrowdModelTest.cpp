// The crowd model's fast paths against the formulas: the polynomial exponential against
// std::exp, one step of the vectorised neighbour loops against a direct all-pairs evaluation
// of the CSM (Tordeux et al. 2016) in double precision, and the same bits on 1 and 2 threads
// and with the plain x86-64 and the AVX2 build of the kernel.
#include <catch2/catch.hpp>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <string>

#include "sim/SceneBuilders.hpp"
#include "sim/crowd/Crowd.hpp"

using namespace safetwin;

TEST_CASE("fastExp is within 4e-6 of exp on the repulsion's range and clamps", "[crowd]") {
    double worst = 0.0, worstMid = 0.0, worstWide = 0.0;
    for (int k = -80000; k <= 60000; ++k) {
        const float x = float(k) * 1e-4f;  // [-8, 6], the repulsion's arguments
        worst = std::max(worst, std::abs(double(fastExp(x)) / std::exp(double(x)) - 1.0));
    }
    for (int k = -200000; k <= 200000; ++k) {
        const float x = float(k) * 1e-4f;  // [-20, 20]
        worstMid = std::max(worstMid, std::abs(double(fastExp(x)) / std::exp(double(x)) - 1.0));
    }
    for (int k = -69000; k <= 69000; ++k) {
        const float x = float(k) * 1e-3f;  // [-69, 69]
        worstWide = std::max(worstWide, std::abs(double(fastExp(x)) / std::exp(double(x)) - 1.0));
    }
    INFO("largest relative error on [-8, 6] " << worst << ", [-20, 20] " << worstMid << ", [-69, 69] " << worstWide);
    CHECK(worst < 4e-6);
    CHECK(worstMid < 5e-6);
    CHECK(worstWide < 1e-5);
    CHECK(fastExp(0.0f) == 1.0f);
    // Clamped at 2^-100 and 2^100: finite and normal, never subnormal or infinite.
    CHECK(std::isnormal(fastExp(-1e6f)));
    CHECK(std::isfinite(fastExp(1e6f)));
    CHECK(fastExp(-1e6f) == Approx(std::ldexp(1.0, -100)).epsilon(1e-5));
}

namespace {

struct Crowd {
    Scene scene;
    std::unique_ptr<NavGrid> grid;
    CrowdState s;
    CrowdTraits traits;
};

/// An empty square room of `side` metres with a 2 m exit line 1 m inside its east wall, centred,
/// and its navigation grid (0.2 m), nobody in it yet.
Crowd squareRoom(double side) {
    Crowd c;
    c.scene.name = "room";
    c.scene.levels.push_back(test::roomLevel(side, side));
    c.scene.exits.push_back(test::exitLine("E", "L0", {side - 1.0, side / 2 - 1.0}, {side - 1.0, side / 2 + 1.0}));
    resolveScene(c.scene);
    NavOptions nav;
    nav.cell = 0.2;
    c.grid = std::make_unique<NavGrid>(c.scene, nav);
    return c;
}

/// n people on distinct random points of a 0.45 m lattice in the middle of a 32 m room, radii
/// 0.15-0.25 m, free speeds 0.8-1.6 m/s, desired directions random.
Crowd randomCrowd(int n, uint64_t seed) {
    Crowd c = squareRoom(32.0);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Vec2> sites;
    for (int j = 0; j < 60; ++j)
        for (int i = 0; i < 60; ++i) sites.push_back({2.5 + 0.45 * i, 2.5 + 0.45 * j});
    std::shuffle(sites.begin(), sites.end(), rng);
    c.s.resize(size_t(n));
    c.traits.resize(size_t(n));
    for (size_t i = 0; i < size_t(n); ++i) {
        // Jitter within the lattice cell: any two stay at least 0.45 - 0.1 m apart.
        c.s.x[i] = sites[i].x + 0.05 * (u(rng) - 0.5);
        c.s.y[i] = sites[i].y + 0.05 * (u(rng) - 0.5);
        c.s.layer[i] = c.grid->levelLayer(0);
        c.s.z[i] = 0.0f;
        c.s.status[i] = i % 10 == 9 ? AgentStatus::Waiting : AgentStatus::Moving;
        const double a = 2.0 * std::numbers::pi * u(rng);
        c.s.e0x[i] = float(std::cos(a));
        c.s.e0y[i] = float(std::sin(a));
        c.traits.v_flat[i] = float(0.8 + 0.8 * u(rng));
        c.traits.v_up[i] = c.traits.v_down[i] = 0.6f;
        c.traits.radius[i] = float(0.15 + 0.1 * u(rng));
    }
    return c;
}

}  // namespace

TEST_CASE("One step of the CSM matches the direct all-pairs evaluation", "[crowd]") {
    Crowd c = randomCrowd(900, 3);
    const CsmParams p;
    const double dt = 0.05;
    const CrowdState before = c.s;
    CrowdModel model(*c.grid, p);
    const CrowdStepStats stats = model.step(c.s, c.traits, dt);
    REQUIRE(stats.wall_guard_hits == 0);
    const size_t n = before.size();
    int moved = 0, slowed = 0, pushed = 0;
    for (size_t i = 0; i < n; ++i) {
        if (before.status[i] != AgentStatus::Moving) {
            CHECK(c.s.x[i] == before.x[i]);
            CHECK(c.s.y[i] == before.y[i]);
            continue;
        }
        const Vec2 pi{before.x[i], before.y[i]};
        const double ri = c.traits.radius[i];
        // Direction: e0 + sum_j R(s) n_ji + wall term, normalised.
        Vec2 dir{before.e0x[i], before.e0y[i]};
        for (size_t j = 0; j < n; ++j) {
            if (j == i) continue;
            const Vec2 d = Vec2{before.x[j], before.y[j]} - pi;
            const double s = norm(d), l = ri + c.traits.radius[j];
            if (s >= l + 6.0 * p.neighbour_range) continue;
            dir -= d * (p.neighbour_strength * std::exp((l - s) / p.neighbour_range) / s);
        }
        const double dw = c.grid->wallDistance(before.layer[i], pi);
        if (dw - ri < 6.0 * p.wall_range + 0.3) {
            pushed += 1;
            dir += c.grid->wallNormal(before.layer[i], pi) * std::min(p.wall_strength_max, p.wall_strength * std::exp((ri - dw) / p.wall_range));
        }
        const Vec2 e = normalized(dir);  // no previous heading: no relaxation on the first step
        // Speed: the nearest person ahead in the corridor of half-width l.
        double v = c.traits.v_flat[i];
        for (size_t j = 0; j < n; ++j) {
            if (j == i) continue;
            const Vec2 d = Vec2{before.x[j], before.y[j]} - pi;
            const double l = ri + c.traits.radius[j];
            if (dot(d, e) <= 0.0 || std::abs(cross(e, d)) >= l) continue;
            v = std::min(v, std::max(0.0, (norm(d) - l) / p.time_gap));
        }
        moved += 1;
        slowed += v < c.traits.v_flat[i];
        CHECK(c.s.speed[i] == Approx(v).margin(2e-4));
        CHECK(c.s.ex[i] == Approx(e.x).margin(2e-4));
        CHECK(c.s.ey[i] == Approx(e.y).margin(2e-4));
        CHECK(c.s.x[i] == Approx(pi.x + e.x * v * dt).margin(2e-5));
        CHECK(c.s.y[i] == Approx(pi.y + e.y * v * dt).margin(2e-5));
    }
    // The case exercises both terms: many are slowed by someone ahead, few touch the walls.
    CHECK(moved > 700);
    CHECK(slowed > 100);
    CHECK(pushed < 50);
}

/// Positions, headings, speeds and distances walked of two crowd states are the same bits.
static void checkSameBits(const CrowdState& a, const CrowdState& b) {
    auto same = [](const auto& u, const auto& w) { return u.size() == w.size() && std::memcmp(u.data(), w.data(), u.size() * sizeof(u[0])) == 0; };
    CHECK(same(a.x, b.x));
    CHECK(same(a.y, b.y));
    CHECK(same(a.ex, b.ex));
    CHECK(same(a.ey, b.ey));
    CHECK(same(a.speed, b.speed));
    CHECK(same(a.walked, b.walked));
}

/// The 3,000 people of randomCrowd(seed) (above the model's one-thread threshold, 2,048) after
/// 40 steps of 0.05 s, and the steps' counters.
static std::pair<CrowdState, CrowdStepStats> fortySteps(uint64_t seed) {
    Crowd c = randomCrowd(3000, seed);
    CrowdModel model(*c.grid, CsmParams{});
    CrowdStepStats stats;
    for (int k = 0; k < 40; ++k) stats.merge(model.step(c.s, c.traits, 0.05));
    return {c.s, stats};
}

TEST_CASE("Crowd steps give the same bits on one and two threads", "[crowd]") {
    auto run = [](int threads) {
        omp_set_num_threads(threads);
        const CrowdState s = fortySteps(11).first;
        omp_set_num_threads(1);
        return s;
    };
    const CrowdState a = run(1), b = run(2);
    checkSameBits(a, b);
}

TEST_CASE("Crowd steps give the same bits with AVX-512, AVX2 and plain x86-64", "[crowd]") {
    auto run = [](CrowdKernelIsa isa) {
        setCrowdKernelIsa(isa);
        auto result = fortySteps(5);
        setCrowdKernelIsa(CrowdKernelIsa::Auto);
        return result;
    };
    // Where the CPU lacks an instruction set, its run takes the next narrower build.
    setCrowdKernelIsa(CrowdKernelIsa::Avx2);
    const std::string narrower = crowdKernelName();
    setCrowdKernelIsa(CrowdKernelIsa::Auto);
    INFO("this machine runs " << crowdKernelName() << " by default, else " << narrower << ", else x86-64");
    const auto [a, sa] = run(CrowdKernelIsa::Auto);
    const auto [b, sb] = run(CrowdKernelIsa::Avx2);
    const auto [c, sc] = run(CrowdKernelIsa::Baseline);
    checkSameBits(a, c);
    checkSameBits(b, c);
    CHECK(sa.overlapping_pairs == sc.overlapping_pairs);
    CHECK(sa.max_overlap == sc.max_overlap);
    CHECK(sb.overlapping_pairs == sc.overlapping_pairs);
    CHECK(sb.max_overlap == sc.max_overlap);
}

TEST_CASE("The headway read from the repulsion pass's neighbours gives the same bits as the full search", "[crowd]") {
    // A dense crowd walking every way: most people are held up by someone close (the shortcut
    // settles them), the rest search their whole headway box.
    auto run = [](bool shortcut) {
        setCrowdShortcuts(shortcut);
        auto result = fortySteps(17);
        setCrowdShortcuts(true);
        return result;
    };
    const auto [a, sa] = run(true);
    const auto [b, sb] = run(false);
    checkSameBits(a, b);
    const int64_t movingSteps = 2700 * 40;  // 9 in 10 move (randomCrowd), 40 steps
    CHECK(sa.headway_shortcuts > movingSteps / 4);
    CHECK(sa.headway_shortcuts < movingSteps);
    CHECK(sb.headway_shortcuts == 0);
}

TEST_CASE("A crowd denser than the neighbour batches hold still matches the direct evaluation", "[crowd]") {
    // 1,600 points 4 cm apart in a 1.6 m square, bodies of 1 cm: some 750 neighbours in each
    // repulsion circle (radius 0.62 m) and more in the cells round it, more than the room a
    // batch keeps for a person, so the batches spill over mid-person (counted, checked below).
    Crowd c = squareRoom(12.0);
    const int side = 40, n = side * side;
    c.s.resize(size_t(n));
    c.traits.resize(size_t(n));
    for (int k = 0; k < n; ++k) {
        const size_t i = size_t(k);
        c.s.x[i] = 5.0 + 0.04 * (k % side) + 0.001 * (k % 7);
        c.s.y[i] = 5.0 + 0.04 * (k / side) + 0.001 * (k % 5);
        c.s.layer[i] = c.grid->levelLayer(0);
        c.s.status[i] = AgentStatus::Moving;
        c.s.e0x[i] = 1.0f;
        c.traits.v_flat[i] = 1.0f;
        c.traits.v_up[i] = c.traits.v_down[i] = 0.6f;
        c.traits.radius[i] = 0.01f;
    }
    const CsmParams p;
    const CrowdState before = c.s;
    int64_t spills = 0;
    auto step = [&](CrowdKernelIsa isa) {
        setCrowdKernelIsa(isa);
        CrowdState s = before;
        CrowdModel model(*c.grid, p);
        spills = model.step(s, c.traits, 0.05).neighbour_spills;
        setCrowdKernelIsa(CrowdKernelIsa::Auto);
        return s;
    };
    const CrowdState a = step(CrowdKernelIsa::Auto);
    const int64_t spillsAuto = spills;
    const CrowdState a2 = step(CrowdKernelIsa::Avx2), b = step(CrowdKernelIsa::Baseline);
    CHECK(spillsAuto > 0);
    CHECK(spills == spillsAuto);  // the same candidates on every build
    for (const CrowdState* w : {&a, &a2}) {
        CHECK(std::memcmp(w->ex.data(), b.ex.data(), b.ex.size() * sizeof(float)) == 0);
        CHECK(std::memcmp(w->speed.data(), b.speed.data(), b.speed.size() * sizeof(float)) == 0);
    }
    // Sampled people against the direct sums (the repulsion is summed over hundreds of
    // neighbours in float: a looser tolerance than the 900-person case).
    for (int k = 0; k < n; k += 97) {
        const size_t i = size_t(k);
        const Vec2 pi{before.x[i], before.y[i]};
        Vec2 dir{before.e0x[i], before.e0y[i]};
        for (size_t j = 0; j < size_t(n); ++j) {
            if (j == i) continue;
            const Vec2 d = Vec2{before.x[j], before.y[j]} - pi;
            const double s = norm(d), l = 0.02;
            if (s >= l + 6.0 * p.neighbour_range) continue;
            dir -= d * (p.neighbour_strength * std::exp((l - s) / p.neighbour_range) / s);
        }
        const Vec2 e = normalized(dir);
        double v = 1.0;
        for (size_t j = 0; j < size_t(n); ++j) {
            if (j == i) continue;
            const Vec2 d = Vec2{before.x[j], before.y[j]} - pi;
            if (dot(d, e) <= 0.0 || std::abs(cross(e, d)) >= 0.02) continue;
            v = std::min(v, std::max(0.0, (norm(d) - 0.02) / p.time_gap));
        }
        CHECK(a.ex[i] == Approx(e.x).margin(1e-3));
        CHECK(a.ey[i] == Approx(e.y).margin(1e-3));
        CHECK(a.speed[i] == Approx(v).margin(1e-3));
    }
}

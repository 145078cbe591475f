// Offscreen drawing (EGL surfaceless, Mesa): people appear where the simulation says they are,
// two moments of a run differ only where people moved, and the same seed draws the same image.
#include <catch2/catch.hpp>

#include <cmath>

#include "render/Camera.hpp"
#include "render/FrameFromSimulation.hpp"
#include "render/Renderer.hpp"
#include "render/RenderSupport.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using namespace safetwin::render;
using safetwin::test::colourDistance;
using safetwin::test::pixel;

namespace {

constexpr int kW = 480, kH = 240;

struct Shot {
    Frame frame;
    std::vector<uint8_t> rgb;
};

/// Runs the two-room scenario and draws it at each of `times` from the top camera.
std::vector<Shot> shoot(const std::vector<double>& times, const DrawOptions& options = {}) {
    const Scenario sc = parseScenarioText(test::twoRoomScenario(), "two-rooms.yaml", ".");
    Simulation sim(sc);
    Renderer r(sim.scenario().scene);
    OffscreenTarget target(kW, kH, 1);
    const Camera cam = *findBookmark(sim.scenario().scene, "top");
    std::vector<Shot> out;
    for (double t : times) {
        while (sim.time() + 0.5 * sim.dt() < t && sim.step()) {
        }
        Shot s;
        s.frame = frameFromSimulation(sim);
        target.bind();
        r.draw(s.frame, cam, options, kW, kH);
        s.rgb = target.readRgb();
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

TEST_CASE("Offscreen: people are drawn where the simulation says they are", "[render]") {
    auto ctx = test::offscreenOrSkip();
    if (!ctx) return;
    const auto with = shoot({1.5});
    DrawOptions none;
    none.show_agents = false;
    const auto without = shoot({1.5}, none);
    const Frame& f = with[0].frame;
    REQUIRE(f.agents.size() >= 20);   // a few near the west exit may be out already
    const Scenario sc = parseScenarioText(test::twoRoomScenario(), "two-rooms.yaml", ".");
    const Camera cam = *findBookmark(sc.scene, "top");
    int checked = 0;
    for (size_t k = 0; k < f.agents.size(); k += 5) {
        const AgentSample& a = f.agents[k];
        // from above, the head (body_height) is at the centre of the body's outline
        const auto p = cam.project(a.x, a.y, a.z + DrawOptions{}.body_height, kW, kH);
        REQUIRE(p);
        const int px = int(std::floor((*p)[0])), py = int(std::floor((*p)[1]));
        REQUIRE(px >= 0);
        REQUIRE(px < kW);
        REQUIRE(py >= 0);
        REQUIRE(py < kH);
        const auto drawn = pixel(with[0].rgb, kW, px, py), floor = pixel(without[0].rgb, kW, px, py);
        INFO("agent " << a.id << " at (" << a.x << ", " << a.y << ") -> pixel (" << px << ", " << py << ")");
        CHECK(colourDistance(drawn, floor) > 60);
        // the state colour (moving: green) dominates there
        CHECK(drawn[1] > drawn[0]);
        CHECK(drawn[1] > drawn[2]);
        ++checked;
    }
    CHECK(checked >= 4);
    // outside the building is the background colour
    const auto bg = pixel(with[0].rgb, kW, 1, 1);
    const auto want = DrawOptions{}.background;
    for (int c = 0; c < 3; ++c) CHECK(std::abs(bg[size_t(c)] - int(std::lround(want[size_t(c)] * 255))) <= 1);
}

TEST_CASE("Offscreen: two moments differ where people moved and repeat with the seed", "[render]") {
    auto ctx = test::offscreenOrSkip();
    if (!ctx) return;
    const auto a = shoot({2.0, 6.0});
    const auto b = shoot({2.0, 6.0});
    // same scenario, same seed: the same pixels
    CHECK(a[0].rgb == b[0].rgb);
    CHECK(a[1].rgb == b[1].rgb);
    REQUIRE(a[0].rgb != a[1].rgb);

    // Every pixel that changed lies near a person at one of the two moments.
    const Scenario sc = parseScenarioText(test::twoRoomScenario(), "two-rooms.yaml", ".");
    const Camera cam = *findBookmark(sc.scene, "top");
    std::vector<std::array<double, 2>> people;
    for (const Shot* s : {&a[0], &a[1]})
        for (const AgentSample& p : s->frame.agents)
            for (double z : {0.0, DrawOptions{}.body_height}) people.push_back(*cam.project(p.x, p.y, p.z + z, kW, kH));
    const double pxPerM = kH / cam.ortho_height;   // the plan's height sets the scale here
    const double near = std::max(4.0, 0.6 * std::max(pxPerM, kW / cam.ortho_min_width));
    int changed = 0, farChanges = 0;
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x) {
            if (pixel(a[0].rgb, kW, x, y) == pixel(a[1].rgb, kW, x, y)) continue;
            ++changed;
            bool close = false;
            for (const auto& q : people)
                if (std::hypot(q[0] - (x + 0.5), q[1] - (y + 0.5)) <= near) { close = true; break; }
            farChanges += !close;
        }
    CHECK(changed > 50);
    CHECK(farChanges == 0);

    // people who moved more than a body width: their old place changed
    int moved = 0, differs = 0;
    const Frame& f0 = a[0].frame;
    const Frame& f1 = a[1].frame;
    for (const AgentSample& was : f0.agents) {
        const AgentSample* now = nullptr;
        for (const AgentSample& q : f1.agents)
            if (q.id == was.id) now = &q;
        if (now && std::hypot(now->x - was.x, now->y - was.y) < 1.0) continue;   // gone out, or moved 1 m
        ++moved;
        const auto p = *cam.project(was.x, was.y, was.z + DrawOptions{}.body_height, kW, kH);
        differs += pixel(a[0].rgb, kW, int(p[0]), int(p[1])) != pixel(a[1].rgb, kW, int(p[0]), int(p[1]));
    }
    REQUIRE(moved >= 10);
    CHECK(differs >= moved * 8 / 10);   // a few old places may be taken by someone else
}

// Level of detail of the renderer: static geometry in chunks with a simplified version (headless),
// and impostors merged where a dense crowd hides them anyway, the most critical state kept.
#include <catch2/catch.hpp>

#include <cmath>

#include "render/RenderSupport.hpp"
#include "render/Renderer.hpp"
#include "render/RendererGeometry.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using namespace safetwin::render;

TEST_CASE("chunkMesh: chunks per level and square, highest level first; the simplified version drops what is below its cell", "[render]") {
    MeshBuilder b;
    b.level = 0;
    b.detail = true;   // as an imported model's triangles
    b.quad({0, 0, 0}, {5, 0, 0}, {5, 5, 0}, {0, 5, 0}, {200, 200, 200, 255});   // 2 large triangles
    for (int k = 0; k < 100; ++k) {                                              // 100 of 1 cm
        const double x = 1.0 + 0.03 * k;
        b.tri({x, 1, 0.5}, {x + 0.01, 1, 0.5}, {x, 1.01, 0.5}, {90, 90, 90, 255});
    }
    b.level = 1;
    b.quad({20, 0, 3}, {25, 0, 3}, {25, 5, 3}, {20, 5, 3}, {200, 200, 200, 255});   // another square, level 1
    const double cell = 0.05;
    b.level = 0;
    b.detail = false;   // our own geometry on level 0: kept as it is
    b.tri({1, 4, 0.5}, {1.01, 4, 0.5}, {1, 4.01, 0.5}, {90, 90, 90, 255});
    const ChunkedMesh c = chunkMesh(b, 10.0, {cell});
    REQUIRE(c.chunks.size() == 2);
    CHECK(c.chunks[0].level == 1);   // highest level first
    CHECK(c.chunks[1].level == 0);
    CHECK(c.triangles(0) == b.triangles());
    CHECK(c.chunks[1].count[0] == 3 * 103);
    CHECK(c.chunks[1].count[1] == 3 * 3);   // the imported 1 cm triangles collapse, the large ones and ours stay
    CHECK(c.chunks[0].count[1] == 3 * 2);
    // simplified vertices lie within half a cell of a vertex of the input, in the chunk's bounds
    for (const ChunkedMesh::Chunk& ch : c.chunks)
        for (int k = ch.first[1]; k < ch.first[1] + ch.count[1]; ++k) {
            const MeshVertex& v = c.v[size_t(k)];
            double best = 1e9;
            for (const MeshVertex& w : b.v)
                best = std::min(best, double(std::max({std::abs(v.p[0] - w.p[0]), std::abs(v.p[1] - w.p[1]), std::abs(v.p[2] - w.p[2])})));
            CHECK(best <= cell / 2 + 1e-6);
            for (int d = 0; d < 3; ++d) {
                CHECK(v.p[d] >= ch.lo[d]);
                CHECK(v.p[d] <= ch.hi[d]);
            }
            CHECK(v.level == float(ch.level));
        }
}

namespace {

const char* kHall = R"(name: hall
duration: 60
scene:
  levels:
    - id: L0
      walls: [{points: [[0,0],[30,0],[30,30],[0,30],[0,0]]}]
      doors: [{id: E, at: [30, 15], width: 1.2, exit: true}]
populations:
  - {name: p, count: 1, where: {level: L0, rect: {min: [2, 2], max: [4, 4]}}}
)";

}  // namespace

TEST_CASE("Impostors: a dense crowd far away is drawn merged, looks the same, and an incapacitated person in it stays visible", "[render]") {
    auto ctx = test::offscreenOrSkip();
    if (!ctx) return;
    const Scenario sc = parseScenarioText(kHall, "hall.yaml", ".");
    constexpr int kW = 640, kH = 360;
    Camera cam = *findBookmark(sc.scene, "top");
    cam.ortho_height = 30;   // 12 px per metre: people are discs of about 3.6 px radius
    cam.ortho_min_width = 0;
    Frame f;
    // 2,000 people packed in a 4 m square, the incapacitated one last: among equals the first
    // drawn would stay, so it survives only by its state
    uint32_t id = 0;
    for (int j = 0; j < 40; ++j)
        for (int i = 0; i < 50; ++i) {
            AgentSample a;
            a.id = id++;
            a.x = float(13.0 + 4.0 * (i + 0.5 * (j % 2)) / 50.0);
            a.y = float(13.0 + 4.0 * j / 40.0);
            a.radius = 0.2f;
            a.visual = AgentVisual::Moving;
            f.agents.push_back(a);
        }
    AgentSample red;
    red.id = id++;
    red.x = 15.01f;
    red.y = 15.01f;
    red.radius = 0.2f;
    red.visual = AgentVisual::Incapacitated;
    f.agents.push_back(red);
    f.total = f.remaining = int(f.agents.size());

    Renderer r(sc.scene);
    auto shoot = [&](bool merge) {
        OffscreenTarget t(kW, kH, 1);
        t.bind();
        DrawOptions o;
        o.merge_impostors = merge;
        r.draw(f, cam, o, kW, kH);
        return t.readRgb();
    };
    const auto unmerged = shoot(false);
    CHECK(r.stats().impostors_merged == 0);
    const auto merged = shoot(true);
    const DrawStats s = r.stats();
    CHECK(s.bodies == 0);
    CHECK(s.impostors == int(f.agents.size()));
    CHECK(s.impostors_merged > int(f.agents.size()) / 2);

    // the incapacitated person shows red
    const auto p = cam.project(red.x, red.y, red.z + 0.5 * DrawOptions{}.body_height, kW, kH);
    REQUIRE(p);
    const auto c = test::pixel(merged, kW, int((*p)[0]), int((*p)[1]));
    INFO("pixel at the incapacitated person: " << c[0] << " " << c[1] << " " << c[2]);
    CHECK(c[0] > 150);
    CHECK(c[1] < 90);

    // inside the crowd (half a metre in from its edge) every pixel is a person in both pictures
    const auto lo = cam.project(13.5, 16.5, 0.85, kW, kH), hi = cam.project(16.5, 13.5, 0.85, kW, kH);
    REQUIRE(lo);
    REQUIRE(hi);
    int inside = 0, bothPeople = 0;
    for (int y = int((*lo)[1]); y <= int((*hi)[1]); ++y)
        for (int x = int((*lo)[0]); x <= int((*hi)[0]); ++x) {
            const auto a = test::pixel(unmerged, kW, x, y), b = test::pixel(merged, kW, x, y);
            auto person = [](std::array<int, 3> q) { return (q[1] > q[0] + 40 && q[1] > q[2] + 40) || q[0] > q[1] + 60; };
            ++inside;
            bothPeople += person(a) && person(b);
        }
    REQUIRE(inside > 500);
    CHECK(bothPeople >= inside * 98 / 100);
}

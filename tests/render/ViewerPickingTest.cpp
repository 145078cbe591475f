// Picking a floor point under the mouse (the director's "start a leak at a clicked point") is the
// inverse of Camera::project: project a floor point to a pixel, pick at that pixel, and get the
// point back, for the perspective overview, the orthographic top view and an agent's eyes.
#include <catch2/catch.hpp>

#include "render/Camera.hpp"
#include "render/viewer/Picking.hpp"
#include "render/RenderSupport.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;

TEST_CASE("Viewer picking: the floor point under a pixel", "[viewer]") {
    const Scenario sc = parseScenarioText(test::twoRoomScenario(), "rooms.yaml", ".");
    std::vector<std::pair<std::string, render::Camera>> cams = {{"overview", *render::findBookmark(sc.scene, "overview")},
                                                                 {"top", *render::findBookmark(sc.scene, "top")},
                                                                 {"eyes", render::Camera::lookFrom(2.0, 4.0, 1.6, 1.0, 0.0, -0.2)}};
    const int w = 1280, h = 720;
    for (const auto& [name, cam] : cams) {
        for (const std::array<double, 2> q : {std::array<double, 2>{6.0, 3.0}, {10.5, 6.0}, {20.0, 2.5}}) {
            const auto p = cam.project(q[0], q[1], 0.0, w, h);
            if (!p || (*p)[0] < 0 || (*p)[0] >= w || (*p)[1] < 0 || (*p)[1] >= h) continue;  // off screen from the eyes
            INFO(name << ": (" << q[0] << ", " << q[1] << ") -> pixel (" << (*p)[0] << ", " << (*p)[1] << ")");
            const auto back = viewer::pickPlane(cam, (*p)[0], (*p)[1], w, h, 0.0);
            REQUIRE(back);
            // Round-off of single-precision matrices over tens of metres: well under a centimetre.
            CHECK((*back)[0] == Approx(q[0]).margin(5e-3));
            CHECK((*back)[1] == Approx(q[1]).margin(5e-3));
            CHECK((*back)[2] == 0.0);
        }
    }
    // Looking at the sky from the eyes: no floor under the top of the image.
    const render::Camera up = render::Camera::lookFrom(2.0, 4.0, 1.6, 1.0, 0.0, 0.5);
    CHECK_FALSE(viewer::pickPlane(up, 640, 10, w, h, 0.0));
}

TEST_CASE("Viewer picking: clicking a person picks that person", "[viewer]") {
    const Scenario sc = parseScenarioText(test::twoRoomScenario(), "rooms.yaml", ".");
    const render::Camera cam = *render::findBookmark(sc.scene, "overview");
    const int w = 1280, h = 720;
    std::vector<render::AgentSample> agents;
    auto person = [&](uint32_t id, float x, float y, render::AgentVisual v = render::AgentVisual::Moving) {
        render::AgentSample a;
        a.id = id;
        a.x = x;
        a.y = y;
        a.visual = v;
        agents.push_back(a);
    };
    person(3, 4.0f, 2.0f);
    person(8, 9.0f, 6.0f);
    person(11, 16.0f, 3.0f, render::AgentVisual::Out);   // out of the building: not drawn
    for (const auto& a : agents) {
        // the chest of each person, 1.2 m up
        const auto p = cam.project(a.x, a.y, 1.2, w, h);
        REQUIRE(p);
        INFO("agent " << a.id);
        CHECK(viewer::pickAgent(cam, agents, (*p)[0], (*p)[1], w, h, 12.0) == (a.visual == render::AgentVisual::Out ? -1 : int(a.id)));
    }
    // A click on the empty floor far from everyone picks nobody.
    const auto empty = cam.project(20.0, 6.0, 0.0, w, h);
    REQUIRE(empty);
    CHECK(viewer::pickAgent(cam, agents, (*empty)[0], (*empty)[1], w, h, 12.0) == -1);
    // Levels pulled apart: the body is drawn `lift` higher, and is picked there.
    const auto lifted = cam.project(4.0, 2.0, 6.0 + 1.2, w, h);
    REQUIRE(lifted);
    CHECK(viewer::pickAgent(cam, agents, (*lifted)[0], (*lifted)[1], w, h, 12.0, [](const render::AgentSample&) { return 6.0; }) == 3);
    // Two people on one line of sight: the chest of one (6, 4, 1.2) covers the feet of another
    // further along the same ray; the one nearer the eye is drawn in front and is picked.
    const auto e = cam.eye();
    const double k = e[2] / (e[2] - 1.2);   // the ray eye -> chest reaches the floor at k
    std::vector<render::AgentSample> queue(2);
    queue[0].id = 1;
    queue[0].x = 6.0f;
    queue[0].y = 4.0f;
    queue[1].id = 2;
    queue[1].x = float(e[0] + k * (6.0 - e[0]));
    queue[1].y = float(e[1] + k * (4.0 - e[1]));
    for (auto& a : queue) a.visual = render::AgentVisual::Moving;
    const auto chest = cam.project(6.0, 4.0, 1.2, w, h);
    REQUIRE(chest);
    CHECK(viewer::pickAgent(cam, queue, (*chest)[0], (*chest)[1], w, h, 12.0) == 1);
    std::swap(queue[0], queue[1]);   // whatever their order in the frame
    CHECK(viewer::pickAgent(cam, queue, (*chest)[0], (*chest)[1], w, h, 12.0) == 1);
}

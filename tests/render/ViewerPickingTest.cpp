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

// The camera's projection and bookmarks, and the renderer's CPU geometry (no OpenGL needed):
// triangulation areas, the gas threshold surface against a field whose level set is known.
#include <catch2/catch.hpp>

#include <cmath>

#include "render/Camera.hpp"
#include "render/RendererGeometry.hpp"
#include "render/RenderSupport.hpp"
#include "scenes/Scene.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using namespace safetwin::render;

namespace {
/// An orbit camera round (tx, ty, tz).
Camera orbiting(double tx, double ty, double tz, double distance, double yaw, double pitch) {
    Camera c;
    c.tx = tx;
    c.ty = ty;
    c.tz = tz;
    c.distance = distance;
    c.yaw = yaw;
    c.pitch = pitch;
    return c;
}
}  // namespace

TEST_CASE("Camera: the target projects to the image centre, and a top view has north up", "[render]") {
    Camera c;
    c.tx = 3;
    c.ty = -2;
    c.tz = 1;
    c.distance = 25;
    c.yaw = 0.4;
    c.pitch = 0.6;
    const auto p = c.project(3, -2, 1, 800, 600);
    REQUIRE(p);
    CHECK((*p)[0] == Approx(400).margin(1e-3));
    CHECK((*p)[1] == Approx(300).margin(1e-3));
    // a point behind the eye does not project
    const auto e = c.eye();
    CHECK_FALSE(c.project(e[0] + (e[0] - 3), e[1] + (e[1] + 2), e[2] + (e[2] - 1), 800, 600));

    Camera top;
    top.projection = Camera::Projection::Orthographic;
    top.yaw = -1.5707963267948966;
    top.pitch = 1.5707963267948966;
    top.ortho_height = 20;   // 600 px for 20 m: 30 px/m
    const auto o = *top.project(0, 0, 0, 800, 600);
    const auto n = *top.project(0, 1, 0, 800, 600);   // 1 m north
    const auto east = *top.project(1, 0, 0, 800, 600);
    CHECK(n[1] == Approx(o[1] - 30).margin(1e-3));
    CHECK(n[0] == Approx(o[0]).margin(1e-3));
    CHECK(east[0] == Approx(o[0] + 30).margin(1e-3));
    // orthographic: height does not move a point in a top view
    const auto up = *top.project(0, 0, 5, 800, 600);
    CHECK(up[0] == Approx(o[0]).margin(1e-3));
    CHECK(up[1] == Approx(o[1]).margin(1e-3));
}

TEST_CASE("Camera: first-person view looks along the heading", "[render]") {
    const Camera c = Camera::lookFrom(1, 2, 1.6, 1, 0, 0);
    const auto ahead = c.project(11, 2, 1.6, 640, 480);
    REQUIRE(ahead);
    CHECK((*ahead)[0] == Approx(320).margin(1e-3));
    CHECK((*ahead)[1] == Approx(240).margin(1e-3));
    const auto left = c.project(11, 5, 1.6, 640, 480);   // +y is to the left when looking along +x
    REQUIRE(left);
    CHECK((*left)[0] < 320);
    CHECK_FALSE(c.project(-5, 2, 1.6, 640, 480));
}

TEST_CASE("Camera bookmarks: overview, top and one per level, showing the whole scene", "[render]") {
    Scene s;
    Level a;
    a.id = "G";
    a.walls.push_back({"", {{0, 0}, {30, 0}, {30, 10}, {0, 10}, {0, 0}}, 0.2, 3.0, {}});
    Level b = a;
    b.id = "F1";
    b.elevation = 3.5;
    s.levels = {a, b};
    const auto marks = sceneBookmarks(s);
    REQUIRE(marks.size() == 4);
    CHECK(marks[0].first == "overview");
    CHECK(marks[1].first == "top");
    CHECK(marks[2].first == "level:G");
    CHECK(marks[3].first == "level:F1");
    CHECK(findBookmark(s, "level:1"));
    CHECK_FALSE(findBookmark(s, "nowhere"));
    // every corner of the scene is inside the image for each bookmark
    for (const auto& [name, cam] : marks)
        for (double x : {0.0, 30.0})
            for (double y : {0.0, 10.0})
                for (double z : {0.0, 6.5}) {
                    const auto p = cam.project(x, y, z, 1280, 720);
                    INFO(name << " corner " << x << "," << y << "," << z);
                    REQUIRE(p);
                    CHECK((*p)[0] >= 0);
                    CHECK((*p)[0] <= 1280);
                    CHECK((*p)[1] >= 0);
                    CHECK((*p)[1] <= 720);
                }
}

TEST_CASE("Geometry: ear clipping covers a concave polygon exactly", "[render]") {
    const Polygon l = {{0, 0}, {4, 0}, {4, 1}, {1, 1}, {1, 3}, {0, 3}};   // L shape, area 6
    const auto t = triangulate(l);
    REQUIRE(t.size() == 3 * (l.size() - 2));
    double area = 0;
    for (size_t k = 0; k < t.size(); k += 3) {
        const double a = 0.5 * cross(l[size_t(t[k + 1])] - l[size_t(t[k])], l[size_t(t[k + 2])] - l[size_t(t[k])]);
        CHECK(a > 0);
        area += a;
    }
    CHECK(area == Approx(6.0).epsilon(1e-12));
}

TEST_CASE("Geometry: the gas threshold surface of a spherical cloud lies on the sphere", "[render]") {
    // c(r) = 1000 exp(-r^2 / 8): c = 100 ppm at r = sqrt(8 ln 10) = 4.29 m
    GasVolume v;
    v.cell = 0.5;
    v.nx = v.ny = v.nz = 30;
    v.x0 = v.y0 = v.z0 = -7.5;
    v.ppm.resize(size_t(v.nx) * size_t(v.ny) * size_t(v.nz));
    for (int k = 0; k < v.nz; ++k)
        for (int j = 0; j < v.ny; ++j)
            for (int i = 0; i < v.nx; ++i) {
                const double x = v.x0 + (i + 0.5) * v.cell, y = v.y0 + (j + 0.5) * v.cell, z = v.z0 + (k + 0.5) * v.cell;
                v.ppm[(size_t(k) * size_t(v.ny) + size_t(j)) * size_t(v.nx) + size_t(i)] = float(1000 * std::exp(-(x * x + y * y + z * z) / 8));
            }
    Scene s;
    MeshBuilder m;
    gasSurface(v, 100.0, s, m);
    REQUIRE(m.triangles() > 500);
    const double r0 = std::sqrt(8 * std::log(10.0));
    double area = 0;
    for (size_t k = 0; k < m.v.size(); ++k) {
        const auto& p = m.v[k].p;
        // linear interpolation of the exponential along tetrahedron edges up to 0.87 m long
        // (a cube's diagonal): within a fifth of a cell
        CHECK(std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) == Approx(r0).margin(0.1));
    }
    for (size_t k = 0; k + 2 < m.v.size(); k += 3) {
        const float* a = m.v[k].p;
        const float* b = m.v[k + 1].p;
        const float* c = m.v[k + 2].p;
        const double ux = b[0] - a[0], uy = b[1] - a[1], uz = b[2] - a[2], wx = c[0] - a[0], wy = c[1] - a[1], wz = c[2] - a[2];
        area += 0.5 * std::sqrt(std::pow(uy * wz - uz * wy, 2) + std::pow(uz * wx - ux * wz, 2) + std::pow(ux * wy - uy * wx, 2));
    }
    // a closed surface: its area is the sphere's, less a little for the flat facets
    CHECK(area == Approx(4 * 3.141592653589793 * r0 * r0).epsilon(0.03));
}

TEST_CASE("Camera: a scenario's named camera sits at its eye and looks at its target", "[render][cameras]") {
    CameraSpec spec;
    spec.name = "stair";
    spec.eye = {30, -4, 9};
    spec.look_at = {18, 6, 1.5};
    spec.fov = 60;
    const Camera c = cameraFromSpec(spec);
    const auto e = c.eye();
    CHECK(e[0] == Approx(30).margin(1e-9));
    CHECK(e[1] == Approx(-4).margin(1e-9));
    CHECK(e[2] == Approx(9).margin(1e-9));
    const int w = 1000, h = 600;
    const auto centre = c.project(18, 6, 1.5, w, h);
    REQUIRE(centre);
    CHECK((*centre)[0] == Approx(w / 2.0).margin(1e-3));
    CHECK((*centre)[1] == Approx(h / 2.0).margin(1e-3));
    // A point seen fov/2 above the line of sight lands on the top edge of the image.
    const double dx = 18 - 30, dy = 6 + 4, dz = 1.5 - 9;
    const double len = std::sqrt(dx * dx + dy * dy + dz * dz);
    const double f[3] = {dx / len, dy / len, dz / len};
    const double hl = std::hypot(f[0], f[1]);
    const double up[3] = {-f[2] * f[0] / hl, -f[2] * f[1] / hl, hl};  // perpendicular to f, in its vertical plane
    const double t = std::tan(30.0 * 3.14159265358979323846 / 180.0);
    const auto top = c.project(30 + 10 * (f[0] + t * up[0]), -4 + 10 * (f[1] + t * up[1]), 9 + 10 * (f[2] + t * up[2]), w, h);
    REQUIRE(top);
    CHECK((*top)[0] == Approx(w / 2.0).margin(1e-2));
    CHECK((*top)[1] == Approx(0.0).margin(1e-2));

    // Straight down and orthographic: a plan with north up, `height` metres tall.
    CameraSpec plan;
    plan.eye = {5, 5, 40};
    plan.look_at = {5, 5, 0};
    plan.orthographic = true;
    plan.height = 20;
    const Camera p = cameraFromSpec(plan);
    const auto o = *p.project(5, 5, 0, 800, 600);
    const auto north = *p.project(5, 6, 0, 800, 600);   // 600 px / 20 m = 30 px/m, up the image
    CHECK(o[0] == Approx(400).margin(1e-3));
    CHECK(north[1] == Approx(o[1] - 30).margin(1e-3));
}

TEST_CASE("Camera: a scenario's cameras come first and may replace the computed ones", "[render][cameras]") {
    const std::string text = test::twoRoomScenario() + R"(cameras:
  - {name: door, eye: [8, 1, 3], look_at: [12, 4, 1]}
  - {name: overview, eye: [12, -20, 25], look_at: [12, 4, 0], fov: 50}
)";
    const Scenario sc = parseScenarioText(text, "rooms.yaml", ".");
    const auto marks = scenarioBookmarks(sc);
    REQUIRE(marks.size() == 4);   // door, overview (the scenario's), top, level:L0
    CHECK(marks[0].first == "door");
    CHECK(marks[1].first == "overview");
    CHECK(marks[2].first == "top");
    CHECK(marks[3].first == "level:L0");
    const auto overview = findBookmark(sc, "overview");
    REQUIRE(overview);
    CHECK(overview->eye()[2] == Approx(25));   // the scenario's, not the computed one
    CHECK(findBookmark(sc, "level:0"));         // computed names still work
    CHECK_FALSE(findBookmark(sc, "nowhere"));
    const std::string message = unknownCameraMessage(sc, "nowhere");
    CHECK(message.find("door, overview, top, level:L0") != std::string::npos);

    // A saved view written as a `cameras:` entry reads back as the same camera.
    Camera c = orbiting(6, 3, 0.5, 14, -2.1, 0.45);
    c.fov_y = 50.0 * 3.14159265358979323846 / 180.0;
    const std::string line = cameraYaml("saved", c);
    const Scenario back = parseScenarioText(test::twoRoomScenario() + "cameras:\n  - " + line + "\n", "rooms.yaml", ".");
    REQUIRE(back.cameras.size() == 1);
    const Camera r = cameraFromSpec(back.cameras[0]);
    CHECK(r.tx == Approx(6).margin(0.006));
    CHECK(r.distance == Approx(14).margin(0.01));
    CHECK(r.yaw == Approx(-2.1).margin(1e-3));
    CHECK(r.pitch == Approx(0.45).margin(1e-3));
    CHECK(r.fov_y == Approx(c.fov_y).margin(1e-3));
}

TEST_CASE("Camera: dragging pans with the cursor, orbiting keeps the target in the centre", "[render][viewer]") {
    const int w = 1200, h = 800;
    for (const bool ortho : {false, true}) {
        Camera c = orbiting(10, 4, 0, 35, -1.0, 0.8);
        if (ortho) {
            c.projection = Camera::Projection::Orthographic;
            c.ortho_height = 40;
        }
        INFO((ortho ? "orthographic" : "perspective"));
        // Right-drag by (120, -45) pixels: the point that was in the centre follows the cursor.
        c.panPixels(120, -45, h);
        const auto p = c.project(10, 4, 0, w, h);
        REQUIRE(p);
        CHECK((*p)[0] == Approx(w / 2.0 + 120).margin(0.05));
        CHECK((*p)[1] == Approx(h / 2.0 - 45).margin(0.05));
        // Orbit: the target stays in the centre at the same distance from the eye.
        const double tx = c.tx, ty = c.ty, tz = c.tz;
        c.orbit(0.7, -0.3);
        const auto q = c.project(tx, ty, tz, w, h);
        REQUIRE(q);
        CHECK((*q)[0] == Approx(w / 2.0).margin(1e-3));
        CHECK((*q)[1] == Approx(h / 2.0).margin(1e-3));
        const auto e = c.eye();
        CHECK(std::hypot(e[0] - tx, e[1] - ty, e[2] - tz) == Approx(35));
        // The pitch stops short of looking up from under the floor, and at straight down.
        c.orbit(0.0, 10.0);
        CHECK(c.pitch == Approx(3.14159265358979323846 / 2));
        c.orbit(0.0, -10.0);
        CHECK(c.pitch == Approx(-1.55));
    }
}

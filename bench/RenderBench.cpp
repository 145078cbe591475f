// Render benchmark (see RenderBench.hpp). Each case draws the same moving crowd repeatedly
// into a 1920x1080 framebuffer (no multisampling) and waits for each frame (glFinish), so the
// figure is the renderer's full frame time: instance upload, culling and level of detail on
// the CPU, and the rasterisation (on the CPU too under Mesa's llvmpipe).
#include "bench/RenderBench.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>

#include "render/Camera.hpp"
#include "render/Renderer.hpp"
#include "render/gl/Offscreen.hpp"
#include "scenes/import/ModelImport.hpp"
#include "sim/nav/NavGrid.hpp"

namespace safetwin {

namespace {

namespace fs = std::filesystem;

fs::path findOfficeA() {
    fs::path dir;
    if (const char* env = std::getenv("SAFETWIN_DATA")) {
        dir = fs::path(env) / "bim";
    } else {
        std::error_code ec;
        const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
        for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
            if (fs::is_directory(p.parent_path() / "shared" / "data" / "bim")) {
                dir = p.parent_path() / "shared" / "data" / "bim";
                break;
            }
    }
    return dir / "Office_A_20110811.ifc";
}

/// n people on free cells of the level layers, moving in random directions (seeded).
render::Frame crowd(const NavGrid& grid, int n, uint64_t seed) {
    std::vector<std::pair<int, int>> free;   // (layer, cell)
    for (size_t l = 0; l < grid.layers().size(); ++l) {
        const NavLayer& L = grid.layer(int(l));
        if (L.kind != NavLayer::Kind::Level) continue;
        for (int c = 0; c < L.cells(); ++c)
            if (!L.solid[size_t(c)] && !grid.outside(int(l), c)) free.emplace_back(int(l), c);
    }
    render::Frame f;
    if (free.empty()) return f;
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const Scene& scene = grid.scene();
    for (int i = 0; i < n; ++i) {
        const auto [l, c] = free[size_t(u(rng) * double(free.size())) % free.size()];
        const NavLayer& L = grid.layer(l);
        const Vec2 p = grid.cellCentre(L, c % L.nx, c / L.nx);
        const double a = u(rng) * 6.283185307179586;
        render::AgentSample s;
        s.id = uint32_t(i);
        s.x = float(p.x + (u(rng) - 0.5) * grid.cell());
        s.y = float(p.y + (u(rng) - 0.5) * grid.cell());
        s.z = float(scene.levels[size_t(L.index)].elevation);
        s.ex = float(std::cos(a));
        s.ey = float(std::sin(a));
        s.speed = float(0.5 + u(rng));
        s.visual = i % 7 == 0 ? render::AgentVisual::Waiting : render::AgentVisual::Moving;
        f.agents.push_back(s);
    }
    f.total = f.remaining = n;
    return f;
}

}  // namespace

int runRenderBench(bool quick) {
    const fs::path model = findOfficeA();
    if (!fs::exists(model)) {
        nlohmann::ordered_json j;
        j["bench"] = "render";
        j["skipped"] = "Office_A model not found at " + model.string() + " (set SAFETWIN_DATA to the shared data folder)";
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::unique_ptr<render::OffscreenContext> ctx;
    try {
        ctx = render::OffscreenContext::create();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench render: %s\n", e.what());
        return 1;
    }
    Scene scene = importModel(model.string());
    resolveScene(scene);
    const NavGrid grid(scene, NavOptions{});
    render::Renderer renderer(scene);

    struct Case {
        int agents, width, height;
        std::string view;
    };
    std::vector<Case> cases = quick ? std::vector<Case>{{2000, 640, 360, "overview"}}
                                    : std::vector<Case>{{0, 1920, 1080, "overview"},
                                                        {10000, 1920, 1080, "overview"},
                                                        {100000, 1920, 1080, "overview"},
                                                        {10000, 1920, 1080, "close"},
                                                        {100000, 1920, 1080, "close"}};
    for (const Case& c : cases) {
        render::Frame frame = crowd(grid, c.agents, 42);
        render::Camera cam = *render::findBookmark(scene, "overview");
        if (c.view == "close") cam.zoom(0.35);   // people large enough to be drawn as bodies
        render::DrawOptions opt;
        render::OffscreenTarget target(c.width, c.height, 1);
        const double dt = 1.0 / 30.0;
        auto step = [&]() {
            for (render::AgentSample& a : frame.agents) {
                a.x += float(a.ex * a.speed * dt);
                a.y += float(a.ey * a.speed * dt);
            }
            target.bind();
            renderer.draw(frame, cam, opt, c.width, c.height);
            render::OffscreenTarget::finish();
        };
        for (int k = 0; k < 3; ++k) step();   // warm-up: shader compilation, buffer growth
        const auto t0 = std::chrono::steady_clock::now();
        const std::clock_t c0 = std::clock();
        int frames = 0;
        double wall = 0;
        while (frames < 5 || (wall < (quick ? 1.0 : 4.0) && frames < 200)) {
            step();
            ++frames;
            wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
        const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
        nlohmann::ordered_json j;
        j["bench"] = "render";
        j["model"] = model.filename().string();
        j["agents"] = c.agents;
        j["width"] = c.width;
        j["height"] = c.height;
        j["view"] = c.view;
        j["renderer"] = ctx->renderer();
        j["context"] = ctx->kind();
        j["fps"] = std::round(frames / wall * 10) / 10;
        j["frame_ms"] = std::round(wall / frames * 1e4) / 10;
        j["cpu_ms_per_frame"] = std::round(cpu / frames * 1e4) / 10;
        j["frames"] = frames;
        j["bodies"] = renderer.stats().bodies;
        j["low_poly_bodies"] = renderer.stats().low_poly_bodies;
        j["impostors"] = renderer.stats().impostors;
        j["impostors_merged"] = renderer.stats().impostors_merged;
        j["scene_triangles"] = renderer.stats().scene_triangles;
        j["scene_triangles_drawn"] = renderer.stats().scene_triangles_drawn;
        std::printf("%s\n", j.dump().c_str());
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace safetwin

// safetwin inspect MODEL [--json] [--png DIR] [--cell C]: what the importer made of a model.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

// Static, so that another command may compile its own copy of the writer.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include "app/Commands.hpp"
#include "scenes/import/ModelImport.hpp"
#include "sim/model/ModelReport.hpp"

namespace safetwin {

namespace {

struct Rgb {
    uint8_t r, g, b;
};

/// Plan view of one level at the raster's resolution: no floor white, walkable pale green,
/// solid dark grey, obstacles brown, stair footprints orange, unreachable islands pink, doors
/// blue, exits red.
void writePlan(const Scene& scene, int level, const std::filesystem::path& file) {
    const Level& lv = scene.levels[size_t(level)];
    const LevelRaster& R = lv.raster;
    if (R.empty()) return;
    const int W = R.nx, H = R.ny;
    std::vector<Rgb> img(size_t(W) * size_t(H), Rgb{255, 255, 255});
    auto px = [&](Vec2 p) -> Rgb* {
        const int i = int(std::floor((p.x - R.origin.x) / R.cell)), j = int(std::floor((p.y - R.origin.y) / R.cell));
        if (i < 0 || j < 0 || i >= W || j >= H) return nullptr;
        return &img[size_t(H - 1 - j) * size_t(W) + size_t(i)];  // north up
    };
    for (int j = 0; j < H; ++j)
        for (int i = 0; i < W; ++i) {
            const int c = R.at(i, j);
            Rgb* p = px({R.origin.x + (i + 0.5) * R.cell, R.origin.y + (j + 0.5) * R.cell});
            if (R.solid[size_t(c)]) *p = {60, 60, 60};
            else if (R.floor[size_t(c)]) *p = {200, 235, 200};
        }
    for (int j = 0; j < H; ++j)
        for (int i = 0; i < W; ++i) {
            const Vec2 c{R.origin.x + (i + 0.5) * R.cell, R.origin.y + (j + 0.5) * R.cell};
            for (const Obstacle& o : lv.obstacles)
                if (pointInPolygon(c, o.polygon)) *px(c) = {150, 100, 50};
            for (const Stair& s : scene.stairs)
                if ((s.lower == level || s.upper == level) && pointInPolygon(c, s.footprint())) *px(c) = {255, 170, 40};
        }
    auto line = [&](Vec2 a, Vec2 b, Rgb col, double thick) {
        const double len = norm(b - a);
        const int n = std::max(1, int(len / (0.25 * R.cell)));
        const Vec2 v = perp(normalized(b - a));
        for (int k = 0; k <= n; ++k)
            for (double t = -thick; t <= thick + 1e-9; t += 0.5 * R.cell)
                if (Rgb* p = px(a + (b - a) * (double(k) / n) + v * t)) *p = col;
    };
    for (const Space& s : lv.spaces)
        for (size_t k = 0; k < s.polygon.size(); ++k) line(s.polygon[k], s.polygon[(k + 1) % s.polygon.size()], {170, 170, 220}, 0.0);
    for (const Door& d : lv.doors) line(d.a, d.b, {30, 80, 230}, 0.5 * d.depth);
    for (const Exit& e : scene.exits)
        if (e.level == level) line(e.a, e.b, {230, 30, 30}, 2.0 * R.cell);
    // Small plans are enlarged (whole pixels per cell) to about 1000 pixels.
    const int k = std::clamp(1000 / std::max(W, H), 1, 8);
    std::vector<Rgb> big(size_t(W * k) * size_t(H * k));
    for (int y = 0; y < H * k; ++y)
        for (int x = 0; x < W * k; ++x) big[size_t(y) * size_t(W * k) + size_t(x)] = img[size_t(y / k) * size_t(W) + size_t(x / k)];
    std::filesystem::create_directories(file.parent_path());
    const std::string tmp = file.string() + ".tmp";
    if (!stbi_write_png(tmp.c_str(), W * k, H * k, 3, big.data(), W * k * 3)) throw std::runtime_error("cannot write " + file.string());
    std::filesystem::rename(tmp, file);
}

/// A level id as part of a file name ("T/FDN" -> "T_FDN").
std::string fileName(const std::string& id) {
    std::string f = id;
    for (char& c : f)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
    return f;
}

}  // namespace

CommandFn addInspectCommand(CLI::App& app) {
    struct Options {
        std::string model;
        bool json = false;
        std::string png;
        double cell = 0.1;
        bool evacuate = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("inspect", "Import a model (IFC, glTF, OBJ, FBX, DAE, PLY, STL, PCD, Gazebo world) and report what was found");
    cmd->add_option("model", o->model, "model file")->required();
    cmd->add_flag("--json", o->json, "print the report as one JSON object");
    cmd->add_option("--png", o->png, "write a plan view per level (PNG) into this folder");
    cmd->add_flag("--evacuate", o->evacuate, "also place one person in every space and report who cannot leave, and why");
    cmd->add_option("--cell", o->cell, "raster cell of the import [m] (default 0.1)")->check(CLI::Range(0.05, 0.5));
    return [o]() {
        ImportOptions opt;
        opt.cell = o->cell;
        ImportStats stats;
        Scene scene = importModel(o->model, opt, &stats);
        std::unique_ptr<NavGrid> grid;
        std::unique_ptr<WalkableSummary> walk;
        double navS = 0.0;
        if (!scene.exits.empty() || std::any_of(scene.levels.begin(), scene.levels.end(), [](const Level& l) {
                return std::any_of(l.doors.begin(), l.doors.end(), [](const Door& d) { return d.exit; });
            })) {
            const auto t0 = std::chrono::steady_clock::now();
            resolveScene(scene);
            grid = std::make_unique<NavGrid>(scene, NavOptions{});
            walk = std::make_unique<WalkableSummary>(summariseWalkable(*grid));
            navS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
        auto r = modelReport(scene, stats, grid.get(), walk.get(), navS);
        if (o->evacuate && grid) r["evacuation"] = evacuateSpaces(scene, *grid, *walk, stats);
        if (!o->png.empty())
            for (size_t l = 0; l < scene.levels.size(); ++l)
                writePlan(scene, int(l), std::filesystem::path(o->png) / ("level-" + fileName(scene.levels[l].id) + ".png"));
        if (o->json) {
            std::printf("%s\n", r.dump(2).c_str());
            return 0;
        }
        std::printf("%s (%s): %zu triangles, imported in %.2f s (read %.2f s, build %.2f s), navigation grid %.2f s, peak memory %.0f MiB\n",
                    r["file"].get<std::string>().c_str(), stats.format.c_str(), stats.triangles, stats.total_s(), stats.read_s,
                    stats.build_s, navS, double(peakMemoryKiB()) / 1024.0);
        const auto& bb = r["bounding_box"];
        std::printf("bounding box: x [%.2f, %.2f] y [%.2f, %.2f] z [%.2f, %.2f] m\n", bb["min"][0].get<double>(), bb["max"][0].get<double>(),
                    bb["min"][1].get<double>(), bb["max"][1].get<double>(), bb["min"][2].get<double>(), bb["max"][2].get<double>());
        std::printf("levels (%zu):\n", r["levels"].size());
        for (const auto& l : r["levels"])
            std::printf("  %-20s elevation %7.2f m  walkable %8.1f m^2  doors %3d  spaces %3d  obstacles %3d\n", l["id"].get<std::string>().c_str(),
                        l["elevation_m"].get<double>(), l["walkable_area_m2"].get<double>(), l["doors"].get<int>(), l["spaces"].get<int>(),
                        l["obstacles"].get<int>());
        std::printf("walkable area: %.1f m^2\n", r["walkable_area_m2"].get<double>());
        std::printf("doors (%zu):\n", r["doors"].size());
        for (const auto& d : r["doors"])
            std::printf("  %-24s %-10s width %.2f m at (%.2f, %.2f)%s  %s\n", d["id"].get<std::string>().c_str(), d["level"].get<std::string>().c_str(),
                        d["width_m"].get<double>(), d["at"][0].get<double>(), d["at"][1].get<double>(), d["exit"].get<bool>() ? "  EXIT" : "",
                        d["name"].get<std::string>().c_str());
        std::printf("exits (%zu):\n", r["exits"].size());
        for (const auto& e : r["exits"])
            std::printf("  %-24s %-10s width %.2f m\n", e["id"].get<std::string>().c_str(), e["level"].get<std::string>().c_str(), e["width_m"].get<double>());
        std::printf("stairs (%zu):\n", r["stairs"].size());
        for (const auto& s : r["stairs"])
            std::printf("  %-24s %s -> %s width %.2f m\n", s["id"].get<std::string>().c_str(), s["lower"].get<std::string>().c_str(),
                        s["upper"].get<std::string>().c_str(), s["width_m"].get<double>());
        std::printf("spaces (%zu):\n", r["spaces"].size());
        for (const auto& s : r["spaces"])
            std::printf("  %-24s %-10s %7.1f m^2  %s\n", s["id"].get<std::string>().c_str(), s["level"].get<std::string>().c_str(),
                        s["area_m2"].get<double>(), s["name"].get<std::string>().c_str());
        std::printf("obstacles: %zu\n", r["obstacles"].get<size_t>());
        std::printf("warnings (%zu):\n", r["warnings"].size());
        for (const auto& w : r["warnings"]) std::printf("  %s\n", w.get<std::string>().c_str());
        if (r.contains("evacuation")) {
            const auto& e = r["evacuation"];
            std::printf("evacuation, one person per space: %d of %d out", e["evacuated"].get<int>(), e["people"].get<int>());
            if (e.contains("evacuation_time_s") && !e["evacuation_time_s"].is_null())
                std::printf(" in %.1f s", e["evacuation_time_s"].get<double>());
            std::printf("\n");
            for (const auto& n : e["not_placed"]) std::printf("  not placed: %s\n", n.get<std::string>().c_str());
            for (const auto& st : e["stuck"])
                std::printf("  cannot leave: space %s (%s) on %s: %s\n", st["space"].get<std::string>().c_str(),
                            st["name"].get<std::string>().c_str(), st["level"].get<std::string>().c_str(), st["reason"].get<std::string>().c_str());
        }
        if (!o->png.empty()) std::printf("plan views: %s/level-<level id>.png\n", o->png.c_str());
        return 0;
    };
}

}  // namespace safetwin

#include "bench/ImportBench.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenes/import/ModelImport.hpp"
#include "sim/nav/NavGrid.hpp"

namespace safetwin {

namespace {

namespace fs = std::filesystem;

fs::path findModels(const std::string& dir) {
    if (!dir.empty()) return dir;
    if (const char* env = std::getenv("SAFETWIN_DATA")) return fs::path(env) / "bim";
    // <root>/<build>/app/safetwin -> <root>/../shared/data/bim
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
        if (fs::is_directory(p.parent_path() / "shared" / "data" / "bim")) return p.parent_path() / "shared" / "data" / "bim";
    return fs::path("..") / "shared" / "data" / "bim";
}

/// One model, in this (child) process: prints one JSON line.
void benchOne(const fs::path& f) {
    nlohmann::ordered_json j;
    j["bench"] = "import";
    j["model"] = f.filename().string();
    try {
        ImportStats stats;
        Scene scene = importModel(f.string(), {}, &stats);
        const auto t0 = std::chrono::steady_clock::now();
        bool grid = false;
        bool exits = !scene.exits.empty();
        for (const Level& l : scene.levels)
            for (const Door& d : l.doors) exits |= d.exit;
        if (exits) {
            resolveScene(scene);
            const NavGrid g(scene, NavOptions{});
            grid = g.nodeCount() > 0;
        }
        const double nav = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        size_t doors = 0, spaces = 0;
        for (const Level& l : scene.levels) {
            doors += l.doors.size();
            spaces += l.spaces.size();
        }
        j["format"] = stats.format;
        j["triangles"] = stats.triangles;
        j["levels"] = scene.levels.size();
        j["doors"] = doors;
        j["spaces"] = spaces;
        j["read_s"] = std::round(stats.read_s * 1000) / 1000;
        j["build_s"] = std::round(stats.build_s * 1000) / 1000;
        j["navgrid_s"] = grid ? std::round(nav * 1000) / 1000 : 0.0;
        j["ready_s"] = std::round((stats.total_s() + nav) * 1000) / 1000;
        j["peak_memory_mib"] = std::round(double(peakMemoryKiB()) / 102.4) / 10;
    } catch (const std::exception& e) {
        j["error"] = e.what();
    }
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
}

}  // namespace

int runImportBench(const std::string& dir, bool quick) {
    const fs::path models = findModels(dir);
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(models, ec))
        if (e.path().extension() == ".ifc") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::fprintf(stderr, "error: no .ifc models in %s (set SAFETWIN_DATA to the shared data folder)\n", models.string().c_str());
        return 2;
    }
    if (quick) files.resize(1);
    std::fflush(stdout);
    for (const fs::path& f : files) {
        const pid_t pid = fork();
        if (pid == 0) {
            benchOne(f);
            std::_Exit(0);
        }
        int status = 0;
        if (pid > 0) waitpid(pid, &status, 0);
        else benchOne(f);  // no fork: measure here (peak memory then accumulates)
    }
    return 0;
}

}  // namespace safetwin

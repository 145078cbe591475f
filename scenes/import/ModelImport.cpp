// Entry point of the import: checks the file, picks the reader by extension, builds the scene.
#include "scenes/import/ModelImport.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "scenes/import/RawModel.hpp"

namespace safetwin {

namespace {

namespace fs = std::filesystem;

std::string extension(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

const char* kSupported = ".ifc (IFC 2x3), .glb, .gltf, .obj, .fbx, .dae, .ply, .stl, .pcd, .world or .sdf";

}  // namespace

bool isModelFile(const std::string& path) {
    static const char* exts[] = {".ifc", ".ifczip", ".glb", ".gltf", ".obj", ".fbx", ".dae", ".ply", ".stl", ".pcd", ".world", ".sdf"};
    const std::string ext = extension(path);
    return std::any_of(std::begin(exts), std::end(exts), [&](const char* e) { return ext == e; });
}

size_t peakMemoryKiB() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return size_t(std::stoull(line.substr(6)));
    return 0;
}

Scene importModel(const std::string& path, const ImportOptions& options, ImportStats* stats) {
    ImportStats local;
    ImportStats& st = stats ? *stats : local;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw InputError(path + ": model file not found (expected a " + std::string(kSupported) + " file)");
    if (!fs::is_regular_file(path, ec)) throw InputError(path + ": not a regular file (expected a model file)");
    if (!isModelFile(path))
        throw InputError(path + ": unsupported model format '" + extension(path) + "' (expected " + kSupported + ")");
    if (fs::file_size(path, ec) == 0) throw InputError(path + ": the file is empty (expected a model)");
    if (!(options.cell >= 0.05 && options.cell <= 0.5))
        throw InputError(path + ": raster cell " + std::to_string(options.cell) + " m is out of range [0.05, 0.5] m");
    if (!(options.body_low >= 0.0 && options.body_low < options.body_high && options.body_high <= 3.0))
        throw InputError(path + ": body band [" + std::to_string(options.body_low) + ", " + std::to_string(options.body_high) +
                         "] m is invalid (expected 0 <= low < high <= 3 m)");
    const auto t0 = std::chrono::steady_clock::now();
    const std::string ext = extension(path);
    import::RawModel raw;
    if (ext == ".world" || ext == ".sdf") raw = import::readGazeboWorld(path, options);
    else if (ext == ".ply" || ext == ".stl" || ext == ".pcd") raw = import::readWithOpen3D(path, options);
    else raw = import::readWithAssimp(path, options);
    st.read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return import::buildScene(std::move(raw), options, st);
}

}  // namespace safetwin

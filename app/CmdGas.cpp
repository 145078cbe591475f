// `bench gas` and the gas maps of `run` (see GasCommands.hpp); `verify gas` lives in CmdVerify.cpp.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/GasCommands.hpp"
#include "app/Output.hpp"
#include "bench/GasBench.hpp"
#include "sim/gas/GasCoupling.hpp"
#include "sim/run/Simulation.hpp"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>

namespace safetwin {

namespace {

/// Colour of a concentration on a log scale around the tenability limit L: white below L/100,
/// then yellow (L/100) -> orange (L/10) -> red (L) -> purple (10 L) -> black (100 L).
void colour(double ppm, double limit, unsigned char* rgb) {
    if (!(ppm > limit / 100.0)) { rgb[0] = rgb[1] = rgb[2] = 255; return; }
    const double s = std::clamp(std::log10(ppm / limit) + 2.0, 0.0, 4.0);  // 0..4
    static const double stops[5][3] = {{255, 240, 120}, {255, 160, 40}, {220, 20, 20}, {120, 0, 140}, {20, 0, 20}};
    const int a = std::min(3, int(s));
    const double f = s - a;
    for (int c = 0; c < 3; ++c) rgb[c] = (unsigned char)std::lround(stops[a][c] * (1 - f) + stops[a + 1][c] * f);
}

void appendBytes(void* ctx, void* data, int size) {
    auto* out = static_cast<std::string*>(ctx);
    out->append(static_cast<const char*>(data), size_t(size));
}

}  // namespace

int runBenchGas(const std::vector<int>& threads, bool quick) { return runGasBench(threads, quick); }

std::vector<std::filesystem::path> writeGasMaps(const Simulation& sim, const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    const GasCoupling* gas = sim.gas();
    if (!gas) return files;
    const double limit = gas->gas().kgM3ToPpm(gas->spec().tenability);
    for (const GasLevelMap& m : gas->maxMaps()) {
        const int scale = std::max(1, std::min(8, 1600 / std::max(m.nx, m.ny)));
        const int W = m.nx * scale, H = m.ny * scale;
        std::vector<unsigned char> img(size_t(W) * size_t(H) * 3);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                const int i = x / scale, j = m.ny - 1 - y / scale;  // north up
                const size_t q = size_t(j) * size_t(m.nx) + size_t(i);
                unsigned char* p = &img[(size_t(y) * size_t(W) + size_t(x)) * 3];
                if (m.solid[q]) { p[0] = p[1] = p[2] = 70; continue; }
                colour(m.max_ppm[q], limit, p);
            }
        std::string png;
        if (!stbi_write_png_to_func(appendBytes, &png, W, H, 3, img.data(), W * 3)) throw std::runtime_error("could not encode the gas map of level " + m.level);
        const auto path = dir / ("gas_max_" + m.level + ".png");
        writeFileAtomic(path, png);
        files.push_back(path);
    }
    return files;
}

}  // namespace safetwin

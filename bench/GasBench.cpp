#include "bench/GasBench.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

#include <nlohmann/json.hpp>

#include "sim/gas/GasGrid.hpp"
#include "sim/gas/Transport.hpp"
#include "sim/gas/Wind.hpp"

namespace safetwin {

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

/// Best of three STREAM triads a = b + s c over n doubles. [Units: GB/s, counting 24 bytes/element]
double streamTriad(size_t n) {
    std::vector<double> a(n), b(n), c(n);
    const long m = long(n);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < m; ++i) { a[size_t(i)] = 0.0; b[size_t(i)] = 1.0; c[size_t(i)] = 2.0; }  // first touch
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
        const double t0 = now();
#pragma omp parallel for schedule(static)
        for (long i = 0; i < m; ++i) a[size_t(i)] = b[size_t(i)] + 3.0 * c[size_t(i)];
        best = std::min(best, now() - t0);
    }
    volatile double sink = a[n / 2];
    (void)sink;
    return 24.0 * double(n) / best / 1e9;
}

/// A block town: 60 buildings 6-20 m wide, 5-30 m tall, on a seeded random layout.
GasGrid benchGrid(bool quick) {
    GasGrid g = quick ? GasGrid(64, 40, 25, 1.0) : GasGrid(256, 160, 100, 1.0);
    std::mt19937_64 rng(2024);
    auto uni = [&](double a, double b) { return a + (b - a) * double(rng() >> 11) / double(1ull << 53); };
    const int blocks = quick ? 6 : 60;
    for (int b = 0; b < blocks; ++b) {
        const int w = int(uni(6, 20) * g.nx / 256.0) + 1, d = int(uni(6, 20) * g.nx / 256.0) + 1, hgt = int(uni(5, 30) * g.nz / 100.0) + 1;
        const int i0 = int(uni(0.15, 0.95) * (g.nx - w)), j0 = int(uni(0.05, 0.95) * (g.ny - d));
        for (int k = 0; k < hgt; ++k)
            for (int j = j0; j < j0 + d; ++j)
                for (int i = i0; i < i0 + w; ++i) g.solid[g.at(i, j, k)] = 1;
    }
    return g;
}

}  // namespace

int runGasBench(const std::vector<int>& threads, bool quick) {
    using json = nlohmann::ordered_json;
    const GasGrid g = benchGrid(quick);
    const int maxThreads = *std::max_element(threads.begin(), threads.end());
    WindSpec spec;
    spec.speed = 4.0;
    spec.direction = 260.0;
    WindField w;
    for (int t : threads) {
        omp_set_num_threads(t);
        w = initialWind(g, spec);
        const WindSolveStats st = makeMassConsistent(g, w);
        std::printf("%s\n", json{{"case", "wind_solve"}, {"cells", g.cells()}, {"solid_cells", g.solidCount()}, {"threads", t}, {"seconds", st.seconds},
                                 {"iterations", st.iterations}, {"relative_residual", st.residual}, {"max_divergence", st.max_divergence}}
                                .dump()
                                .c_str());
        std::fflush(stdout);
    }
    TransportOptions to;
    to.horizontal_diffusivity = 1.0;
    to.vertical_diffusivity = 0.5;
    to.active_box = true;
    Transport tr(g, w, to);
    const int steps = quick ? 20 : 30;
    const size_t streamN = quick ? (size_t(1) << 22) : (size_t(1) << 25);
    // Two clouds: over a third of the domain (a leak some way into a run), and everywhere (the
    // worst case: no clean air for the solver to skip).
    for (const bool everywhere : {false, true})
        for (int t : threads) {
            omp_set_num_threads(t);
            std::vector<double> C(g.cells(), 0.0);
            const int kTop = everywhere ? g.nz : g.nz / 3, iTop = everywhere ? g.nx : g.nx / 2;
            for (int k = 0; k < kTop; ++k)
                for (int j = 0; j < g.ny; ++j)
                    for (int i = 0; i < iTop; ++i)
                        if (!g.solid[g.at(i, j, k)]) C[g.at(i, j, k)] = 1e-3 * (1.0 + 0.5 * std::sin(0.1 * i + 0.2 * j + 0.3 * k));
            const double dt = tr.stableDt();
            tr.invalidate();  // a new field
            tr.step(C, dt);  // warm-up (first touch of the scratch buffer)
            const double t0 = now();
            const std::clock_t c0 = std::clock();
            double swept = 0.0;
            for (int s = 0; s < steps; ++s) {
                tr.step(C, dt);
                swept += double(tr.sweptBox().cells());
            }
            const double secs = now() - t0, cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
            const double rate = double(g.cells()) * steps / secs, sweptRate = swept / secs;
            const double stream = streamTriad(streamN);
            // cell_updates_per_s counts every cell of the grid each step; swept_cells_per_s only
            // those in the active box (the rest are clean air, exactly 0 before and after).
            // Bytes per swept cell at least: C read 8, C written 8 (+8 write-allocate), three
            // face velocities 12, solid flag 1.
            std::printf("%s\n", json{{"case", everywhere ? "transport_cloud_everywhere" : "transport_cloud_third"}, {"cells", g.cells()}, {"threads", t},
                                     {"steps", steps}, {"seconds", secs}, {"cpu_seconds", cpu}, {"cell_updates_per_s", rate},
                                     {"swept_fraction", swept / (double(g.cells()) * steps)}, {"swept_cells_per_s", sweptRate}, {"stream_gb_s", stream},
                                     {"effective_gb_s", sweptRate * 37.0 / 1e9}, {"bytes_per_cell_update_min", 37}}
                                    .dump()
                                    .c_str());
            std::fflush(stdout);
        }
    omp_set_num_threads(maxThreads);
    return 0;
}

}  // namespace safetwin

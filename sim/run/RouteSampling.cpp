// Compiled with the crowd kernel's options (sim/CMakeLists.txt): no errno from square roots,
// no FMA contraction, gathers allowed; the loop over people is what the compiler vectorises.
#include "sim/run/RouteSampling.hpp"

#include <cmath>
#include <cstring>

#include "sim/crowd/Crowd.hpp"

namespace safetwin {
namespace {

/// The loop over the people is vectorised (the positions and the table gathered); a person
/// outside the fast case reads node 0, and what it computes is dropped.
[[gnu::always_inline]] inline void sampleBody(const NavLayer& L, const float* __restrict table, float fx0, float fy0, float invH,
                                              const double* __restrict x, const double* __restrict y, const int32_t* __restrict ids,
                                              int n, float* __restrict ox, float* __restrict oy, uint8_t* __restrict ok) {
    const int nx = L.nx, ny = L.ny;
    for (int k = 0; k < n; ++k) {
        const int id = ids[k];
        const float fx = float(x[id]) * invH - fx0, fy = float(y[id]) * invH - fy0;
        const bool in = (fx >= 0.0f) & (fy >= 0.0f);
        const int i = in ? int(fx) : 0, j = in ? int(fy) : 0;  // truncation is floor here
        const bool inner = in & (i + 1 < nx) & (j + 1 < ny);
        const float tx = fx - float(i), ty = fy - float(j);
        const float w0 = (1 - tx) * (1 - ty), w1 = tx * (1 - ty), w2 = (1 - tx) * ty, w3 = tx * ty;
        const int e = inner ? (j * nx + i) * 4 : 0, f = inner ? e + nx * 4 : 0;
        const float dx = table[e] * w0 + table[e + 4] * w1 + table[f] * w2 + table[f + 4] * w3;
        const float dy = table[e + 1] * w0 + table[e + 5] * w1 + table[f + 1] * w2 + table[f + 5] * w3;
        const float wsum = table[e + 2] * w0 + table[e + 6] * w1 + table[f + 2] * w2 + table[f + 6] * w3;
        const float len = std::sqrt(dx * dx + dy * dy);
        const bool good = inner & (wsum > 1e-6f) & (len > 1e-12f);
        ox[k] = good ? dx / len : 0.0f;
        oy[k] = good ? dy / len : 0.0f;
        ok[k] = good ? 1 : 0;
    }
}

__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,prefer-vector-width=512"))) void sampleAvx512(
    const NavLayer& L, const float* table, float fx0, float fy0, float invH, const double* x, const double* y, const int32_t* ids, int n,
    float* ox, float* oy, uint8_t* ok) {
    sampleBody(L, table, fx0, fy0, invH, x, y, ids, n, ox, oy, ok);
}

__attribute__((target("avx2"))) void sampleAvx2(const NavLayer& L, const float* table, float fx0, float fy0, float invH, const double* x,
                                                const double* y, const int32_t* ids, int n, float* ox, float* oy, uint8_t* ok) {
    sampleBody(L, table, fx0, fy0, invH, x, y, ids, n, ox, oy, ok);
}

void sampleBaseline(const NavLayer& L, const float* table, float fx0, float fy0, float invH, const double* x, const double* y,
                    const int32_t* ids, int n, float* ox, float* oy, uint8_t* ok) {
    sampleBody(L, table, fx0, fy0, invH, x, y, ids, n, ox, oy, ok);
}

}  // namespace

void sampleRouteDirections(const NavLayer& L, const float* table, float fx0, float fy0, float invH, const double* x, const double* y,
                           const int32_t* ids, int n, float* ox, float* oy, uint8_t* ok) {
    const char* isa = crowdKernelName();  // the crowd kernel's choice of build
    if (std::strcmp(isa, "avx512") == 0)
        sampleAvx512(L, table, fx0, fy0, invH, x, y, ids, n, ox, oy, ok);
    else if (std::strcmp(isa, "avx2") == 0)
        sampleAvx2(L, table, fx0, fy0, invH, x, y, ids, n, ox, oy, ok);
    else
        sampleBaseline(L, table, fx0, fy0, invH, x, y, ids, n, ox, oy, ok);
}

}  // namespace safetwin

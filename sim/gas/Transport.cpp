#include "sim/gas/Transport.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace safetwin {

namespace {

/// van Leer's limiter times the local difference: phi(up/d) d = 2 up d / (up + d) when up and d
/// have the same sign, else 0.
inline double limited(double up, double d) { return up * d > 0.0 ? 2.0 * up * d / (up + d) : 0.0; }

/// Flux through an interior face between air cells L and R (a > 0 flows from L to R).
inline double interiorFlux(double a, double dth, double kh, double cLL, double cL, double cR, double cRR, bool hasLL, bool hasRR, bool lim) {
    // Clean air on both sides: every term below is exactly 0 (the limited slope of a zero
    // difference is 0), so skip the arithmetic. Most of a run's domain is clean air.
    if (cL == 0.0 && cR == 0.0) return 0.0;
    double F;
    if (a >= 0.0) {
        const double corr = lim && hasLL ? limited(cL - cLL, cR - cL) : 0.0;
        F = a * (cL + 0.5 * (1.0 - a * dth) * corr);
    } else {
        const double corr = lim && hasRR ? limited(cR - cRR, cL - cR) : 0.0;
        F = a * (cR + 0.5 * (1.0 + a * dth) * corr);
    }
    return F - kh * (cR - cL);
}

}  // namespace

Transport::Transport(const GasGrid& grid, const WindField& wind, const TransportOptions& options) : g_(&grid), w_(&wind), o_(options) {
    double ux = 0.0, uy = 0.0, uz = 0.0;
    for (float x : wind.u) ux = std::max(ux, double(std::abs(x)));
    for (float x : wind.v) uy = std::max(uy, double(std::abs(x)));
    for (float x : wind.w) uz = std::max(uz, double(std::abs(x)));
    const double h = grid.h;
    const double rate = (ux + uy + uz) / (o_.cfl * h) + 2.0 * (2.0 * o_.horizontal_diffusivity + o_.vertical_diffusivity) / (h * h);
    dtMax_ = rate > 0.0 ? 1.0 / rate : 1e9;
    next_.assign(grid.cells(), 0.0);
}

double Transport::mass(const std::vector<double>& C) const {
    double m = 0.0;
    for (double c : C) m += c;
    return m * g_->h * g_->h * g_->h;
}

void Transport::step(std::vector<double>& C, double dt) {
    const GasGrid& g = *g_;
    const WindField& W = *w_;
    const int nx = g.nx, ny = g.ny, nz = g.nz;
    const size_t sy = size_t(nx), sz = size_t(nx) * size_t(ny);
    const double h = g.h, dth = dt / h, khx = o_.horizontal_diffusivity / h, khz = o_.vertical_diffusivity / h;
    const bool lim = o_.limiter;
    const double cin = o_.inflow_x_low;
    const uint8_t* S = g.solid.data();
    const double* c = C.data();
    double* out = next_.data();
    double outflow = 0.0;

#pragma omp parallel reduction(+ : outflow)
    {
        const int T = omp_get_num_threads(), t = omp_get_thread_num();
        const int k0 = int(int64_t(nz) * t / T), k1 = int(int64_t(nz) * (t + 1) / T);
        std::vector<double> fzLo(sz), fzHi(sz), fyLo(sy), fyHi(sy), fx(sy + 1);
        // z-face fluxes of face index k (between cells k-1 and k) into buf.
        auto zFaces = [&](int k, std::vector<double>& buf) {
            for (int j = 0; j < ny; ++j)
                for (int i = 0; i < nx; ++i) {
                    const size_t q = size_t(j) * sy + size_t(i);
                    const double a = W.w[W.iw(i, j, k)];
                    double F = 0.0;
                    if (k == 0) {
                        if (g.open[4] && a < 0.0 && !S[q]) F = a * c[q];
                    } else if (k == nz) {
                        const size_t L = size_t(nz - 1) * sz + q;
                        if (g.open[5] && a > 0.0 && !S[L]) F = a * c[L];
                    } else {
                        const size_t L = size_t(k - 1) * sz + q, R = L + sz;
                        if (!S[L] && !S[R]) {
                            const bool hasLL = k >= 2 && !S[L - sz], hasRR = k + 1 < nz && !S[R + sz];
                            F = interiorFlux(a, dth, khz, hasLL ? c[L - sz] : 0.0, c[L], c[R], hasRR ? c[R + sz] : 0.0, hasLL, hasRR, lim);
                        }
                    }
                    buf[q] = F;
                }
        };
        auto yFaces = [&](int j, int k, std::vector<double>& buf) {
            for (int i = 0; i < nx; ++i) {
                const double a = W.v[W.iv(i, j, k)];
                double F = 0.0;
                if (j == 0) {
                    const size_t R = size_t(k) * sz + size_t(i);
                    if (g.open[2] && a < 0.0 && !S[R]) F = a * c[R];
                } else if (j == ny) {
                    const size_t L = size_t(k) * sz + size_t(ny - 1) * sy + size_t(i);
                    if (g.open[3] && a > 0.0 && !S[L]) F = a * c[L];
                } else {
                    const size_t L = size_t(k) * sz + size_t(j - 1) * sy + size_t(i), R = L + sy;
                    if (!S[L] && !S[R]) {
                        const bool hasLL = j >= 2 && !S[L - sy], hasRR = j + 1 < ny && !S[R + sy];
                        F = interiorFlux(a, dth, khx, hasLL ? c[L - sy] : 0.0, c[L], c[R], hasRR ? c[R + sy] : 0.0, hasLL, hasRR, lim);
                    }
                }
                buf[size_t(i)] = F;
            }
        };
        if (k0 < k1) zFaces(k0, fzLo);
        for (int k = k0; k < k1; ++k) {
            zFaces(k + 1, fzHi);
            yFaces(0, k, fyLo);
            for (int j = 0; j < ny; ++j) {
                yFaces(j + 1, k, fyHi);
                const size_t row = size_t(k) * sz + size_t(j) * sy;
                const float* ua = &W.u[W.iu(0, j, k)];
                // x faces of this row
                {
                    const double a0 = ua[0];
                    fx[0] = (g.open[0] && a0 < 0.0 && !S[row]) ? a0 * c[row] : 0.0;
                    if (cin > 0.0 && g.open[0] && !S[row]) fx[0] = (a0 > 0.0 ? a0 * cin : a0 * c[row]) - 2.0 * khx * (c[row] - cin);
                    const double an = ua[nx];
                    fx[size_t(nx)] = (g.open[1] && an > 0.0 && !S[row + size_t(nx) - 1]) ? an * c[row + size_t(nx) - 1] : 0.0;
                    for (int i = 1; i < nx; ++i) {
                        const size_t L = row + size_t(i) - 1, R = L + 1;
                        double F = 0.0;
                        if (!S[L] && !S[R]) {
                            const bool hasLL = i >= 2 && !S[L - 1], hasRR = i + 1 < nx && !S[R + 1];
                            F = interiorFlux(ua[i], dth, khx, hasLL ? c[L - 1] : 0.0, c[L], c[R], hasRR ? c[R + 1] : 0.0, hasLL, hasRR, lim);
                        }
                        fx[size_t(i)] = F;
                    }
                }
                const size_t q0 = size_t(j) * sy;
                for (int i = 0; i < nx; ++i) {
                    const size_t cc = row + size_t(i);
                    out[cc] = S[cc] ? 0.0
                                    : c[cc] - dth * (fx[size_t(i) + 1] - fx[size_t(i)] + fyHi[size_t(i)] - fyLo[size_t(i)] + fzHi[q0 + size_t(i)] -
                                                     fzLo[q0 + size_t(i)]);
                }
                outflow += -fx[0] + fx[size_t(nx)];
                if (j == 0) for (int i = 0; i < nx; ++i) outflow += -fyLo[size_t(i)];
                if (j == ny - 1) for (int i = 0; i < nx; ++i) outflow += fyHi[size_t(i)];
                std::swap(fyLo, fyHi);
            }
            if (k == 0) for (size_t q = 0; q < sz; ++q) outflow += -fzLo[q];
            if (k == nz - 1) for (size_t q = 0; q < sz; ++q) outflow += fzHi[q];
            std::swap(fzLo, fzHi);
        }
    }
    outflow_ += outflow * dt * h * h;
    C.swap(next_);
}

}  // namespace safetwin

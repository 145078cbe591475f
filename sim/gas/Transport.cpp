#include "sim/gas/Transport.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace safetwin {

namespace {

inline double air(uint8_t solid) { return solid ? 0.0 : 1.0; }

/// Flux through an interior face (a > 0 flows from L to R) from the four cells along its axis.
/// mLL, mRR: 1 where the cell beyond L (R) is air, else the limited slope is 0 (first order);
/// open: 1 where L and R are both air, else no flux at all. van Leer's limited slope
/// phi(g/d) d = 2 g d / (g + d) when the upwind difference g and the local difference d have the
/// same sign, else 0; for a < 0 the limiter's symmetry phi(-g, -d) = -phi(g, d) lets both
/// directions share one expression. Written without branches so the row loops vectorise.
inline double faceFlux(double a, double dth, double k, double cLL, double cL, double cR, double cRR, double mLL, double mRR, double open,
                       double limOn) {
    const double d = cR - cL;
    const bool pos = a >= 0.0;
    const double cu = pos ? cL : cR;
    const double gl = (cL - cLL) * mLL, gr = (cRR - cR) * mRR;
    const double g = pos ? gl : gr;
    const double p = g * d;
    const double gd = g + d;
    const double q = p > 0.0 ? gd : 1.0;     // g + d != 0 whenever p > 0
    const double r = 2.0 * p / q;            // computed always, kept only where p > 0
    const double lim = p > 0.0 ? r : 0.0;
    const double half = pos ? 0.5 : -0.5;
    return open * (a * (cu + half * (1.0 - std::abs(a) * dth) * (lim * limOn)) - k * d);
}

// The face rows are built twice, for AVX2 and for the baseline, and the loader picks one
// (GCC function multi-versioning); the results are identical (no FMA contraction in ISO mode).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SAFETWIN_GAS_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SAFETWIN_GAS_CLONES
#endif

/// Interior faces of one row along y or z: cells LL, L, R, R+ are rows of the same length.
SAFETWIN_GAS_CLONES void faceRow(int i0, int i1, const float* a, const double* cLL, const double* cL, const double* cR, const double* cRR, const uint8_t* sLL,
             const uint8_t* sL, const uint8_t* sR, const uint8_t* sRR, double dth, double k, double limOn, double* F) {
    for (int i = i0; i < i1; ++i)
        F[i] = faceFlux(double(a[i]), dth, k, cLL[i], cL[i], cR[i], cRR[i], air(sLL[i]), air(sRR[i]), air(sL[i]) * air(sR[i]), limOn);
}

/// Interior x faces [fa, fb) of a row (row: index of its first cell), each with both cells
/// beyond its own inside the row (2 <= fa, fb <= nx - 1).
SAFETWIN_GAS_CLONES void faceRowX(int fa, int fb, const float* a, const double* c, const uint8_t* S, size_t row, double dth, double k, double limOn,
                                  double* F) {
    for (int f = fa; f < fb; ++f) {
        const size_t L = row + size_t(f) - 1;
        F[f] = faceFlux(double(a[f]), dth, k, c[L - 1], c[L], c[L + 1], c[L + 2], air(S[L - 1]), air(S[L + 2]), air(S[L]) * air(S[L + 1]), limOn);
    }
}

CellBox hull(const CellBox& a, const CellBox& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return {std::min(a.i0, b.i0), std::max(a.i1, b.i1), std::min(a.j0, b.j0), std::max(a.j1, b.j1), std::min(a.k0, b.k0), std::max(a.k1, b.k1)};
}

/// Adds the nonzero range of row [i0, i1) of v to acc.
template <class Acc>
inline void scanRow(const double* v, int i0, int i1, int j, int k, Acc& acc) {
    int first = i0;
    while (first < i1 && v[first] == 0.0) ++first;
    if (first == i1) return;
    int last = i1 - 1;
    while (v[last] == 0.0) --last;
    acc.addRow(j, k, first, last);
}

}  // namespace

void Transport::BoxAcc::addRow(int j, int k, int first, int last) {
    i0 = std::min(i0, first); i1 = std::max(i1, last + 1);
    j0 = std::min(j0, j); j1 = std::max(j1, j + 1);
    k0 = std::min(k0, k); k1 = std::max(k1, k + 1);
}

void Transport::BoxAcc::merge(const BoxAcc& o) {
    i0 = std::min(i0, o.i0); i1 = std::max(i1, o.i1);
    j0 = std::min(j0, o.j0); j1 = std::max(j1, o.j1);
    k0 = std::min(k0, o.k0); k1 = std::max(k1, o.k1);
}

Transport::Transport(const GasGrid& grid, const WindField& wind, const TransportOptions& options) : g_(&grid), w_(&wind), o_(options) {
    refresh();
    next_.assign(grid.cells(), 0.0);
    zeroRow_.assign(size_t(grid.nx), 0.0);
    solidRow_.assign(size_t(grid.nx), 1);
}

void Transport::refresh() {
    const WindField& wind = *w_;
    double ux = 0.0, uy = 0.0, uz = 0.0;
    for (float x : wind.u) ux = std::max(ux, double(std::abs(x)));
    for (float x : wind.v) uy = std::max(uy, double(std::abs(x)));
    for (float x : wind.w) uz = std::max(uz, double(std::abs(x)));
    const double h = g_->h;
    const double rate = (ux + uy + uz) / (o_.cfl * h) + 2.0 * (2.0 * o_.horizontal_diffusivity + o_.vertical_diffusivity) / (h * h);
    dtMax_ = rate > 0.0 ? 1.0 / rate : 1e9;
    lastOut_ = nullptr;
}

double Transport::mass(const std::vector<double>& C) const {
    double m = 0.0;
    for (double c : C) m += c;
    return m * g_->h * g_->h * g_->h;
}

void Transport::touch(size_t c) {
    const GasGrid& g = *g_;
    const size_t sz = size_t(g.nx) * size_t(g.ny);
    const int k = int(c / sz), j = int((c % sz) / size_t(g.nx)), i = int(c % size_t(g.nx));
    active_ = hull(active_, CellBox{i, i + 1, j, j + 1, k, k + 1});
}

CellBox Transport::nonzeroBox(const std::vector<double>& C) const {
    const GasGrid& g = *g_;
    BoxAcc all;
#pragma omp parallel
    {
        BoxAcc acc;
#pragma omp for schedule(static)
        for (int k = 0; k < g.nz; ++k)
            for (int j = 0; j < g.ny; ++j) scanRow(&C[g.at(0, j, k)], 0, g.nx, j, k, acc);
#pragma omp critical(safetwin_gas_box)
        all.merge(acc);
    }
    return all.box();
}

void Transport::step(std::vector<double>& C, double dt) {
    const GasGrid& g = *g_;
    const WindField& W = *w_;
    const int nx = g.nx, ny = g.ny, nz = g.nz;
    const size_t sy = size_t(nx), sz = size_t(nx) * size_t(ny);
    const double h = g.h, dth = dt / h, khx = o_.horizontal_diffusivity / h, khz = o_.vertical_diffusivity / h;
    const double limOn = o_.limiter ? 1.0 : 0.0;
    const double cin = o_.inflow_x_low;
    const uint8_t* S = g.solid.data();

    // The box to sweep: the gas grown by one cell, and wherever next_ still holds old values.
    if (!o_.active_box) active_ = {0, nx, 0, ny, 0, nz};
    else if (C.data() != lastOut_ || C.size() != g.cells()) active_ = nonzeroBox(C);
    CellBox U = active_;
    if (!U.empty()) {
        U = {std::max(0, U.i0 - 1), std::min(nx, U.i1 + 1), std::max(0, U.j0 - 1), std::min(ny, U.j1 + 1), std::max(0, U.k0 - 1), std::min(nz, U.k1 + 1)};
    }
    if (cin != 0.0) U = {0, nx, 0, ny, 0, nz};  // air entering with gas: everywhere
    U = hull(U, stale_);
    swept_ = U;
    if (U.empty()) {  // no gas anywhere: nothing moves
        lastOut_ = C.data();
        return;
    }

    const double* c = C.data();
    double* out = next_.data();
    double outflow = 0.0;
    const int maxThreads = omp_get_max_threads();
    if (int(scratch_.size()) < maxThreads) {
        scratch_.resize(size_t(maxThreads));
        for (Scratch& s : scratch_) {
            s.fzLo.resize(sz); s.fzHi.resize(sz); s.fyLo.resize(sy); s.fyHi.resize(sy); s.fx.resize(sy + 1);
        }
    }
    boxes_.assign(size_t(maxThreads), BoxAcc{});
    const double* zero = zeroRow_.data();
    const uint8_t* wall = solidRow_.data();

#pragma omp parallel reduction(+ : outflow)
    {
        const int T = omp_get_num_threads(), t = omp_get_thread_num();
        const int k0 = U.k0 + int(int64_t(U.k1 - U.k0) * t / T), k1 = U.k0 + int(int64_t(U.k1 - U.k0) * (t + 1) / T);
        Scratch& s = scratch_[size_t(t)];
        BoxAcc acc;
        const int i0 = U.i0, i1 = U.i1;

        // z faces of face layer kf (between cells kf-1 and kf) over the box's plan, into buf.
        auto zFaces = [&](int kf, std::vector<double>& buf) {
            for (int j = U.j0; j < U.j1; ++j) {
                const size_t q0 = size_t(j) * sy;
                const float* a = &W.w[W.iw(0, j, kf)];
                double* F = &buf[q0];
                if (kf == 0 || kf == nz) {
                    const size_t L = (kf == 0 ? 0 : size_t(nz - 1) * sz) + q0;
                    const bool open = kf == 0 ? g.open[4] : g.open[5];
                    for (int i = i0; i < i1; ++i) {
                        const double ai = a[i];
                        const bool leaves = kf == 0 ? ai < 0.0 : ai > 0.0;
                        F[i] = open && leaves && !S[L + size_t(i)] ? ai * c[L + size_t(i)] : 0.0;
                    }
                    continue;
                }
                const size_t L = size_t(kf - 1) * sz + q0, R = L + sz;
                const bool hasLL = kf >= 2, hasRR = kf + 1 < nz;
                faceRow(i0, i1, a, hasLL ? c + (L - sz) : zero, c + L, c + R, hasRR ? c + (R + sz) : zero, hasLL ? S + (L - sz) : wall, S + L, S + R,
                        hasRR ? S + (R + sz) : wall, dth, khz, limOn, F);
            }
        };
        // y faces of face row jf (between rows jf-1 and jf) in slab k, into buf (by i).
        auto yFaces = [&](int jf, int k, std::vector<double>& buf) {
            const float* a = &W.v[W.iv(0, jf, k)];
            double* F = buf.data();
            if (jf == 0 || jf == ny) {
                const size_t L = size_t(k) * sz + (jf == 0 ? 0 : size_t(ny - 1) * sy);
                const bool open = jf == 0 ? g.open[2] : g.open[3];
                for (int i = i0; i < i1; ++i) {
                    const double ai = a[i];
                    const bool leaves = jf == 0 ? ai < 0.0 : ai > 0.0;
                    F[i] = open && leaves && !S[L + size_t(i)] ? ai * c[L + size_t(i)] : 0.0;
                }
                return;
            }
            const size_t L = size_t(k) * sz + size_t(jf - 1) * sy, R = L + sy;
            const bool hasLL = jf >= 2, hasRR = jf + 1 < ny;
            faceRow(i0, i1, a, hasLL ? c + (L - sy) : zero, c + L, c + R, hasRR ? c + (R + sy) : zero, hasLL ? S + (L - sy) : wall, S + L, S + R,
                    hasRR ? S + (R + sy) : wall, dth, khx, limOn, F);
        };
        // x faces i0..i1 of row (j, k), into fx (by face index).
        auto xFaces = [&](int j, int k) {
            const size_t row = size_t(k) * sz + size_t(j) * sy;
            const float* ua = &W.u[W.iu(0, j, k)];
            double* F = s.fx.data();
            auto edge = [&](int f) {  // any face, boundaries included
                if (f == 0) {
                    const double a0 = ua[0];
                    double v = (g.open[0] && a0 < 0.0 && !S[row]) ? a0 * c[row] : 0.0;
                    if (cin > 0.0 && g.open[0] && !S[row]) v = (a0 > 0.0 ? a0 * cin : a0 * c[row]) - 2.0 * khx * (c[row] - cin);
                    return v;
                }
                if (f == nx) {
                    const double an = ua[nx];
                    const size_t L = row + size_t(nx) - 1;
                    return (g.open[1] && an > 0.0 && !S[L]) ? an * c[L] : 0.0;
                }
                const size_t L = row + size_t(f) - 1, R = L + 1;
                const bool hasLL = f >= 2, hasRR = f + 1 < nx;
                return faceFlux(double(ua[f]), dth, khx, hasLL ? c[L - 1] : 0.0, c[L], c[R], hasRR ? c[R + 1] : 0.0, hasLL ? air(S[L - 1]) : 0.0,
                                hasRR ? air(S[R + 1]) : 0.0, air(S[L]) * air(S[R]), limOn);
            };
            // Faces with both neighbours beyond L and R inside the row run branch-free.
            const int va = std::max(i0, 2), vb = std::max(va, std::min(i1 + 1, nx - 1));
            for (int f = i0; f < va && f <= i1; ++f) F[f] = edge(f);
            faceRowX(va, vb, ua, c, S, row, dth, khx, limOn, F);
            for (int f = std::max(vb, va); f <= i1; ++f) F[f] = edge(f);
        };

        if (k0 < k1) zFaces(k0, s.fzLo);
        for (int k = k0; k < k1; ++k) {
            zFaces(k + 1, s.fzHi);
            yFaces(U.j0, k, s.fyLo);
            for (int j = U.j0; j < U.j1; ++j) {
                yFaces(j + 1, k, s.fyHi);
                xFaces(j, k);
                const size_t row = size_t(k) * sz + size_t(j) * sy, q0 = size_t(j) * sy;
                const double* fx = s.fx.data();
                const double* fyLo = s.fyLo.data();
                const double* fyHi = s.fyHi.data();
                const double* fzLo = s.fzLo.data() + q0;
                const double* fzHi = s.fzHi.data() + q0;
                for (int i = i0; i < i1; ++i) {
                    const size_t cc = row + size_t(i);
                    const double v = c[cc] - dth * (fx[i + 1] - fx[i] + fyHi[i] - fyLo[i] + fzHi[i] - fzLo[i]);
                    out[cc] = S[cc] ? 0.0 : v;
                }
                scanRow(out + row, i0, i1, j, k, acc);
                if (i0 == 0) outflow -= fx[0];
                if (i1 == nx) outflow += fx[nx];
                if (j == 0) for (int i = i0; i < i1; ++i) outflow -= fyLo[i];
                if (j == ny - 1) for (int i = i0; i < i1; ++i) outflow += fyHi[i];
                std::swap(s.fyLo, s.fyHi);
            }
            if (k == 0)
                for (int j = U.j0; j < U.j1; ++j)
                    for (int i = i0; i < i1; ++i) outflow -= s.fzLo[size_t(j) * sy + size_t(i)];
            if (k == nz - 1)
                for (int j = U.j0; j < U.j1; ++j)
                    for (int i = i0; i < i1; ++i) outflow += s.fzHi[size_t(j) * sy + size_t(i)];
            std::swap(s.fzLo, s.fzHi);
        }
        boxes_[size_t(t)] = acc;
    }
    BoxAcc all;
    for (const BoxAcc& b : boxes_) all.merge(b);
    outflow_ += outflow * dt * h * h;
    stale_ = active_;   // next_ now receives the input field
    active_ = all.box();
    C.swap(next_);
    lastOut_ = C.data();
}

}  // namespace safetwin

#include "sim/gas/Wind.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

namespace safetwin {

void WindField::resize(int nx_, int ny_, int nz_) {
    nx = nx_; ny = ny_; nz = nz_;
    u.assign(size_t(nz) * size_t(ny) * size_t(nx + 1), 0.0f);
    v.assign(size_t(nz) * size_t(ny + 1) * size_t(nx), 0.0f);
    w.assign(size_t(nz + 1) * size_t(ny) * size_t(nx), 0.0f);
}

void WindField::cellVelocity(int i, int j, int k, double& ux, double& uy, double& uz) const {
    ux = 0.5 * (double(u[iu(i, j, k)]) + double(u[iu(i + 1, j, k)]));
    uy = 0.5 * (double(v[iv(i, j, k)]) + double(v[iv(i, j + 1, k)]));
    uz = 0.5 * (double(w[iw(i, j, k)]) + double(w[iw(i, j, k + 1)]));
}

namespace {

/// 1 if the face between cell a (index qa along an axis of n cells, -1 = outside) and the next
/// is open to flow: both sides air, or one side an open boundary.
bool airOrOpen(const GasGrid& g, size_t a, size_t stride, int qa, int n, bool loOpen, bool hiOpen) {
    if (qa < 0) return loOpen && !g.solid[a];  // a is then cell 0
    if (qa >= n - 1) return hiOpen && !g.solid[a];
    return !g.solid[a] && !g.solid[a + stride];
}

// Multigrid hierarchy for the operator A x_c = diag_c x_c - sum_f g_f x_nb (see Wind.hpp).
struct MgLevel {
    int nx = 0, ny = 0, nz = 0;
    std::vector<float> gx, gy, gz;   // face conductances; boundary faces couple to phi = 0
    std::vector<double> diag, x, b, r;
    size_t cells() const { return size_t(nx) * size_t(ny) * size_t(nz); }
    size_t c(int i, int j, int k) const { return (size_t(k) * size_t(ny) + size_t(j)) * size_t(nx) + size_t(i); }
    size_t fx(int i, int j, int k) const { return (size_t(k) * size_t(ny) + size_t(j)) * size_t(nx + 1) + size_t(i); }
    size_t fy(int i, int j, int k) const { return (size_t(k) * size_t(ny + 1) + size_t(j)) * size_t(nx) + size_t(i); }
    size_t fz(int i, int j, int k) const { return (size_t(k) * size_t(ny) + size_t(j)) * size_t(nx) + size_t(i); }
    void alloc() {
        gx.assign(size_t(nz) * size_t(ny) * size_t(nx + 1), 0.0f);
        gy.assign(size_t(nz) * size_t(ny + 1) * size_t(nx), 0.0f);
        gz.assign(size_t(nz + 1) * size_t(ny) * size_t(nx), 0.0f);
        diag.assign(cells(), 0.0);
        x.assign(cells(), 0.0);
        b.assign(cells(), 0.0);
        r.assign(cells(), 0.0);
    }
    void computeDiag() {
#pragma omp parallel for schedule(static)
        for (int k = 0; k < nz; ++k)
            for (int j = 0; j < ny; ++j)
                for (int i = 0; i < nx; ++i)
                    diag[c(i, j, k)] = double(gx[fx(i, j, k)]) + gx[fx(i + 1, j, k)] + gy[fy(i, j, k)] + gy[fy(i, j + 1, k)] +
                                       gz[fz(i, j, k)] + gz[fz(i, j, k + 1)];
    }
    /// sum_f g_f x_nb over interior neighbours of (i, j, k).
    double offSum(const std::vector<double>& v, int i, int j, int k) const {
        double s = 0.0;
        const size_t cc = c(i, j, k);
        if (i > 0) s += gx[fx(i, j, k)] * v[cc - 1];
        if (i + 1 < nx) s += gx[fx(i + 1, j, k)] * v[cc + 1];
        if (j > 0) s += gy[fy(i, j, k)] * v[cc - size_t(nx)];
        if (j + 1 < ny) s += gy[fy(i, j + 1, k)] * v[cc + size_t(nx)];
        const size_t plane = size_t(nx) * size_t(ny);
        if (k > 0) s += gz[fz(i, j, k)] * v[cc - plane];
        if (k + 1 < nz) s += gz[fz(i, j, k + 1)] * v[cc + plane];
        return s;
    }
    void apply(const std::vector<double>& v, std::vector<double>& out) const {
#pragma omp parallel for schedule(static)
        for (int k = 0; k < nz; ++k)
            for (int j = 0; j < ny; ++j)
                for (int i = 0; i < nx; ++i) {
                    const size_t cc = c(i, j, k);
                    out[cc] = diag[cc] * v[cc] - offSum(v, i, j, k);
                }
    }
    /// One red-black Gauss-Seidel half sweep on x for A x = b (cells of parity `colour`).
    void smoothColour(int colour) {
#pragma omp parallel for schedule(static)
        for (int k = 0; k < nz; ++k)
            for (int j = 0; j < ny; ++j)
                for (int i = (j + k + colour) & 1; i < nx; i += 2) {
                    const size_t cc = c(i, j, k);
                    if (diag[cc] > 0.0) x[cc] = (b[cc] + offSum(x, i, j, k)) / diag[cc];
                }
    }
};

MgLevel coarsen(const MgLevel& f) {
    MgLevel c;
    c.nx = (f.nx + 1) / 2; c.ny = (f.ny + 1) / 2; c.nz = (f.nz + 1) / 2;
    c.alloc();
    // Coarse conductance = half the sum of the fine faces it covers (area 4x, length 2x).
    for (int k = 0; k < f.nz; ++k)
        for (int j = 0; j < f.ny; ++j) {
            for (int i = 0; i <= f.nx; i += 2) c.gx[c.fx(i / 2, j / 2, k / 2)] += 0.5f * f.gx[f.fx(i, j, k)];
            if (f.nx % 2 == 1) c.gx[c.fx(c.nx, j / 2, k / 2)] += 0.5f * f.gx[f.fx(f.nx, j, k)];
        }
    for (int k = 0; k < f.nz; ++k)
        for (int i = 0; i < f.nx; ++i) {
            for (int j = 0; j <= f.ny; j += 2) c.gy[c.fy(i / 2, j / 2, k / 2)] += 0.5f * f.gy[f.fy(i, j, k)];
            if (f.ny % 2 == 1) c.gy[c.fy(i / 2, c.ny, k / 2)] += 0.5f * f.gy[f.fy(i, f.ny, k)];
        }
    for (int j = 0; j < f.ny; ++j)
        for (int i = 0; i < f.nx; ++i) {
            for (int k = 0; k <= f.nz; k += 2) c.gz[c.fz(i / 2, j / 2, k / 2)] += 0.5f * f.gz[f.fz(i, j, k)];
            if (f.nz % 2 == 1) c.gz[c.fz(i / 2, j / 2, c.nz)] += 0.5f * f.gz[f.fz(i, j, f.nz)];
        }
    c.computeDiag();
    return c;
}

void vcycle(std::vector<MgLevel>& L, size_t l) {
    MgLevel& a = L[l];
    if (l + 1 == L.size()) {
        std::fill(a.x.begin(), a.x.end(), 0.0);
        for (int s = 0; s < 30; ++s) { a.smoothColour(0); a.smoothColour(1); a.smoothColour(1); a.smoothColour(0); }
        return;
    }
    std::fill(a.x.begin(), a.x.end(), 0.0);
    a.smoothColour(0);
    a.smoothColour(1);
    a.apply(a.x, a.r);
    MgLevel& c = L[l + 1];
    std::fill(c.b.begin(), c.b.end(), 0.0);
    for (int k = 0; k < a.nz; ++k)
        for (int j = 0; j < a.ny; ++j)
            for (int i = 0; i < a.nx; ++i) {
                const size_t cc = a.c(i, j, k);
                c.b[c.c(i / 2, j / 2, k / 2)] += a.b[cc] - a.r[cc];
            }
    vcycle(L, l + 1);
#pragma omp parallel for schedule(static)
    for (int k = 0; k < a.nz; ++k)
        for (int j = 0; j < a.ny; ++j)
            for (int i = 0; i < a.nx; ++i) {
                const size_t cc = a.c(i, j, k);
                if (a.diag[cc] > 0.0) a.x[cc] += c.x[c.c(i / 2, j / 2, k / 2)];
            }
    a.smoothColour(1);
    a.smoothColour(0);
}

double dotp(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    const long n = long(a.size());
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (long i = 0; i < n; ++i) s += a[size_t(i)] * b[size_t(i)];
    return s;
}

}  // namespace

WindField uniformWind(const GasGrid& g, double ux, double uy, double uz) {
    WindField f;
    f.resize(g.nx, g.ny, g.nz);
    std::fill(f.u.begin(), f.u.end(), float(ux));
    std::fill(f.v.begin(), f.v.end(), float(uy));
    std::fill(f.w.begin(), f.w.end(), float(uz));
    return f;
}

WindField initialWind(const GasGrid& g, const WindSpec& s) {
    WindField f;
    f.resize(g.nx, g.ny, g.nz);
    const double th = s.direction * std::numbers::pi / 180.0;
    const double ux = -s.speed * std::sin(th), uy = -s.speed * std::cos(th);
    const double p = windProfileExponent(s.stability);
    const size_t sy = size_t(g.nx), sz = size_t(g.nx) * size_t(g.ny);
    for (int k = 0; k < g.nz; ++k) {
        const double z = std::max(0.5 * g.h, g.cz(k) - g.z0);
        const double profile = std::pow(z / s.reference_height, p);
        for (int j = 0; j < g.ny; ++j)
            for (int i = 0; i <= g.nx; ++i) {
                const size_t a = g.at(std::max(i - 1, 0), j, k);
                const bool ok = i == 0 ? airOrOpen(g, a, 1, -1, g.nx, g.open[0], g.open[1])
                                       : airOrOpen(g, a, 1, i - 1, g.nx, g.open[0], g.open[1]);
                f.u[f.iu(i, j, k)] = ok ? float(ux * profile) : 0.0f;
            }
        for (int j = 0; j <= g.ny; ++j)
            for (int i = 0; i < g.nx; ++i) {
                const size_t a = g.at(i, std::max(j - 1, 0), k);
                const bool ok = j == 0 ? airOrOpen(g, a, sy, -1, g.ny, g.open[2], g.open[3])
                                       : airOrOpen(g, a, sy, j - 1, g.ny, g.open[2], g.open[3]);
                f.v[f.iv(i, j, k)] = ok ? float(uy * profile) : 0.0f;
            }
    }
    (void)sz;
    return f;
}

std::vector<double> windDivergence(const GasGrid& g, const WindField& f) {
    std::vector<double> d(g.cells(), 0.0);
#pragma omp parallel for schedule(static)
    for (int k = 0; k < g.nz; ++k)
        for (int j = 0; j < g.ny; ++j)
            for (int i = 0; i < g.nx; ++i) {
                const size_t c = g.at(i, j, k);
                if (g.solid[c]) continue;
                d[c] = (double(f.u[f.iu(i + 1, j, k)]) - f.u[f.iu(i, j, k)] + double(f.v[f.iv(i, j + 1, k)]) - f.v[f.iv(i, j, k)] +
                        double(f.w[f.iw(i, j, k + 1)]) - f.w[f.iw(i, j, k)]) / g.h;
            }
    return d;
}

WindSolveStats makeMassConsistent(const GasGrid& g, WindField& f, const WindSolveOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    WindSolveStats st;
    const size_t sy = size_t(g.nx), sz = size_t(g.nx) * size_t(g.ny);
    // Fine level: conductance 1 on open faces (air-air, or air to an open boundary).
    std::vector<MgLevel> L(1);
    L.reserve(40);  // references into L stay valid while coarse levels are added
    MgLevel& F = L[0];
    F.nx = g.nx; F.ny = g.ny; F.nz = g.nz;
    F.alloc();
#pragma omp parallel for schedule(static)
    for (int k = 0; k < g.nz; ++k)
        for (int j = 0; j < g.ny; ++j) {
            for (int i = 0; i <= g.nx; ++i)
                F.gx[F.fx(i, j, k)] = airOrOpen(g, g.at(std::max(i - 1, 0), j, k), 1, i - 1, g.nx, g.open[0], g.open[1]) ? 1.0f : 0.0f;
            for (int i = 0; i < g.nx; ++i) {
                    F.gy[F.fy(i, j, k)] = airOrOpen(g, g.at(i, std::max(j - 1, 0), k), sy, j - 1, g.ny, g.open[2], g.open[3]) ? 1.0f : 0.0f;
                    F.gz[F.fz(i, j, k)] = airOrOpen(g, g.at(i, j, std::max(k - 1, 0)), sz, k - 1, g.nz, g.open[4], g.open[5]) ? 1.0f : 0.0f;
                }
        }
    for (int k = 0; k < g.nz; ++k)
        for (int i = 0; i < g.nx; ++i)
            F.gy[F.fy(i, g.ny, k)] = airOrOpen(g, g.at(i, g.ny - 1, k), sy, g.ny - 1, g.ny, g.open[2], g.open[3]) ? 1.0f : 0.0f;
    for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i)
            F.gz[F.fz(i, j, g.nz)] = airOrOpen(g, g.at(i, j, g.nz - 1), sz, g.nz - 1, g.nz, g.open[4], g.open[5]) ? 1.0f : 0.0f;
    F.computeDiag();
    // Zero the first guess on closed faces, then b = h^2 div(u0).
    for (size_t q = 0; q < f.u.size(); ++q) if (F.gx[q] == 0.0f) f.u[q] = 0.0f;
    for (size_t q = 0; q < f.v.size(); ++q) if (F.gy[q] == 0.0f) f.v[q] = 0.0f;
    for (size_t q = 0; q < f.w.size(); ++q) if (F.gz[q] == 0.0f) f.w[q] = 0.0f;
    {
        const std::vector<double> d = windDivergence(g, f);
        for (size_t c = 0; c < d.size(); ++c) F.b[c] = g.h * g.h * d[c];
    }
    while (L.back().nx > 2 && L.back().ny > 2 && L.back().nz > 2 && L.back().cells() > 512) L.push_back(coarsen(L.back()));

    // Preconditioned conjugate gradients on A phi = b, M^-1 = one V-cycle.
    const size_t n = g.cells();
    std::vector<double> phi(n, 0.0), r = F.b, z(n), p(n), Ap(n);
    const double bnorm = std::sqrt(dotp(r, r));
    if (bnorm > 0.0) {
        auto precondition = [&](const std::vector<double>& rr, std::vector<double>& zz) {
            L[0].b = rr;
            vcycle(L, 0);
            zz = L[0].x;
        };
        const std::vector<double> rhs = F.b;
        precondition(r, z);
        p = z;
        double rz = dotp(r, z);
        for (st.iterations = 1; st.iterations <= o.max_iterations; ++st.iterations) {
            L[0].apply(p, Ap);
            const double alpha = rz / dotp(p, Ap);
            const long nn = long(n);
#pragma omp parallel for schedule(static)
            for (long q = 0; q < nn; ++q) {
                phi[size_t(q)] += alpha * p[size_t(q)];
                r[size_t(q)] -= alpha * Ap[size_t(q)];
            }
            st.residual = std::sqrt(dotp(r, r)) / bnorm;
            if (st.residual < o.tolerance) break;
            precondition(r, z);
            const double rzNew = dotp(r, z);
            const double beta = rzNew / rz;
            rz = rzNew;
#pragma omp parallel for schedule(static)
            for (long q = 0; q < nn; ++q) p[size_t(q)] = z[size_t(q)] + beta * p[size_t(q)];
        }
        st.iterations = std::min(st.iterations, o.max_iterations);
        L[0].b = rhs;
    }
    // u = u0 + grad(phi) on open faces (phi = 0 beyond open boundaries).
    auto ph = [&](int i, int j, int k) {
        return (i < 0 || j < 0 || k < 0 || i >= g.nx || j >= g.ny || k >= g.nz) ? 0.0 : phi[g.at(i, j, k)];
    };
#pragma omp parallel for schedule(static)
    for (int k = 0; k <= g.nz; ++k)
        for (int j = 0; j <= g.ny; ++j)
            for (int i = 0; i <= g.nx; ++i) {
                if (k < g.nz && j < g.ny && F.gx[F.fx(i, j, k)] > 0.0f) f.u[f.iu(i, j, k)] += float((ph(i, j, k) - ph(i - 1, j, k)) / g.h);
                if (k < g.nz && i < g.nx && F.gy[F.fy(i, j, k)] > 0.0f) f.v[f.iv(i, j, k)] += float((ph(i, j, k) - ph(i, j - 1, k)) / g.h);
                if (j < g.ny && i < g.nx && F.gz[F.fz(i, j, k)] > 0.0f) f.w[f.iw(i, j, k)] += float((ph(i, j, k) - ph(i, j, k - 1)) / g.h);
            }
    // Checks: divergence of air cells and velocity on faces of solid cells.
    const std::vector<double> d = windDivergence(g, f);
    double umax = 1e-30;
    for (float x : f.u) umax = std::max(umax, double(std::abs(x)));
    for (float x : f.v) umax = std::max(umax, double(std::abs(x)));
    for (double x : d) st.max_divergence = std::max(st.max_divergence, std::abs(x) * g.h / umax);
    for (int k = 0; k < g.nz; ++k)
        for (int j = 0; j < g.ny; ++j)
            for (int i = 0; i < g.nx; ++i)
                if (g.solid[g.at(i, j, k)])
                    st.max_solid_flux = std::max({st.max_solid_flux, double(std::abs(f.u[f.iu(i, j, k)])), double(std::abs(f.u[f.iu(i + 1, j, k)])),
                                                  double(std::abs(f.v[f.iv(i, j, k)])), double(std::abs(f.v[f.iv(i, j + 1, k)])),
                                                  double(std::abs(f.w[f.iw(i, j, k)])), double(std::abs(f.w[f.iw(i, j, k + 1)]))});
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return st;
}

}  // namespace safetwin

#include "sim/batch/DensityRecorder.hpp"

#include <algorithm>
#include <cmath>

#include "sim/run/Simulation.hpp"

namespace safetwin {

DensityRecorder::DensityRecorder(const Simulation& sim, const DensityOptions& options)
    : options_(options) {
    const Scene& scene = sim.scenario().scene;
    dt_ = sim.dt();
    stepsPerWindow_ = std::max(1, int(std::lround(options_.window / dt_)));
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        const Box2 b = scene.levelBounds(int(l));
        DensityMap m;
        m.level = scene.levels[l].id;
        m.cell = options_.cell;
        if (b.valid()) {
            m.origin = {std::floor(b.min.x / m.cell) * m.cell,
                        std::floor(b.min.y / m.cell) * m.cell};
            m.nx = std::max(1, int(std::ceil((b.max.x - m.origin.x) / m.cell)));
            m.ny = std::max(1, int(std::ceil((b.max.y - m.origin.y) / m.cell)));
        }
        m.peak.assign(size_t(m.nx) * size_t(m.ny), 0.0f);
        counts_.emplace_back(m.peak.size(), 0);
        maps_.push_back(std::move(m));
    }
    const NavGrid& grid = sim.grid();
    for (const NavLayer& L : grid.layers())
        levelOfLayer_.push_back(L.kind == NavLayer::Kind::Level ? L.index : -1);
}

void DensityRecorder::sample(const Simulation& sim) {
    const CrowdState& s = sim.state();
    for (size_t i = 0; i < s.size(); ++i) {
        if (s.status[i] == AgentStatus::Out) continue;
        const int level = levelOfLayer_[size_t(s.layer[i])];
        if (level < 0) continue;
        const DensityMap& m = maps_[size_t(level)];
        const int ci = int(std::floor((s.x[i] - m.origin.x) / m.cell));
        const int cj = int(std::floor((s.y[i] - m.origin.y) / m.cell));
        if (ci < 0 || cj < 0 || ci >= m.nx || cj >= m.ny) continue;
        ++counts_[size_t(level)][size_t(cj) * size_t(m.nx) + size_t(ci)];
    }
    if (++stepsInWindow_ == stepsPerWindow_) closeWindow(sim.time());
}

void DensityRecorder::closeWindow(double time) {
    if (stepsInWindow_ == 0) return;
    const double window = stepsInWindow_ * dt_;
    bool anyE = false, anyF = false;
    for (size_t l = 0; l < maps_.size(); ++l) {
        DensityMap& m = maps_[l];
        const double area = m.cell * m.cell;
        std::vector<int>& c = counts_[l];
        for (size_t k = 0; k < c.size(); ++k) {
            if (c[k] == 0) continue;
            const double rho = double(c[k]) / (area * stepsInWindow_);
            c[k] = 0;
            m.peak[k] = std::max(m.peak[k], float(rho));
            if (rho >= kFruinE) {
                anyE = true;
                summary_.los_e_area_s += area * window;
            }
            anyF |= rho > kFruinF;
            if (rho > summary_.peak) {
                summary_.peak = rho;
                summary_.peak_level = m.level;
                summary_.peak_at = {m.origin.x + (double(k % size_t(m.nx)) + 0.5) * m.cell,
                                    m.origin.y + (double(k / size_t(m.nx)) + 0.5) * m.cell};
                summary_.peak_time = time;
            }
        }
    }
    if (anyE) summary_.los_e_s += window;
    if (anyF) summary_.los_f_s += window;
    stepsInWindow_ = 0;
}

DensitySummary DensityRecorder::finish(const Simulation& sim) {
    closeWindow(sim.time());
    summary_.maps = maps_;
    return summary_;
}

}  // namespace safetwin

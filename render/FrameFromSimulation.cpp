// Simulation -> Frame (see FrameFromSimulation.hpp).
#include "render/FrameFromSimulation.hpp"

#include <cmath>
#include <limits>

#include "sim/gas/GasCoupling.hpp"
#include "sim/run/Simulation.hpp"

namespace safetwin::render {

double displayThresholdPpm(const Simulation& sim) {
    const GasCoupling* gas = sim.gas();
    if (!gas) return 0.0;
    if (gas->gas().aegl2[0]) return *gas->gas().aegl2[0];
    return gas->gas().kgM3ToPpm(gas->spec().tenability);
}

Frame frameFromSimulation(const Simulation& sim, const FrameOptions& options) {
    Frame f;
    f.time = sim.time();
    const CrowdState& s = sim.state();
    const CrowdTraits& traits = sim.traits();
    const GasCoupling* gas = sim.gas();
    const size_t n = s.size();
    f.total = int(n);
    f.out = sim.evacuated();
    f.remaining = sim.remaining();
    f.agents.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        AgentSample a;
        a.id = uint32_t(i);
        a.x = float(s.x[i]);
        a.y = float(s.y[i]);
        a.z = s.z[i];
        a.ex = s.ex[i];
        a.ey = s.ey[i];
        a.speed = s.speed[i];
        a.radius = i < traits.radius.size() ? traits.radius[i] : 0.2f;
        switch (s.status[i]) {
            case AgentStatus::Waiting: a.visual = AgentVisual::Waiting; break;
            case AgentStatus::Moving: a.visual = AgentVisual::Moving; break;
            case AgentStatus::Out: a.visual = AgentVisual::Out; break;
            case AgentStatus::Trapped: a.visual = AgentVisual::Trapped; break;
            case AgentStatus::Incapacitated: a.visual = AgentVisual::Incapacitated; break;
        }
        if (gas && i < gas->exposures().size()) {
            const AgentExposure& e = gas->exposures()[i];
            a.dose = float(e.fed);
            if (e.peak > 0.0) {
                ++f.exposed;
                if (a.visual == AgentVisual::Waiting || a.visual == AgentVisual::Moving) a.visual = AgentVisual::Exposed;
            }
            if (e.incapacitated_at >= 0.0) ++f.incapacitated;
        }
        if (a.visual == AgentVisual::Out && !options.include_out) continue;
        f.agents.push_back(a);
    }
    if (!gas) {
        for (size_t i = 0; i < n; ++i) f.incapacitated += s.status[i] == AgentStatus::Incapacitated;
    }

    const Scene& scene = sim.scenario().scene;
    const NavGrid& grid = sim.grid();
    f.door_closed.resize(scene.levels.size());
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        f.door_closed[l].resize(scene.levels[l].doors.size());
        for (size_t d = 0; d < scene.levels[l].doors.size(); ++d)
            f.door_closed[l][d] = grid.doorClosed(int(l), int(d)) ? 1 : 0;
    }

    if (!gas) return f;
    const GasProperties& props = gas->gas();
    const GasSpec& spec = gas->spec();
    const GasGrid& g = gas->grid();
    f.gas_name = props.id;
    f.gas_threshold_ppm = displayThresholdPpm(sim);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    if (options.gas_maps && g.nx > 0 && g.ny > 0) {
        for (size_t l = 0; l < scene.levels.size(); ++l) {
            LevelMap m;
            m.level = int(l);
            m.x0 = g.x0;
            m.y0 = g.y0;
            m.cell = g.h;
            m.nx = g.nx;
            m.ny = g.ny;
            m.value.assign(size_t(g.nx) * size_t(g.ny), nan);
            const double z = scene.levels[l].elevation + spec.breathing_height;
            int ci = 0, cj = 0, ck = 0;
            const bool inGrid = g.locate(g.cx(0), g.cy(0), z, ci, cj, ck);
            for (int j = 0; j < g.ny; ++j)
                for (int i = 0; i < g.nx; ++i) {
                    if (inGrid && !g.solid.empty() && g.solid[g.at(i, j, ck)]) continue;
                    m.value[size_t(j) * size_t(g.nx) + size_t(i)] = float(props.kgM3ToPpm(gas->concentrationAt(g.cx(i), g.cy(j), z)));
                }
            f.gas_ppm.push_back(std::move(m));
        }
    }
    if (options.gas_volume && g.cells() > 0) {
        auto v = std::make_shared<GasVolume>();
        v->x0 = g.x0;
        v->y0 = g.y0;
        v->z0 = g.z0;
        v->cell = g.h;
        v->nx = g.nx;
        v->ny = g.ny;
        v->nz = g.nz;
        v->ppm.resize(g.cells());
        for (int k = 0; k < g.nz; ++k)
            for (int j = 0; j < g.ny; ++j)
                for (int i = 0; i < g.nx; ++i)
                    v->ppm[g.at(i, j, k)] = float(props.kgM3ToPpm(gas->concentrationAt(g.cx(i), g.cy(j), g.cz(k))));
        f.gas_volume = std::move(v);
    }
    const auto& alarms = gas->alarmTimes();
    for (size_t d = 0; d < spec.detectors.size(); ++d) {
        const GasDetectorSpec& det = spec.detectors[d];
        SensorSample ss;
        ss.id = det.id;
        const int l = scene.levelIndex(det.level_id);
        const double elev = l >= 0 ? scene.levels[size_t(l)].elevation : 0.0;
        ss.x = float(det.at.x);
        ss.y = float(det.at.y);
        ss.z = float(elev + det.height);
        ss.value = float(props.kgM3ToPpm(gas->concentrationAt(det.at.x, det.at.y, elev + det.height)));
        ss.unit = "ppm";
        ss.quality = SensorQuality::Good;   // simulated detectors always report
        ss.alarm = d < alarms.size() && alarms[d] >= 0.0 ? AlarmState::Active : AlarmState::Normal;   // alarmed (latched)
        f.sensors.push_back(std::move(ss));
    }
    return f;
}

}  // namespace safetwin::render

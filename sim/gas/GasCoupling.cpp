#include "sim/gas/GasCoupling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "scenes/YamlReader.hpp"
#include "sim/gas/GaussianPlume.hpp"

namespace safetwin {

namespace {

double round6(double v) { return std::round(v * 1e6) / 1e6; }
/// Three significant digits, enough for concentrations and doses in results.
double sig3(double v) {
    if (v == 0.0 || !std::isfinite(v)) return v;
    const double e = std::floor(std::log10(std::abs(v))) - 2;
    const double s = std::pow(10.0, e);
    return std::round(v / s) * s;
}
nlohmann::ordered_json timeOrNull(double t) { return t >= 0.0 ? nlohmann::ordered_json(round6(t)) : nlohmann::ordered_json(nullptr); }

constexpr double kMapInterval = 0.5;  // [s] maps and ASET are updated this often

}  // namespace

GasCoupling::~GasCoupling() = default;

GasCoupling::GasCoupling(const GasSpec& spec, const Scene& scene, const NavGrid& nav, const CrowdState& initial)
    : spec_(spec), gas_(findGas(spec.gas)), scene_(&scene), nav_(&nav) {
    if (!gas_) throw InputError(spec.where, "unknown gas '" + spec.gas + "'");
    grid_ = voxelizeScene(scene, spec.grid);
    const EddyDiffusivity K = briggsDiffusivity(spec.wind.stability, std::max(spec.wind.speed, 0.5));
    transportOptions_.horizontal_diffusivity = spec.horizontal_diffusivity.value_or(K.horizontal);
    transportOptions_.vertical_diffusivity = spec.vertical_diffusivity.value_or(K.vertical);
    transportOptions_.active_box = true;  // sources call touch(), doors refresh()
    if (!spec.plume_model) {
        wind_ = initialWind(grid_, spec.wind);
        windStats_ = makeMassConsistent(grid_, wind_);
        transport_ = std::make_unique<Transport>(grid_, wind_, transportOptions_);
        C_.assign(grid_.cells(), 0.0);
        dtGas_ = std::min(1.0, transport_->stableDt());
    } else {
        dtGas_ = 0.5;
    }
    // Sources and detectors must sit in air.
    for (const GasSourceSpec& s : spec.sources) {
        const int l = scene.levelIndex(s.level_id);
        const double z = scene.levels[size_t(l)].elevation + s.height;
        int i, j, k;
        if (!grid_.locate(s.at.x, s.at.y, z, i, j, k))
            throw InputError(s.where, "gas source '" + s.id + "' at (" + formatNumber(s.at.x) + ", " + formatNumber(s.at.y) + ", " + formatNumber(z) + ") m lies outside the gas grid");
        if (!spec.plume_model && grid_.solid[grid_.at(i, j, k)])
            throw InputError(s.where, "gas source '" + s.id + "' at (" + formatNumber(s.at.x) + ", " + formatNumber(s.at.y) + ") m, " + formatNumber(s.height) +
                                          " m above level '" + s.level_id + "', lies inside a solid cell of the gas grid (a wall, obstacle or floor slab at " +
                                          formatNumber(spec.grid.cell) + " m cells); move it into the air");
        sourceCell_.push_back(grid_.at(i, j, k));
        sourceZ_.push_back(z);
        sourceReleased_.push_back(0.0);
    }
    for (const GasDetectorSpec& d : spec.detectors) {
        const int l = scene.levelIndex(d.level_id);
        const double z = scene.levels[size_t(l)].elevation + d.height;
        int i, j, k;
        if (!grid_.locate(d.at.x, d.at.y, z, i, j, k))
            throw InputError(d.where, "gas detector '" + d.id + "' lies outside the gas grid");
        if (!spec.plume_model && grid_.solid[grid_.at(i, j, k)])
            throw InputError(d.where, "gas detector '" + d.id + "' at (" + formatNumber(d.at.x) + ", " + formatNumber(d.at.y) + ") m lies inside a solid cell of the gas grid; move it into the air");
    }
    for (const GasDoorCells& d : grid_.doors) doorClosed_.push_back(scene.levels[size_t(d.level)].doors[size_t(d.door)].closed ? 1 : 0);
    reading_.assign(spec.detectors.size(), 0.0);
    alarm_.assign(spec.detectors.size(), -1.0);
    detectorPeak_.assign(spec.detectors.size(), 0.0);
    seriesDetector_.assign(spec.detectors.size(), {});
    exposure_.assign(initial.size(), {});
    if (gas_->aegl3[0] && gas_->aegl3[2] && *gas_->aegl3[0] > *gas_->aegl3[2] * 1.0001)
        fedExponent_ = std::log(6.0) / std::log(*gas_->aegl3[0] / *gas_->aegl3[2]);

    // Thresholds reported as areas over time.
    auto addThreshold = [&](const std::string& name, const std::optional<double>& ppmValue) {
        if (ppmValue) { thresholdNames_.push_back(name); thresholdKg_.push_back(gas_->ppmToKgM3(*ppmValue)); }
    };
    addThreshold("aegl2_10min", gas_->aegl2[0]);
    addThreshold("aegl3_10min", gas_->aegl3[0]);
    addThreshold("idlh", gas_->idlh);
    if (gas_->lel_percent) addThreshold("lel", *gas_->lel_percent * 1e4);
    thresholdNames_.push_back("tenability");
    thresholdKg_.push_back(spec.tenability);

    // Breathing-height planes, maps, zones.
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        const int k = std::clamp(int(std::floor((levelBreathingZ(int(l)) - grid_.z0) / grid_.h)), 0, grid_.nz - 1);
        mapK_.push_back(k);
        GasLevelMap m;
        m.level = scene.levels[l].id;
        m.nx = grid_.nx; m.ny = grid_.ny; m.x0 = grid_.x0; m.y0 = grid_.y0; m.cell = grid_.h;
        m.max_ppm.assign(size_t(m.nx) * size_t(m.ny), 0.0f);
        m.solid.assign(size_t(m.nx) * size_t(m.ny), 0);
        for (int j = 0; j < grid_.ny; ++j)
            for (int i = 0; i < grid_.nx; ++i) m.solid[size_t(j) * size_t(m.nx) + size_t(i)] = grid_.solid[grid_.at(i, j, k)];
        maps_.push_back(std::move(m));
        seriesArea_.push_back(std::vector<std::vector<double>>(thresholdKg_.size()));
        for (const Space& sp : scene.levels[l].spaces) {
            Zone z;
            z.id = sp.id; z.level = scene.levels[l].id; z.levelIndex = int(l);
            const Box2 box = bounds(sp.polygon);
            for (int j = 0; j < grid_.ny; ++j)
                for (int i = 0; i < grid_.nx; ++i) {
                    const Vec2 c{grid_.cx(i), grid_.cy(j)};
                    if (box.contains(c) && pointInPolygon(c, sp.polygon)) z.cells.push_back(size_t(j) * size_t(grid_.nx) + size_t(i));
                }
            if (z.cells.empty()) {  // a space smaller than a cell: the cell at its centre
                int i, j, kk;
                const Vec2 c = (box.min + box.max) * 0.5;
                if (grid_.locate(c.x, c.y, grid_.cz(k), i, j, kk)) z.cells.push_back(size_t(j) * size_t(grid_.nx) + size_t(i));
            }
            for (size_t a = 0; a < initial.size(); ++a) {
                const NavLayer& L = nav.layer(initial.layer[a]);
                if (L.kind == NavLayer::Kind::Level && L.index == int(l) && pointInPolygon({initial.x[a], initial.y[a]}, sp.polygon)) z.agents.push_back(int(a));
            }
            spaces_.push_back(std::move(z));
        }
    }
    for (const Exit& e : scene.exits) {
        Zone z;
        z.id = e.id; z.level = e.level_id; z.levelIndex = e.level;
        const double reach = std::max(2.0, grid_.h);
        for (int j = 0; j < grid_.ny; ++j)
            for (int i = 0; i < grid_.nx; ++i)
                if (distanceToSegment({grid_.cx(i), grid_.cy(j)}, e.a, e.b) <= reach) z.cells.push_back(size_t(j) * size_t(grid_.nx) + size_t(i));
        exits_.push_back(std::move(z));
    }
}

double GasCoupling::levelBreathingZ(int level) const { return scene_->levels[size_t(level)].elevation + spec_.breathing_height; }

void GasCoupling::addSources(double t0, double t1) {
    const double V = grid_.h * grid_.h * grid_.h;
    for (size_t s = 0; s < spec_.sources.size(); ++s) {
        const GasSourceSpec& src = spec_.sources[s];
        double m = 0.0;
        if (src.instantaneous) {
            if (src.start >= t0 && src.start < t1) m = src.mass;
        } else {
            const double a = std::max(t0, src.start), b = std::min(t1, src.stop);
            if (b > a) m = src.rate * (b - a);
        }
        if (m <= 0.0) continue;
        if (transport_) {
            C_[sourceCell_[s]] += m / V;
            transport_->touch(sourceCell_[s]);
        }
        sourceReleased_[s] += m;
        released_ += m;
    }
}

void GasCoupling::advance(double t) {
    while (gasTime() < t - 1e-9) {
        const double t0 = gasTime();
        addSources(t0, t0 + dtGas_);
        if (transport_) {
            // A door event can speed the wind up beyond the step chosen at the start: substeps.
            const int sub = std::max(1, int(std::ceil(dtGas_ / transport_->stableDt() - 1e-9)));
            for (int q = 0; q < sub; ++q) transport_->step(C_, dtGas_ / sub);
        }
        ++steps_;
    }
    if (gasTime() - lastMapUpdate_ >= kMapInterval - 1e-9) {
        lastMapUpdate_ = gasTime();
        updateMaps();
    }
}

void GasCoupling::setDoorClosed(int level, int door, bool closed) {
    if (!transport_) return;  // the plume mode ignores buildings
    if (!scene_->levels[size_t(level)].doors[size_t(door)].closable) return;
    bool changed = false;
    for (size_t d = 0; d < grid_.doors.size(); ++d) {
        const GasDoorCells& dc = grid_.doors[d];
        if (dc.level != level || dc.door != door || doorClosed_[d] == uint8_t(closed)) continue;
        doorClosed_[d] = uint8_t(closed);
        changed = true;
        // Cells shared with another door that stays open stay air.
        auto sharedOpen = [&](size_t c) {
            for (size_t e = 0; e < grid_.doors.size(); ++e)
                if (e != d && !doorClosed_[e] && std::find(grid_.doors[e].cells.begin(), grid_.doors[e].cells.end(), c) != grid_.doors[e].cells.end())
                    return true;
            return false;
        };
        for (size_t c : dc.cells) {
            if (!closed) {
                grid_.solid[c] = 0;  // it held no gas while solid
                continue;
            }
            if (grid_.solid[c] || sharedOpen(c)) continue;
            grid_.solid[c] = 1;
            if (C_[c] == 0.0) continue;
            // The doorway's gas goes in equal parts to the face neighbours still in the air.
            const int i = int(c % size_t(grid_.nx)), j = int((c / size_t(grid_.nx)) % size_t(grid_.ny)), k = int(c / (size_t(grid_.nx) * size_t(grid_.ny)));
            size_t nb[6];
            int n = 0;
            const int di[6] = {-1, 1, 0, 0, 0, 0}, dj[6] = {0, 0, -1, 1, 0, 0}, dk[6] = {0, 0, 0, 0, -1, 1};
            for (int q = 0; q < 6; ++q) {
                const int a = i + di[q], b = j + dj[q], e = k + dk[q];
                if (a < 0 || b < 0 || e < 0 || a >= grid_.nx || b >= grid_.ny || e >= grid_.nz || grid_.solid[grid_.at(a, b, e)]) continue;
                nb[n++] = grid_.at(a, b, e);
            }
            if (n == 0) {  // walled in on every side: leave it in the air
                grid_.solid[c] = 0;
                continue;
            }
            const double share = C_[c] / n;
            for (int q = 0; q < n; ++q) C_[nb[q]] += share;
            C_[c] = 0.0;
        }
    }
    if (!changed) return;
    for (size_t l = 0; l < maps_.size(); ++l)  // the maps draw the doorway as it is now
        for (int j = 0; j < grid_.ny; ++j)
            for (int i = 0; i < grid_.nx; ++i) maps_[l].solid[size_t(j) * size_t(grid_.nx) + size_t(i)] = grid_.solid[grid_.at(i, j, mapK_[l])];
    wind_ = initialWind(grid_, spec_.wind);
    windStats_ = makeMassConsistent(grid_, wind_);
    transport_->refresh();
}

double GasCoupling::plumeAt(double x, double y, double z, double t) const {
    const double th = spec_.wind.direction * std::numbers::pi / 180.0;
    const Vec2 d{-std::sin(th), -std::cos(th)};  // where the wind blows to
    const double p = windProfileExponent(spec_.wind.stability);
    double c = 0.0;
    for (size_t s = 0; s < spec_.sources.size(); ++s) {
        const GasSourceSpec& src = spec_.sources[s];
        const double tau = t - src.start;
        if (tau <= 0.0) continue;
        const double hs = sourceZ_[s] - grid_.z0, zg = std::max(0.0, z - grid_.z0);
        const double u = spec_.wind.speed * std::pow(std::max(hs, 1.0) / spec_.wind.reference_height, p);
        const Vec2 r{x - src.at.x, y - src.at.y};
        const double xd = dot(r, d), yc = std::abs(cross(d, r));
        if (src.instantaneous) {
            const double xc = u * tau, dist = std::max(xc, 1.0);
            const double sy = briggsSigmaY(spec_.wind.stability, dist), sz = briggsSigmaZ(spec_.wind.stability, dist);
            c += puffConcentration(src.mass, sy, sy, sz, xd - xc, yc, zg, hs);
        } else {
            if (xd <= 0.0) continue;
            const double travel = xd / u;
            if (tau < travel || t - src.stop > travel) continue;
            const double dist = std::max(xd, 1.0);
            c += plumeConcentration(src.rate, u, briggsSigmaY(spec_.wind.stability, dist), briggsSigmaZ(spec_.wind.stability, dist), yc, zg, hs);
        }
    }
    return c;
}

double GasCoupling::concentrationAt(double x, double y, double z) const {
    if (!transport_) return plumeAt(x, y, z, gasTime());
    int i, j, k;
    if (!grid_.locate(x, y, z, i, j, k)) return 0.0;
    return C_[grid_.at(i, j, k)];
}

void GasCoupling::updateMaps() {
    std::vector<double> plane(size_t(grid_.nx) * size_t(grid_.ny));
    for (size_t l = 0; l < maps_.size(); ++l) {
        GasLevelMap& m = maps_[l];
        const int k = mapK_[l];
        const double z = transport_ ? grid_.cz(k) : levelBreathingZ(int(l));
        for (int j = 0; j < grid_.ny; ++j)
            for (int i = 0; i < grid_.nx; ++i) {
                const size_t q = size_t(j) * size_t(grid_.nx) + size_t(i);
                plane[q] = transport_ ? C_[grid_.at(i, j, k)] : plumeAt(grid_.cx(i), grid_.cy(j), z, gasTime());
                m.max_ppm[q] = std::max(m.max_ppm[q], float(ppm(plane[q])));
            }
        for (auto* zones : {&spaces_, &exits_})
            for (Zone& zn : *zones) {
                if (zn.levelIndex != int(l) || zn.aset >= 0.0) continue;
                for (size_t q : zn.cells)
                    if (plane[q] >= spec_.tenability) { zn.aset = gasTime(); break; }
            }
    }
}

void GasCoupling::sense(double t, double dt) {
    for (size_t d = 0; d < spec_.detectors.size(); ++d) {
        const GasDetectorSpec& det = spec_.detectors[d];
        const int l = scene_->levelIndex(det.level_id);
        const double c = concentrationAt(det.at.x, det.at.y, scene_->levels[size_t(l)].elevation + det.height);
        if (det.response_time > 0.0) {
            const double tau = det.response_time / std::log(10.0);  // t90 of a first-order lag
            reading_[d] += (c - reading_[d]) * (1.0 - std::exp(-dt / tau));
        } else {
            reading_[d] = c;
        }
        detectorPeak_[d] = std::max(detectorPeak_[d], reading_[d]);
        if (alarm_[d] < 0.0 && reading_[d] >= det.threshold) {
            alarm_[d] = t;
            if (!firstAlarm_) firstAlarm_ = t;
        }
    }
    if (t >= nextRecord_ - 1e-9) {
        recordSeries(t);
        nextRecord_ += spec_.record_interval;
    }
}

void GasCoupling::recordSeries(double t) {
    seriesTime_.push_back(round6(t));
    for (size_t d = 0; d < reading_.size(); ++d) seriesDetector_[d].push_back(sig3(ppm(reading_[d])));
    const double area = grid_.h * grid_.h;
    for (size_t l = 0; l < maps_.size(); ++l) {
        std::vector<size_t> counts(thresholdKg_.size(), 0);
        const int k = mapK_[l];
        for (int j = 0; j < grid_.ny; ++j)
            for (int i = 0; i < grid_.nx; ++i) {
                if (grid_.solid[grid_.at(i, j, k)]) continue;
                const double c = transport_ ? C_[grid_.at(i, j, k)] : plumeAt(grid_.cx(i), grid_.cy(j), levelBreathingZ(int(l)), gasTime());
                if (c <= 0.0) continue;
                for (size_t q = 0; q < thresholdKg_.size(); ++q) counts[q] += c >= thresholdKg_[q];
            }
        for (size_t q = 0; q < thresholdKg_.size(); ++q) seriesArea_[l][q].push_back(double(counts[q]) * area);
    }
}

void GasCoupling::addSource(GasSourceSpec s) {
    const int l = scene_->levelIndex(s.level_id);
    if (l < 0) throw InputError(s.where, "gas source '" + s.id + "' names unknown level '" + s.level_id + "'");
    const double z = scene_->levels[size_t(l)].elevation + s.height;
    int i, j, k;
    if (!grid_.locate(s.at.x, s.at.y, z, i, j, k))
        throw InputError(s.where, "gas source '" + s.id + "' at (" + formatNumber(s.at.x) + ", " + formatNumber(s.at.y) + ", " + formatNumber(z) + ") m lies outside the gas grid");
    if (!spec_.plume_model && grid_.solid[grid_.at(i, j, k)])
        throw InputError(s.where, "gas source '" + s.id + "' at (" + formatNumber(s.at.x) + ", " + formatNumber(s.at.y) + ") m lies inside a solid cell of the gas grid; pick a point in the air");
    s.start = std::max(s.start, gasTime());
    spec_.sources.push_back(s);
    sourceCell_.push_back(grid_.at(i, j, k));
    sourceZ_.push_back(z);
    sourceReleased_.push_back(0.0);
}

void GasCoupling::setWind(double speed, double direction_deg) {
    spec_.wind.speed = speed;
    spec_.wind.direction = direction_deg;
    if (!transport_) return;
    // Keep the clock: gas time so far becomes the base of the new step size.
    gasTimeBase_ = gasTime();
    stepsBase_ = steps_;
    outflowBefore_ += transport_->outflow();
    wind_ = initialWind(grid_, spec_.wind);
    windStats_ = makeMassConsistent(grid_, wind_);
    transport_ = std::make_unique<Transport>(grid_, wind_, transportOptions_);
    dtGas_ = std::min(1.0, transport_->stableDt());
}

void GasCoupling::raiseAlarm(double t) {
    if (!firstAlarm_) firstAlarm_ = t;
}

double GasCoupling::premovementOrigin() const {
    if (!spec_.alarm_starts_evacuation) return 0.0;
    return firstAlarm_ ? *firstAlarm_ : std::numeric_limits<double>::infinity();
}

bool GasCoupling::rerouteDue(double t) {
    if (t - lastReroute_ < spec_.reroute_interval - 1e-9) return false;
    lastReroute_ = t;
    return released_ > 0.0;
}

void GasCoupling::applyRouteCost(std::vector<float>& F) const {
    if (released_ <= 0.0) return;
    const double pen = spec_.route_penalty;
    const double smooth = std::isfinite(pen) ? pen - 1.0 : 19.0;
    for (size_t l = 0; l < nav_->layers().size(); ++l) {
        const NavLayer& L = nav_->layer(int(l));
        for (int j = 0; j < L.ny; ++j)
            for (int i = 0; i < L.nx; ++i) {
                const size_t node = size_t(L.node0) + size_t(L.at(i, j));
                if (!std::isfinite(F[node])) continue;
                const Vec2 p = nav_->cellCentre(L, i, j);
                const double c = concentrationAt(p.x, p.y, nav_->elevation(int(l), p) + spec_.breathing_height);
                if (c <= 0.0) continue;
                const double r = c / spec_.tenability;
                const double factor = r >= 1.0 ? pen : 1.0 + smooth * r * r;
                F[node] = float(double(F[node]) * factor);
            }
    }
}

void GasCoupling::expose(CrowdState& s, double t, double dt) {
    const double n = gas_->probit ? gas_->probit->n : 1.0;
    const double c10 = gas_->aegl3[0].value_or(0.0);
    for (size_t i = 0; i < s.size(); ++i) {
        if (s.status[i] == AgentStatus::Out) continue;
        AgentExposure& e = exposure_[i];
        const double c = concentrationAt(s.x[i], s.y[i], double(s.z[i]) + spec_.breathing_height);
        if (c <= 0.0) continue;
        const double v = ppm(c), minutes = dt / 60.0;
        e.peak = std::max(e.peak, c);
        e.dose += v * minutes;
        if (gas_->probit) e.toxic_load += std::pow(c * 1e6, n) * minutes;
        if (gas_->purser_co) e.fed += 2.764e-5 * std::pow(v, 1.036) * minutes;  // Purser (light work)
        else if (c10 > 0.0) e.fed += std::pow(v / c10, fedExponent_) * minutes / 10.0;
        if (e.fed >= spec_.incapacitation_fed && e.incapacitated_at < 0.0) {
            e.incapacitated_at = t;
            s.status[i] = AgentStatus::Incapacitated;
            s.speed[i] = 0.0f;
        }
    }
}

int GasCoupling::incapacitated() const {
    int n = 0;
    for (const AgentExposure& e : exposure_) n += e.incapacitated_at >= 0.0;
    return n;
}

nlohmann::ordered_json GasCoupling::summary(const std::vector<double>& exitTime) const {
    using json = nlohmann::ordered_json;
    json j;
    j["gas"] = gas_->id;
    j["formula"] = gas_->formula;
    j["molar_mass_kg_mol"] = gas_->molar_mass;
    j["model"] = transport_ ? "grid: 3D finite-volume advection-diffusion (TVD, van Leer) in a mass-consistent wind"
                            : "plume: Gaussian plume and puff, Briggs (1973) open-country coefficients, reflecting ground (buildings ignored)";
    j["passive"] = true;
    j["dense_gas_note"] = gas_->dense ? json(gas_->dense_note + "; it was treated as a passive (neutrally buoyant) gas, which underestimates concentrations near the source")
                                      : json(nullptr);
    j["wind"] = {{"speed_mps", spec_.wind.speed}, {"direction_deg", spec_.wind.direction}, {"reference_height_m", spec_.wind.reference_height},
                 {"stability", std::string(1, stabilityLetter(spec_.wind.stability))}, {"profile_exponent", windProfileExponent(spec_.wind.stability)}};
    j["grid"] = {{"nx", grid_.nx}, {"ny", grid_.ny}, {"nz", grid_.nz}, {"cell_m", grid_.h}, {"origin", {grid_.x0, grid_.y0, grid_.z0}},
                 {"solid_cells", grid_.solidCount()}, {"time_step_s", round6(dtGas_)},
                 {"wind_solver_iterations", windStats_.iterations}, {"wind_max_divergence", windStats_.max_divergence}};
    j["diffusivity_m2_s"] = {{"horizontal", round6(transportOptions_.horizontal_diffusivity)}, {"vertical", round6(transportOptions_.vertical_diffusivity)}};
    json th = json::object();
    for (size_t q = 0; q < thresholdNames_.size(); ++q) th[thresholdNames_[q] + "_ppm"] = sig3(ppm(thresholdKg_[q]));
    j["thresholds"] = th;
    j["tenability"] = spec_.tenability_text;
    json src = json::array();
    for (size_t s = 0; s < spec_.sources.size(); ++s) {
        const GasSourceSpec& g = spec_.sources[s];
        json o = {{"id", g.id}, {"level", g.level_id}, {"x", g.at.x}, {"y", g.at.y}, {"z", round6(sourceZ_[s])},
                  {"kind", g.instantaneous ? "instantaneous" : (g.hole ? "hole" : "continuous")}, {"start_s", g.start}};
        if (g.instantaneous) o["mass_kg"] = g.mass;
        else {
            o["rate_kg_s"] = sig3(g.rate);
            o["stop_s"] = std::isfinite(g.stop) ? json(g.stop) : json(nullptr);
        }
        if (g.hole) o["choked"] = g.choked;
        o["released_kg"] = sig3(sourceReleased_[s]);
        src.push_back(o);
    }
    j["sources"] = src;
    if (transport_) {
        const double inside = transport_->mass(C_);
        j["mass_kg"] = {{"released", sig3(released_)}, {"in_grid", sig3(inside)}, {"left_grid", sig3(outflowBefore_ + transport_->outflow())},
                        {"balance_error", sig3(released_ - inside - outflowBefore_ - transport_->outflow())}};
    }
    json det = json::array();
    for (size_t d = 0; d < spec_.detectors.size(); ++d) {
        const GasDetectorSpec& g = spec_.detectors[d];
        det.push_back({{"id", g.id}, {"level", g.level_id}, {"x", g.at.x}, {"y", g.at.y}, {"height_m", g.height}, {"threshold", g.threshold_text},
                       {"threshold_ppm", sig3(ppm(g.threshold))}, {"response_time_s", g.response_time}, {"alarm_s", timeOrNull(alarm_[d])},
                       {"peak_ppm", sig3(ppm(detectorPeak_[d]))}});
    }
    j["detectors"] = det;
    j["first_alarm_s"] = firstAlarm_ ? json(round6(*firstAlarm_)) : json(nullptr);
    j["alarm_starts_evacuation"] = spec_.alarm_starts_evacuation;
    json series = {{"interval_s", spec_.record_interval}, {"time_s", seriesTime_}};
    json dser = json::object();
    for (size_t d = 0; d < spec_.detectors.size(); ++d) dser[spec_.detectors[d].id] = seriesDetector_[d];
    series["detectors_ppm"] = dser;
    json areas = json::object();
    for (size_t l = 0; l < maps_.size(); ++l) {
        json a = json::object();
        for (size_t q = 0; q < thresholdNames_.size(); ++q) a[thresholdNames_[q]] = seriesArea_[l][q];
        areas[maps_[l].level] = a;
    }
    series["area_above_m2"] = areas;
    j["series"] = series;
    j["incapacitated"] = incapacitated();
    j["incapacitation_fed"] = spec_.incapacitation_fed;
    json ag = json::array();
    for (size_t i = 0; i < exposure_.size(); ++i) {
        const AgentExposure& e = exposure_[i];
        json o = {{"id", i}, {"peak_ppm", sig3(ppm(e.peak))}, {"dose_ppm_min", sig3(e.dose)}, {"fed", sig3(e.fed)}};
        if (gas_->probit) {
            const ProbitConstants& p = *gas_->probit;
            o["toxic_load"] = sig3(e.toxic_load);
            if (e.toxic_load > 0.0) {
                const double pr = p.a + p.b * std::log(e.toxic_load);
                o["probit"] = round6(pr);
                o["fatality_probability"] = sig3(0.5 * std::erfc(-(pr - 5.0) / std::sqrt(2.0)));
            } else {
                o["probit"] = nullptr;
                o["fatality_probability"] = 0.0;
            }
        }
        o["state"] = e.incapacitated_at >= 0.0 ? "incapacitated" : (e.peak > 0.0 ? "exposed" : "unexposed");
        o["incapacitated_s"] = timeOrNull(e.incapacitated_at);
        ag.push_back(o);
    }
    j["agents"] = ag;
    json sp = json::array();
    for (const Zone& z : spaces_) {
        double rset = z.agents.empty() ? -1.0 : 0.0;
        for (int a : z.agents) rset = exitTime[size_t(a)] < 0.0 || rset < 0.0 ? -1.0 : std::max(rset, exitTime[size_t(a)]);
        json o = {{"id", z.id}, {"level", z.level}, {"aset_s", timeOrNull(z.aset)}, {"rset_s", timeOrNull(rset)}, {"occupants", z.agents.size()}};
        o["margin_s"] = z.aset >= 0.0 && rset >= 0.0 ? json(round6(z.aset - rset)) : json(nullptr);
        sp.push_back(o);
    }
    json ex = json::array();
    for (const Zone& z : exits_) ex.push_back({{"id", z.id}, {"level", z.level}, {"aset_s", timeOrNull(z.aset)}});
    j["aset"] = {{"definition", "first time the concentration at breathing height reaches the tenability limit (" + spec_.tenability_text +
                                    ") anywhere in the space, or within 2 m of the exit; rset: last occupant of the space out; null: never / not all out"},
                 {"spaces", sp}, {"exits", ex}};
    return j;
}

}  // namespace safetwin

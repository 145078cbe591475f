#include "sim/run/Simulation.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <unordered_map>

#include "sim/gas/GasCoupling.hpp"
#include "sim/run/RouteSampling.hpp"

namespace safetwin {

namespace {

double round6(double v) { return std::round(v * 1e6) / 1e6; }

std::string fmt(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

/// Cheap spatial hash used while placing people (distinct from the crowd model's).
class PlacementHash {
public:
    explicit PlacementHash(double cell) : cell_(cell) {}
    bool free(Vec2 p, double r, const std::vector<Vec2>& pos, const std::vector<double>& rad) const {
        const int64_t cx = key(p.x), cy = key(p.y);
        for (int64_t dy = -1; dy <= 1; ++dy)
            for (int64_t dx = -1; dx <= 1; ++dx) {
                auto it = cells_.find(pack(cx + dx, cy + dy));
                if (it == cells_.end()) continue;
                for (int k : it->second)
                    if (norm(pos[size_t(k)] - p) < r + rad[size_t(k)]) return false;
            }
        return true;
    }
    void add(Vec2 p, int id) { cells_[pack(key(p.x), key(p.y))].push_back(id); }

private:
    int64_t key(double v) const { return int64_t(std::floor(v / cell_)); }
    static int64_t pack(int64_t a, int64_t b) { return (a << 32) ^ (b & 0xffffffff); }
    double cell_;
    std::unordered_map<int64_t, std::vector<int>> cells_;
};

}  // namespace

Simulation::~Simulation() = default;

Simulation::Simulation(const Scenario& scenario, const SimulationOptions& options)
    : scenario_(scenario), options_(options) {
    dt_ = scenario_.time_step;
    seed_ = options_.seed.value_or(scenario_.seed);
    NavOptions nav;
    nav.cell = scenario_.cell_size;
    grid_ = std::make_unique<NavGrid>(scenario_.scene, nav);
    exitCells_.assign(grid_->layers().size(), Box2{});
    for (size_t l = 0; l < exitCells_.size(); ++l) {
        const NavLayer& L = grid_->layer(int(l));
        const double h = grid_->cell();
        for (int j = 0; j < L.ny; ++j)
            for (int i = 0; i < L.nx; ++i)
                if (L.exit_id[size_t(L.at(i, j))] >= 0) {
                    const Vec2 c = grid_->cellCentre(L, i, j);
                    exitCells_[l].expand(c - Vec2{1.5 * h, 1.5 * h});
                    exitCells_[l].expand(c + Vec2{1.5 * h, 1.5 * h});
                }
    }
    model_ = std::make_unique<CrowdModel>(*grid_, options_.model);
    exits_.assign(scenario_.scene.exits.size(), {});
    rerouteEvery_ = std::max<int64_t>(1, int64_t(std::llround(options_.reroute_interval / dt_)));
    recordEvery_ = std::max<int64_t>(1, int64_t(std::llround(scenario_.record_interval / dt_)));
    const double rate = options_.trajectory_rate > 0.0 ? options_.trajectory_rate : scenario_.trajectory_rate;
    if (options_.record_trajectories) {
        trajectoryEvery_ = std::max<int64_t>(1, int64_t(std::llround(1.0 / (rate * dt_))));
        trajectories_ = "frame,time,id,x,y,z\n";
    }
    placePopulations();
    for (const SpeedZone& z : scenario_.speed_zones) zoneLevel_.push_back(scenario_.scene.levelIndex(z.level_id));
    freeSpeed_ = traits_.v_flat;
    if (scenario_.gas) gas_ = std::make_unique<GasCoupling>(*scenario_.gas, scenario_.scene, *grid_, state_);
    computeRouteFields();
    checkReachability();
    chooseExits(true);
    record();
}

void Simulation::placePopulations() {
    std::mt19937_64 rng(seed_);
    std::vector<Vec2> pos;
    std::vector<double> rad;
    std::vector<int> lay;
    PlacementHash hash(1.0);
    const Scene& scene = scenario_.scene;
    for (size_t p = 0; p < scenario_.populations.size(); ++p) {
        const Population& pop = scenario_.populations[p];
        int level = -1;
        Polygon region;
        std::string where;
        if (!pop.space.empty()) {
            const auto sp = scene.findSpace(pop.space);
            if (!sp) throw InputError(pop.where, "population '" + pop.name + "' names unknown space '" + pop.space + "'");
            level = sp->first;
            region = scene.levels[size_t(level)].spaces[size_t(sp->second)].polygon;
            where = "space '" + pop.space + "'";
        } else {
            level = scene.levelIndex(pop.level_id);
            if (level < 0) throw InputError(pop.where, "population '" + pop.name + "' names unknown level '" + pop.level_id + "'");
            region = pop.polygon;
            where = pop.positions.empty() ? "its polygon on level '" + pop.level_id + "'" : "level '" + pop.level_id + "'";
        }
        const int layer = grid_->levelLayer(level);
        const NavLayer& L = grid_->layer(layer);
        // Draw walkers first so that each person's radius is known when placing them.
        const int count = pop.positions.empty() ? pop.count : int(pop.positions.size());
        std::vector<Walker> walkers(static_cast<size_t>(count));
        for (Walker& w : walkers) {
            const double u = uniform01(rng), ur = uniform01(rng);
            w = pop.profile.draw(u, ur);
        }
        auto placeable = [&](Vec2 q, double r) {
            const int c = grid_->cellAt(layer, q);
            if (c < 0 || L.solid[size_t(c)] || L.redirect[size_t(c)] >= 0 || L.exit_id[size_t(c)] >= 0) return false;
            if (grid_->outside(layer, c)) return false;
            return grid_->wallDistance(layer, q) >= r;
        };
        const size_t first = pos.size();
        if (!pop.positions.empty()) {
            for (size_t k = 0; k < pop.positions.size(); ++k) {
                const Vec2 q = pop.positions[k];
                if (!placeable(q, 0.5 * walkers[k].radius))
                    throw InputError(pop.where, "population '" + pop.name + "': point " + std::to_string(k + 1) + " (" + fmt(q.x) + ", " + fmt(q.y) +
                                                    ") is inside a wall or an obstacle, or outside the building on level '" + scene.levels[size_t(level)].id + "'");
                hash.add(q, int(pos.size()));
                pos.push_back(q);
                rad.push_back(walkers[k].radius);
                lay.push_back(layer);
            }
        } else {
            const Box2 box = bounds(region);
            const Box2 levelBox = scene.levelBounds(level);
            if (box.max.x < levelBox.min.x || box.min.x > levelBox.max.x || box.max.y < levelBox.min.y || box.min.y > levelBox.max.y)
                throw InputError(pop.where, "population '" + pop.name + "': " + where + " lies outside the walls of level '" + scene.levels[size_t(level)].id + "'");
            // Free area of the region, for the message if the people do not fit.
            int freeCells = 0;
            for (int j = 0; j < L.ny; ++j)
                for (int i = 0; i < L.nx; ++i) {
                    const Vec2 c = grid_->cellCentre(L, i, j);
                    if (box.contains(c) && pointInPolygon(c, region) && placeable(c, 0.0)) ++freeCells;
                }
            const double freeArea = freeCells * grid_->cell() * grid_->cell();
            if (freeCells == 0)
                throw InputError(pop.where, "population '" + pop.name + "': " + where + " has no walkable floor (is it inside a wall or an obstacle, or outside the walkable area?)");
            const int64_t maxTries = int64_t(count) * 400 + 10000;
            int64_t tries = 0;
            for (int k = 0; k < count; ++k) {
                bool placed = false;
                while (!placed && tries < maxTries) {
                    ++tries;
                    const Vec2 q{box.min.x + uniform01(rng) * (box.max.x - box.min.x), box.min.y + uniform01(rng) * (box.max.y - box.min.y)};
                    const double r = walkers[size_t(k)].radius;
                    if (!pointInPolygon(q, region) || !placeable(q, r) || !hash.free(q, r, pos, rad)) continue;
                    hash.add(q, int(pos.size()));
                    pos.push_back(q);
                    rad.push_back(r);
                    lay.push_back(layer);
                    placed = true;
                }
                if (!placed)
                    throw InputError(pop.where, "population '" + pop.name + "': only " + std::to_string(k) + " of " + std::to_string(count) + " people fit in " + where +
                                                    " (walkable area about " + fmt(std::round(freeArea * 10) / 10) + " m^2; lower 'count' or enlarge the area)");
            }
        }
        for (int k = 0; k < count; ++k) {
            AgentRecord rec;
            rec.population = int(p);
            rec.walker = walkers[size_t(k)];
            rec.premovement = std::max(0.0, pop.premovement.sample(rng));
            records_.push_back(rec);
        }
        (void)first;
    }
    const size_t n = records_.size();
    state_.resize(n);
    traits_.resize(n);
    target_.assign(n, -1);
    for (size_t i = 0; i < n; ++i) {
        state_.x[i] = pos[i].x;
        state_.y[i] = pos[i].y;
        state_.layer[i] = lay[i];
        state_.z[i] = float(grid_->elevation(lay[i], pos[i]));
        state_.status[i] = AgentStatus::Waiting;
        traits_.v_flat[i] = float(records_[i].walker.speed);
        traits_.v_up[i] = float(records_[i].walker.stair_up);
        traits_.v_down[i] = float(records_[i].walker.stair_down);
        traits_.radius[i] = float(records_[i].walker.radius);
    }
}

void Simulation::computeRouteFields() {
    slowness_ = routeSlowness(*grid_, options_.route);
    // Speed zones: walking time through a slow cell grows as 1 / factor.
    if (!scenario_.speed_zones.empty())
        for (int l = 0; l < int(grid_->layers().size()); ++l) {
            const NavLayer& L = grid_->layer(l);
            for (int j = 0; j < L.ny; ++j)
                for (int i = 0; i < L.nx; ++i) {
                    const float f = zoneFactor(l, grid_->cellCentre(L, i, j));
                    if (f < 1.0f) slowness_[size_t(L.node0 + L.at(i, j))] /= f;
                }
        }
    if (gas_) gas_->applyRouteCost(slowness_);
    fields_.clear();
    for (size_t e = 0; e < scenario_.scene.exits.size(); ++e) fields_.push_back(computeRouteField(*grid_, slowness_, int(e)));
}

void Simulation::checkReachability() {
    for (size_t i = 0; i < state_.size(); ++i) {
        const AgentStatus st = state_.status[i];
        if (st == AgentStatus::Out || st == AgentStatus::Incapacitated) continue;
        const Vec2 p{state_.x[i], state_.y[i]};
        float best = RouteField::kUnreachable;
        for (const RouteField& f : fields_) best = std::min(best, sampleCost(*grid_, f, state_.layer[i], p));
        if (best == RouteField::kUnreachable) {
            if (st != AgentStatus::Trapped) {
                state_.status[i] = AgentStatus::Trapped;
                state_.speed[i] = 0.0f;
                const NavLayer& L = grid_->layer(state_.layer[i]);
                const std::string level = L.kind == NavLayer::Kind::Level ? scenario_.scene.levels[size_t(L.index)].id
                                                                          : "stair " + scenario_.scene.stairs[size_t(L.index)].id;
                unreachable_.push_back({int(i), p, level, time()});
            }
        } else if (st == AgentStatus::Trapped) {
            state_.status[i] = time() >= records_[i].premovement ? AgentStatus::Moving : AgentStatus::Waiting;
        }
    }
}

void Simulation::chooseExits(bool force) {
    const size_t n = state_.size();
    const size_t ne = fields_.size();
    std::vector<float> cost(n * ne, RouteField::kUnreachable);
#pragma omp parallel for schedule(dynamic, 1024) if (n >= 2048)  // each person's own row
    for (size_t i = 0; i < n; ++i) {
        const AgentStatus st = state_.status[i];
        if (st == AgentStatus::Out || st == AgentStatus::Trapped) continue;
        if (!force && st != AgentStatus::Moving) continue;
        const Vec2 p{state_.x[i], state_.y[i]};
        for (size_t e = 0; e < ne; ++e) cost[i * ne + e] = sampleCost(*grid_, fields_[e], state_.layer[i], p);
    }
    // Quickest: queue ahead of each agent = people heading for the same exit who are nearer.
    std::vector<std::vector<float>> queue(ne);
    bool anyQuickest = false;
    for (const Population& pop : scenario_.populations) anyQuickest |= pop.exit_choice == ExitChoice::Quickest;
    if (anyQuickest) {
        for (size_t i = 0; i < n; ++i)
            if (target_[i] >= 0 && state_.status[i] != AgentStatus::Out && state_.status[i] != AgentStatus::Trapped) {
                const Vec2 p{state_.x[i], state_.y[i]};
                queue[size_t(target_[i])].push_back(sampleCost(*grid_, fields_[size_t(target_[i])], state_.layer[i], p));
            }
        for (auto& q : queue) std::sort(q.begin(), q.end());
    }
    for (size_t i = 0; i < n; ++i) {
        const AgentStatus st = state_.status[i];
        if (st == AgentStatus::Out || st == AgentStatus::Trapped) continue;
        if (!force && st != AgentStatus::Moving) continue;
        const float* c = &cost[i * ne];
        int nearest = -1;
        for (size_t e = 0; e < ne; ++e)
            if (c[e] != RouteField::kUnreachable && (nearest < 0 || c[e] < c[size_t(nearest)])) nearest = int(e);
        const Population& pop = scenario_.populations[size_t(records_[i].population)];
        int choice = nearest;
        if (pop.exit_choice == ExitChoice::Assigned) {
            const int e = scenario_.scene.exitIndex(pop.exit);
            if (e >= 0 && c[size_t(e)] != RouteField::kUnreachable) choice = e;
            else ++assignedUnavailable_;
        } else if (pop.exit_choice == ExitChoice::Quickest && nearest >= 0) {
            // Estimated time to leave by e: the longer of walking there and the queue ahead
            // flowing out at the hydraulic capacity 1.3 persons/(m s) of the exit's width.
            const double v0 = std::max(0.1f, traits_.v_flat[i]);
            auto estimate = [&](size_t e) {
                const auto& q = queue[e];
                const size_t ahead = size_t(std::lower_bound(q.begin(), q.end(), c[e]) - q.begin());
                const double capacity = 1.3 * std::max(0.3, scenario_.scene.exits[e].width());
                return std::max(double(c[e]) / v0, double(ahead) / capacity);
            };
            int best = nearest;
            double bestT = estimate(size_t(nearest));
            for (size_t e = 0; e < ne; ++e)
                if (c[e] != RouteField::kUnreachable && estimate(e) < bestT) { best = int(e); bestT = estimate(e); }
            const int cur = target_[i];
            if (cur >= 0 && c[size_t(cur)] != RouteField::kUnreachable && !force &&
                bestT > (1.0 - options_.quickest_hysteresis) * estimate(size_t(cur)))
                best = cur;
            choice = best;
        }
        target_[i] = choice;
    }
}


void Simulation::desiredDirections() {
    // Per layer: the lattice coordinate of a plan point is (x, y) / h - (fx0, fy0).
    const double h = grid_->cell();
    const float invH = float(1.0 / h);
    std::vector<std::pair<float, float>> offset;
    for (const NavLayer& L : grid_->layers())
        offset.push_back({float(grid_->origin().x / h + 0.5 + L.i0), float(grid_->origin().y / h + 0.5 + L.j0)});
    // Where the fast case does not apply: the layer's edge, no routed node near.
    auto sampleSlowly = [&](size_t i) {
        const Vec2 d = sampleDirection(*grid_, fields_[size_t(target_[i])], state_.layer[i], {state_.x[i], state_.y[i]});
        if (d.x == 0.0 && d.y == 0.0) return;  // keep the last direction
        state_.e0x[i] = float(d.x);
        state_.e0y[i] = float(d.y);
    };
    auto desire = [&](size_t i) {
        if (state_.status[i] != AgentStatus::Moving || target_[i] < 0) {
            state_.e0x[i] = state_.e0y[i] = 0.0f;
            return;
        }
        const RouteField& field = fields_[size_t(target_[i])];
        const int layer = state_.layer[i];
        const NavLayer& L = grid_->layer(layer);
        const int32_t id = int32_t(i);
        float ox, oy;
        uint8_t ok;
        sampleRouteDirections(L, field.cell_dir.data() + size_t(L.node0) * 4, offset[size_t(layer)].first, offset[size_t(layer)].second, invH,
                              state_.x.data(), state_.y.data(), &id, 1, &ox, &oy, &ok);
        if (!ok) return sampleSlowly(i);
        state_.e0x[i] = ox;
        state_.e0y[i] = oy;
    };
    // The people the crowd model sorted by cell last step in that order, so that neighbours
    // in space read neighbouring route-field cells one after another (a large crowd's route
    // fields do not fit in cache); everyone else by id. Each person is visited once.
    const int n = int(state_.size());
    const std::vector<int32_t>& rank = model_->cellRank();
    const std::vector<int32_t>& order = model_->cellOrder();
#pragma omp parallel if (n >= 2048)
    {
#pragma omp for schedule(static) nowait
        for (int i = 0; i < n; ++i)
            if (rank.size() != size_t(n) || rank[size_t(i)] < 0) desire(size_t(i));
        if (rank.size() == size_t(n)) {
            // Pieces of kPiece people in cell order, as threads come free (no result depends on
            // it); in each, the runs of moving people with the same route field and layer
            // (most of a crowd) go through the vectorised fast case together.
            constexpr int kPiece = 256;
            float ox[kPiece], oy[kPiece];
            uint8_t ok[kPiece];
            const int pieces = (int(order.size()) + kPiece - 1) / kPiece;
#pragma omp for schedule(dynamic, 8)
            for (int piece = 0; piece < pieces; ++piece) {
                const int k1 = std::min(int(order.size()), (piece + 1) * kPiece);
                for (int k = piece * kPiece; k < k1;) {
                    const size_t i = size_t(order[size_t(k)]);
                    const int target = target_[i], layer = state_.layer[i];
                    if (state_.status[i] != AgentStatus::Moving || target < 0) {
                        desire(i);
                        ++k;
                        continue;
                    }
                    int e = k + 1;
                    while (e < k1) {
                        const size_t q = size_t(order[size_t(e)]);
                        if (state_.status[q] != AgentStatus::Moving || target_[q] != target || state_.layer[q] != layer) break;
                        ++e;
                    }
                    const NavLayer& L = grid_->layer(layer);
                    const RouteField& field = fields_[size_t(target)];
                    sampleRouteDirections(L, field.cell_dir.data() + size_t(L.node0) * 4, offset[size_t(layer)].first,
                                          offset[size_t(layer)].second, invH, state_.x.data(), state_.y.data(), order.data() + k, e - k, ox,
                                          oy, ok);
                    for (int q = k; q < e; ++q) {
                        const size_t id = size_t(order[size_t(q)]);
                        if (ok[q - k]) {
                            state_.e0x[id] = ox[q - k];
                            state_.e0y[id] = oy[q - k];
                        } else {
                            sampleSlowly(id);
                        }
                    }
                    k = e;
                }
            }
        }
    }
}

void Simulation::detectExits() {
    const double t = time();
    const int n = int(state_.size());
    reached_.assign(size_t(n), -1);
#pragma omp parallel for schedule(dynamic, 4096) if (n >= 2048)  // as in desiredDirections
    for (int i = 0; i < n; ++i) {
        if (state_.status[size_t(i)] != AgentStatus::Moving) continue;
        const NavLayer& L = grid_->layer(state_.layer[size_t(i)]);
        if (L.kind != NavLayer::Kind::Level) continue;
        // Only those near an exit cell can be on one (the box has a cell's margin for rounding).
        if (!exitCells_[size_t(state_.layer[size_t(i)])].contains({state_.x[size_t(i)], state_.y[size_t(i)]})) continue;
        const int c = grid_->cellAt(state_.layer[size_t(i)], {state_.x[size_t(i)], state_.y[size_t(i)]});
        if (c < 0) continue;
        const int e = L.exit_id[size_t(c)];
        if (e >= 0 && grid_->exitOpen(e)) reached_[size_t(i)] = e;
    }
    for (size_t i = 0; i < size_t(n); ++i) {  // in id order, so tallies are deterministic
        const int e = reached_[i];
        if (e < 0) continue;
        state_.status[i] = AgentStatus::Out;
        state_.speed[i] = 0.0f;
        records_[i].exit = e;
        records_[i].exit_time = t;
        ExitTally& tally = exits_[size_t(e)];
        if (tally.count == 0) tally.first = t;
        tally.last = t;
        ++tally.count;
        ++evacuated_;
        lastExitTime_ = t;
    }
}

void Simulation::record() {
    if (iteration_ % recordEvery_ == 0) remainingSeries_.push_back({round6(time()), remaining()});
    if (trajectoryEvery_ > 0 && iteration_ % trajectoryEvery_ == 0) {
        std::ostringstream os;
        os.setf(std::ios::fixed);
        os.precision(3);
        const int64_t frame = iteration_ / trajectoryEvery_;
        for (size_t i = 0; i < state_.size(); ++i) {
            if (state_.status[i] == AgentStatus::Out) continue;
            os << frame << ',' << time() << ',' << i << ',' << state_.x[i] << ',' << state_.y[i] << ',' << state_.z[i] << '\n';
        }
        trajectories_ += os.str();
    }
}

float Simulation::zoneFactor(int layer, Vec2 p) const {
    const NavLayer& L = grid_->layer(layer);
    float f = 1.0f;
    if (L.kind != NavLayer::Kind::Level) return f;
    for (size_t z = 0; z < scenario_.speed_zones.size(); ++z)
        if (zoneLevel_[z] == L.index && pointInPolygon(p, scenario_.speed_zones[z].polygon))
            f = std::min(f, float(scenario_.speed_zones[z].factor));
    return f;
}

void Simulation::applySpeedZones() {
    for (size_t i = 0; i < state_.size(); ++i)
        traits_.v_flat[i] = freeSpeed_[i] * zoneFactor(state_.layer[i], {state_.x[i], state_.y[i]});
}

int Simulation::remaining() const { return int(state_.size()) - evacuated_; }

bool Simulation::finished() const {
    if (time() >= scenario_.duration - 1e-9) return true;
    if (nextEvent_ < scenario_.events.size()) return false;
    for (AgentStatus s : state_.status)
        if (s == AgentStatus::Waiting || s == AgentStatus::Moving) return false;
    return true;
}

void Simulation::setDoorClosed(const std::string& door, bool closed) {
    const auto d = scenario_.scene.findDoor(door);
    if (!d) throw InputError("unknown door '" + door + "'");
    grid_->setDoorClosed(d->first, d->second, closed);
    if (gas_) gas_->setDoorClosed(d->first, d->second, closed);  // the gas grid's doorway too
    computeRouteFields();
    checkReachability();
    chooseExits(true);
}

void Simulation::directDoor(const std::string& door, bool closed, const std::string& source) {
    const auto d = scenario_.scene.findDoor(door);
    if (d && !scenario_.scene.levels[size_t(d->first)].doors[size_t(d->second)].closable)
        throw InputError("'" + door + "' is an opening without a leaf; it cannot be closed or opened");
    setDoorClosed(door, closed);
    eventLog_.push_back({round6(time()), source, closed ? "close_door" : "open_door", door, ""});
    directed_ = true;
}

std::string Simulation::directLeak(const LeakAction& leak, const std::string& source) {
    if (!gas_) throw InputError("scenario '" + scenario_.name + "' has no gas: section; a leak needs its gas, grid and wind (docs/FORMAT.md, Gas)");
    if (!(leak.rate > 0.0)) throw InputError("leak rate " + fmt(leak.rate) + " kg/s must be > 0");
    GasSourceSpec s;
    s.id = leak.id.empty() ? "leak-" + std::to_string(++leaks_) : leak.id;
    s.level_id = leak.level_id.empty() ? scenario_.scene.levels.front().id : leak.level_id;
    s.at = leak.at;
    s.height = leak.height;
    s.rate = leak.rate;
    s.start = time();
    s.stop = time() + leak.duration;
    s.where.file = "director leak";  // messages name the action, not a file
    gas_->addSource(s);
    std::string detail = fmt(leak.rate) + " kg/s at (" + fmt(round6(leak.at.x)) + ", " + fmt(round6(leak.at.y)) + ") m, " + fmt(leak.height) + " m above level " + s.level_id;
    if (std::isfinite(leak.duration)) detail += " for " + fmt(leak.duration) + " s";
    eventLog_.push_back({round6(time()), source, "start_leak", s.id, detail});
    directed_ = true;
    return s.id;
}

void Simulation::directWind(double speed, double direction_deg, const std::string& source) {
    if (!gas_) throw InputError("scenario '" + scenario_.name + "' has no gas: section; the wind only moves gas");
    if (!(speed >= 0.0 && speed <= 50.0)) throw InputError("wind speed " + fmt(speed) + " m/s is out of range [0, 50] m/s");
    direction_deg = std::fmod(std::fmod(direction_deg, 360.0) + 360.0, 360.0);
    gas_->setWind(speed, direction_deg);
    eventLog_.push_back({round6(time()), source, "set_wind", "", fmt(speed) + " m/s from " + fmt(direction_deg) + " deg"});
    directed_ = true;
}

void Simulation::directAlarm(const std::string& source) {
    if (directorAlarm_ < 0.0) directorAlarm_ = time();
    if (gas_) gas_->raiseAlarm(time());
    eventLog_.push_back({round6(time()), source, "raise_alarm", "", ""});
    directed_ = true;
}

double Simulation::alarmTime() const {
    if (gas_ && gas_->firstAlarm()) return *gas_->firstAlarm();
    return directorAlarm_;
}

bool Simulation::step() {
    if (finished()) return false;
    const double t = time();
    // Stage: events
    while (nextEvent_ < scenario_.events.size() && scenario_.events[nextEvent_].time <= t + 1e-9) {
        const Event& ev = scenario_.events[nextEvent_++];
        setDoorClosed(ev.target, ev.action == Event::Action::CloseDoor);
        eventLog_.push_back({round6(t), "scenario", ev.action == Event::Action::CloseDoor ? "close_door" : "open_door", ev.target, ""});
    }
    // Stage: gas, then sensors and alarms; route fields follow the cloud
    if (gas_) {
        gas_->advance(t);
        gas_->sense(t, dt_);
        if (gas_->rerouteDue(t)) {
            computeRouteFields();
            checkReachability();
            chooseExits(true);
        }
    }
    // Stage: pre-movement (from the start, or from the first gas alarm)
    const double origin = gas_ ? gas_->premovementOrigin() : 0.0;
    for (size_t i = 0; i < state_.size(); ++i)
        if (state_.status[i] == AgentStatus::Waiting && t >= origin + records_[i].premovement) state_.status[i] = AgentStatus::Moving;
    // Stage: route choice (strategic), then desired directions (tactical)
    if (iteration_ % rerouteEvery_ == 0) chooseExits(false);
    desiredDirections();
    // Stage: movement (operational), at the free speed of the zone each person is in
    if (!scenario_.speed_zones.empty()) applySpeedZones();
    crowdStats_.merge(model_->step(state_, traits_, dt_));
    ++iteration_;
    if (gas_) gas_->expose(state_, time(), dt_);  // dose over the step; incapacitated people stop
    // Stage: exits and recording
    detectExits();
    record();
    // Close the agents-remaining series at the end of the run.
    if (finished() && (remainingSeries_.empty() || remainingSeries_.back().first < round6(time())))
        remainingSeries_.push_back({round6(time()), remaining()});
    return !finished();
}

void Simulation::run(const std::function<void(double, double)>& progress) {
    int64_t k = 0;
    while (step()) {
        if (progress && (++k % 20 == 0)) {
            const double byTime = time() / scenario_.duration;
            const double byPeople = state_.size() == 0 ? 1.0 : double(evacuated_) / double(state_.size());
            progress(time(), std::max(byTime, byPeople));
        }
    }
    if (progress) progress(time(), 1.0);
}

nlohmann::ordered_json Simulation::summary() const {
    using json = nlohmann::ordered_json;
    json j;
    j["scenario"] = scenario_.name;
    j["file"] = scenario_.file;
    j["seed"] = seed_;
    j["time_step_s"] = dt_;
    j["cell_size_m"] = scenario_.cell_size;
    j["model"] = {{"name", "collision-free speed model (Tordeux, Chraibi & Seyfried 2016)"},
                  {"time_gap_s", options_.model.time_gap},
                  {"neighbour_strength", options_.model.neighbour_strength},
                  {"neighbour_range_m", options_.model.neighbour_range},
                  {"wall_strength", options_.model.wall_strength},
                  {"wall_range_m", options_.model.wall_range}};
    j["agents"] = state_.size();
    j["evacuated"] = evacuated_;
    j["complete"] = evacuated_ == int(state_.size());
    j["evacuation_time_s"] = evacuated_ > 0 ? json(round6(lastExitTime_)) : json(nullptr);
    j["simulated_time_s"] = round6(time());
    json un = json::array();
    for (const Unreachable& u : unreachable_)
        un.push_back({{"id", u.agent}, {"x", round6(u.position.x)}, {"y", round6(u.position.y)}, {"level", u.level}, {"time_s", round6(u.time)}});
    j["unreachable"] = un;
    json ex = json::array();
    for (size_t e = 0; e < exits_.size(); ++e) {
        const Exit& x = scenario_.scene.exits[e];
        const ExitTally& t = exits_[e];
        ex.push_back({{"id", x.id}, {"level", x.level_id}, {"width_m", round6(x.width())}, {"count", t.count},
                      {"first_s", t.count ? json(round6(t.first)) : json(nullptr)}, {"last_s", t.count ? json(round6(t.last)) : json(nullptr)}});
    }
    j["exits"] = ex;
    json times = json::array(), counts = json::array();
    for (const auto& [t, c] : remainingSeries_) { times.push_back(t); counts.push_back(c); }
    j["remaining"] = {{"interval_s", scenario_.record_interval}, {"time_s", times}, {"count", counts}};
    json pops = json::array();
    for (size_t p = 0; p < scenario_.populations.size(); ++p) {
        int count = 0, out = 0;
        for (const AgentRecord& r : records_)
            if (r.population == int(p)) { ++count; out += r.exit >= 0; }
        pops.push_back({{"name", scenario_.populations[p].name}, {"profile", scenario_.populations[p].profile.name}, {"count", count}, {"evacuated", out}});
    }
    j["populations"] = pops;
    j["warnings"] = {{"overlapping_pairs", crowdStats_.overlapping_pairs}, {"max_overlap_m", round6(crowdStats_.max_overlap)},
                     {"wall_guard_hits", crowdStats_.wall_guard_hits}, {"assigned_exit_unavailable", assignedUnavailable_}};
    json per = json::array();
    static const char* kStatus[] = {"waiting", "moving", "out", "unreachable", "incapacitated"};
    for (size_t i = 0; i < records_.size(); ++i) {
        const AgentRecord& r = records_[i];
        per.push_back({{"id", i},
                       {"group", scenario_.populations[size_t(r.population)].name},
                       {"premovement_s", round6(r.premovement)},
                       {"free_speed_mps", round6(r.walker.speed)},
                       {"exit", r.exit >= 0 ? json(scenario_.scene.exits[size_t(r.exit)].id) : json(nullptr)},
                       {"exit_time_s", r.exit >= 0 ? json(round6(r.exit_time)) : json(nullptr)},
                       {"distance_m", round6(state_.walked[i])},
                       {"status", kStatus[int(state_.status[i])]}});
    }
    j["per_agent"] = per;
    if (gas_) {
        std::vector<double> exitTime;
        for (const AgentRecord& r : records_) exitTime.push_back(r.exit >= 0 ? r.exit_time : -1.0);
        j["gas"] = gas_->summary(exitTime);
    }
    if (directed_) {
        json log = json::array();
        for (const LoggedEvent& e : eventLog_)
            log.push_back({{"time_s", e.time}, {"source", e.source}, {"action", e.action}, {"target", e.target}, {"detail", e.detail}});
        j["event_log"] = log;
    }
    return j;
}

}  // namespace safetwin

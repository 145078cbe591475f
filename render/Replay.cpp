// Replay files (see Replay.hpp and docs/FORMAT.md "Replay files"). Little-endian binary:
// a 16-byte magic, the format version (u32), a JSON header (u32 length + text), then one
// record per frame. The gas volume is stored on a logarithmic byte scale (1e-3 to 1e3 times
// its reference concentration, 254 steps: 2.4 % per step), the rest as written.
#include "render/Replay.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "render/FrameFromSimulation.hpp"
#include "scenes/InputError.hpp"
#include "sim/run/Simulation.hpp"

namespace safetwin::render {

namespace {

constexpr char kMagic[16] = {'S', 'A', 'F', 'E', 'T', 'W', 'I', 'N', '-', 'R', 'E', 'P', 'L', 'A', 'Y', '\0'};
constexpr uint32_t kFrameTag = 0x4d415246;   // "FRAM"

struct Writer {
    std::string& out;
    template <class T>
    void pod(const T& v) {
        out.append(reinterpret_cast<const char*>(&v), sizeof(T));
    }
    void str(const std::string& s) {
        pod(uint32_t(s.size()));
        out += s;
    }
    void bytes(const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
};

struct Reader {
    const std::string& in;
    size_t at = 0;
    const std::string& where;
    void need(size_t n) const {
        if (at + n > in.size()) throw InputError(where + ": the replay file is truncated (damaged or still being written)");
    }
    template <class T>
    T pod() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, in.data() + at, sizeof(T));
        at += sizeof(T);
        return v;
    }
    std::string str() {
        const uint32_t n = pod<uint32_t>();
        need(n);
        std::string s = in.substr(at, n);
        at += n;
        return s;
    }
    void bytes(void* p, size_t n) {
        need(n);
        std::memcpy(p, in.data() + at, n);
        at += n;
    }
};

#pragma pack(push, 1)
struct PackedAgent {
    uint32_t id;
    float x, y, z, ex, ey, speed, dose, radius;
    uint8_t visual, pad[3];
};
#pragma pack(pop)
static_assert(sizeof(PackedAgent) == 40, "replay agent record");

uint8_t quantise(float ppm, double ref) {
    if (!(ppm > 0) || !(ref > 0)) return 0;
    const double s = (std::log10(double(ppm) / ref) + 3.0) / 6.0;
    if (s < 0) return 0;
    return uint8_t(1 + std::lround(std::min(1.0, s) * 254.0));
}

float dequantise(uint8_t q, double ref) {
    if (q == 0) return 0.0f;
    return float(ref * std::pow(10.0, (q - 1) / 254.0 * 6.0 - 3.0));
}

void writeFrame(Writer& w, const Frame& f) {
    w.pod(kFrameTag);
    w.pod(f.time);
    for (int v : {f.total, f.out, f.remaining, f.exposed, f.incapacitated}) w.pod(int32_t(v));
    w.pod(uint32_t(f.agents.size()));
    for (const AgentSample& a : f.agents) {
        PackedAgent p{a.id, a.x, a.y, a.z, a.ex, a.ey, a.speed, a.dose, a.radius, uint8_t(a.visual), {0, 0, 0}};
        w.pod(p);
    }
    w.pod(uint32_t(f.door_closed.size()));
    for (const auto& l : f.door_closed) {
        w.pod(uint32_t(l.size()));
        w.bytes(l.data(), l.size());
    }
    w.pod(uint32_t(f.gas_ppm.size()));
    for (const LevelMap& m : f.gas_ppm) {
        w.pod(int32_t(m.level));
        w.pod(m.x0);
        w.pod(m.y0);
        w.pod(m.cell);
        w.pod(int32_t(m.nx));
        w.pod(int32_t(m.ny));
        w.bytes(m.value.data(), m.value.size() * sizeof(float));
    }
    const GasVolume* v = f.gas_volume.get();
    w.pod(uint8_t(v ? 1 : 0));
    if (v) {
        double ref = f.gas_threshold_ppm;
        if (!(ref > 0)) {
            ref = 0;
            for (float c : v->ppm) ref = std::max(ref, double(c));
        }
        for (double d : {v->x0, v->y0, v->z0, v->cell}) w.pod(d);
        for (int n : {v->nx, v->ny, v->nz}) w.pod(int32_t(n));
        w.pod(ref);
        std::string q(v->ppm.size(), '\0');
        for (size_t k = 0; k < v->ppm.size(); ++k) q[k] = char(quantise(v->ppm[k], ref));
        w.out += q;
    }
    w.pod(f.gas_threshold_ppm);
    w.str(f.gas_name);
    w.pod(uint32_t(f.sensors.size()));
    for (const SensorSample& s : f.sensors) {
        w.str(s.id);
        for (float x : {s.x, s.y, s.z, s.value}) w.pod(x);
        w.str(s.unit);
        w.pod(uint8_t(s.quality));
        w.pod(uint8_t(s.alarm));
    }
}

std::shared_ptr<Frame> readFrame(Reader& r) {
    if (r.pod<uint32_t>() != kFrameTag) throw InputError(r.where + ": the replay file is damaged (a frame record does not start where expected)");
    auto f = std::make_shared<Frame>();
    f->time = r.pod<double>();
    int32_t c[5];
    for (int32_t& x : c) x = r.pod<int32_t>();
    f->total = c[0];
    f->out = c[1];
    f->remaining = c[2];
    f->exposed = c[3];
    f->incapacitated = c[4];
    const uint32_t n = r.pod<uint32_t>();
    r.need(size_t(n) * sizeof(PackedAgent));
    f->agents.resize(n);
    for (AgentSample& a : f->agents) {
        const PackedAgent p = r.pod<PackedAgent>();
        a = {p.id, p.x, p.y, p.z, p.ex, p.ey, p.speed, p.dose, p.radius, AgentVisual(std::min<uint8_t>(p.visual, 5))};
    }
    f->door_closed.resize(r.pod<uint32_t>());
    for (auto& l : f->door_closed) {
        l.resize(r.pod<uint32_t>());
        r.bytes(l.data(), l.size());
    }
    f->gas_ppm.resize(r.pod<uint32_t>());
    for (LevelMap& m : f->gas_ppm) {
        m.level = r.pod<int32_t>();
        m.x0 = r.pod<double>();
        m.y0 = r.pod<double>();
        m.cell = r.pod<double>();
        m.nx = r.pod<int32_t>();
        m.ny = r.pod<int32_t>();
        if (m.nx < 0 || m.ny < 0) throw InputError(r.where + ": the replay file is damaged (negative map size)");
        m.value.resize(size_t(m.nx) * size_t(m.ny));
        r.bytes(m.value.data(), m.value.size() * sizeof(float));
    }
    if (r.pod<uint8_t>()) {
        auto v = std::make_shared<GasVolume>();
        v->x0 = r.pod<double>();
        v->y0 = r.pod<double>();
        v->z0 = r.pod<double>();
        v->cell = r.pod<double>();
        v->nx = r.pod<int32_t>();
        v->ny = r.pod<int32_t>();
        v->nz = r.pod<int32_t>();
        const double ref = r.pod<double>();
        if (v->nx < 0 || v->ny < 0 || v->nz < 0) throw InputError(r.where + ": the replay file is damaged (negative volume size)");
        const size_t cells = size_t(v->nx) * size_t(v->ny) * size_t(v->nz);
        r.need(cells);
        v->ppm.resize(cells);
        for (size_t k = 0; k < cells; ++k) v->ppm[k] = dequantise(uint8_t(r.in[r.at + k]), ref);
        r.at += cells;
        f->gas_volume = std::move(v);
    }
    f->gas_threshold_ppm = r.pod<double>();
    f->gas_name = r.str();
    f->sensors.resize(r.pod<uint32_t>());
    for (SensorSample& s : f->sensors) {
        s.id = r.str();
        s.x = r.pod<float>();
        s.y = r.pod<float>();
        s.z = r.pod<float>();
        s.value = r.pod<float>();
        s.unit = r.str();
        s.quality = SensorQuality(std::min<uint8_t>(r.pod<uint8_t>(), 3));
        s.alarm = AlarmState(std::min<uint8_t>(r.pod<uint8_t>(), 5));
    }
    return f;
}

}  // namespace

std::string fileHash(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError(file.string() + ": cannot be read");
    std::ostringstream os;
    os << in.rdbuf();
    const std::string s = os.str();
    uint64_t h = 1469598103934665603ull;   // FNV-1a offset basis and prime (Fowler, Noll, Vo)
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

ReplayRecorder::ReplayRecorder(const Simulation& sim, const std::string& scenario_file, double rate_hz)
    : interval_(1.0 / std::clamp(rate_hz, 0.01, 100.0)) {
    nlohmann::ordered_json h;
    std::error_code ec;
    const auto abs = std::filesystem::absolute(scenario_file, ec);
    h["scenario_file"] = ec ? scenario_file : abs.lexically_normal().string();
    h["scenario"] = sim.scenario().name;
    h["scenario_hash"] = fileHash(scenario_file);
    h["seed"] = sim.summary()["seed"];
    h["agents"] = sim.state().size();
    h["time_step_s"] = sim.dt();
    h["frame_interval_s"] = interval_;
    const std::string text = h.dump();
    Writer w{header_};
    w.bytes(kMagic, sizeof kMagic);
    w.pod(kReplayVersion);
    w.str(text);
}

void ReplayRecorder::record(const Simulation& sim) {
    Writer w{body_};
    writeFrame(w, frameFromSimulation(sim));
    last_ = sim.time();
    ++frames_;
}

void ReplayRecorder::capture(const Simulation& sim) {
    if (sim.time() + 1e-9 < next_) return;
    record(sim);
    next_ = (std::floor(sim.time() / interval_ + 1e-9) + 1.0) * interval_;
}

std::string ReplayRecorder::finish(const Simulation& sim) {
    if (sim.time() != last_) record(sim);
    return header_ + body_;
}

Replay Replay::open(const std::filesystem::path& dir) {
    const std::filesystem::path file = dir / kReplayFileName;
    const std::string where = file.string();
    if (!std::filesystem::is_directory(dir)) throw InputError(dir.string() + ": no such results folder");
    if (!std::filesystem::exists(file)) {
        const bool results = std::filesystem::exists(dir / "summary.json");
        throw InputError(dir.string() + (results ? ": has results but no replay (" : ": no replay (") + kReplayFileName +
                         "); record one with `safetwin run SCENARIO --record --out " + dir.string() + "`");
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    const std::string data = os.str();
    Reader r{data, 0, where};
    if (data.size() < sizeof kMagic || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0)
        throw InputError(where + ": not a SafeTwin replay file");
    r.at = sizeof kMagic;
    const uint32_t version = r.pod<uint32_t>();
    if (version != kReplayVersion)
        throw InputError(where + ": replay format version " + std::to_string(version) + (version < kReplayVersion ? " (older)" : " (newer)") +
                         "; this build reads version " + std::to_string(kReplayVersion) +
                         ". Record the run again with this build: `safetwin run SCENARIO --record --out " + dir.string() + "`");
    Replay rp;
    rp.dir_ = dir.string();
    try {
        const auto h = nlohmann::json::parse(r.str());
        rp.scenarioFile_ = h.at("scenario_file").get<std::string>();
        rp.scenarioName_ = h.value("scenario", "");
        rp.hash_ = h.at("scenario_hash").get<std::string>();
        rp.seed_ = h.value("seed", uint64_t(0));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(where + ": the replay header is damaged (" + e.what() + ")");
    }
    while (r.at < data.size()) rp.frames_.push_back(readFrame(r));
    if (rp.frames_.empty()) throw InputError(where + ": the replay has no frames");
    return rp;
}

void Replay::checkScenario(const std::string& scenario_file) const {
    const std::string h = fileHash(scenario_file);
    if (h == hash_) return;
    throw InputError(dir_ + ": these results were recorded from " + scenarioFile_ + " ('" + scenarioName_ + "', content hash " + hash_ +
                     "), not from " + scenario_file + " (content hash " + h +
                     "): another scenario, or the file changed since; run it again with --record");
}

double Replay::startTime() const { return frames_.front()->time; }
double Replay::endTime() const { return frames_.back()->time; }

Frame Replay::frameAt(double t) const {
    if (t <= frames_.front()->time) return *frames_.front();
    if (t >= frames_.back()->time) return *frames_.back();
    const auto it = std::upper_bound(frames_.begin(), frames_.end(), t,
                                     [](double x, const std::shared_ptr<const Frame>& f) { return x < f->time; });
    const Frame& b = **it;
    const Frame& a = **(it - 1);
    const double s = (t - a.time) / std::max(1e-12, b.time - a.time);
    const Frame& nearer = s < 0.5 ? a : b;
    Frame f;
    f.time = t;
    f.total = nearer.total;
    f.out = nearer.out;
    f.remaining = nearer.remaining;
    f.exposed = nearer.exposed;
    f.incapacitated = nearer.incapacitated;
    f.door_closed = nearer.door_closed;
    f.gas_ppm = a.gas_ppm;
    f.gas_volume = a.gas_volume;
    f.gas_threshold_ppm = a.gas_threshold_ppm;
    f.gas_name = a.gas_name;
    f.sensors = nearer.sensors;
    f.hazards = nearer.hazards;
    // agents are recorded in id order: merge the two lists
    f.agents.reserve(a.agents.size());
    const float fs = float(s);
    size_t j = 0;
    for (const AgentSample& p : a.agents) {
        while (j < b.agents.size() && b.agents[j].id < p.id) ++j;
        if (j < b.agents.size() && b.agents[j].id == p.id) {
            const AgentSample& q = b.agents[j];
            AgentSample m = s < 0.5 ? p : q;
            m.x = p.x + fs * (q.x - p.x);
            m.y = p.y + fs * (q.y - p.y);
            m.z = p.z + fs * (q.z - p.z);
            const float hx = p.ex + fs * (q.ex - p.ex), hy = p.ey + fs * (q.ey - p.ey);
            const float hn = std::sqrt(hx * hx + hy * hy);
            if (hn > 1e-6f) {
                m.ex = hx / hn;
                m.ey = hy / hn;
            }
            m.speed = p.speed + fs * (q.speed - p.speed);
            m.dose = p.dose + fs * (q.dose - p.dose);
            f.agents.push_back(m);
        } else if (s < 0.5) {
            f.agents.push_back(p);   // gone out before the next frame: shown until half-way
        }
    }
    return f;
}

}  // namespace safetwin::render

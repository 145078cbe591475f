#include "sim/batch/BatchStore.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "scenes/InputError.hpp"
#include "sim/batch/Statistics.hpp"

namespace safetwin {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

std::string readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string num(double v) {
    if (!std::isfinite(v)) return "";
    std::ostringstream os;
    os << std::round(v * 1000.0) / 1000.0;
    return os.str();
}

}  // namespace

void writeFileDurable(const fs::path& path, const std::string& content) {
    const fs::path tmp = path.string() + ".tmp" + std::to_string(::getpid());
    auto fail = [&](const std::string& what, int err) {
        ::unlink(tmp.c_str());
        std::string cause = std::strerror(err);
        if (err == ENOSPC || err == EDQUOT || err == EFBIG)
            cause +=
                " (the disk or the quota is full: free some space and run again; finished runs are "
                "kept)";
        throw std::runtime_error(what + " " + path.string() + " failed: " + cause +
                                 "; nothing was written under its name");
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("creating a temporary file for", errno);
    size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : ENOSPC;
            ::close(fd);
            fail("writing", err);
        }
        done += size_t(n);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        fail("flushing", err);
    }
    if (::close(fd) != 0) fail("closing", errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("renaming the temporary file to", errno);
}

BatchStore::BatchStore(fs::path dir, const Manifest& manifest) : dir_(std::move(dir)) {
    const fs::path id = dir_ / "batch.json";
    std::error_code ec;
    if (fs::exists(id, ec)) {
        json j;
        try {
            j = json::parse(readAll(id));
        } catch (const std::exception&) {
            throw InputError(id.string() +
                             ": not a SafeTwin batch record; use another --out folder");
        }
        const std::string hash = j.value("manifest_hash", "");
        if (hash != manifest.hash())
            throw InputError(
                "output folder " + dir_.string() + " holds a different batch (manifest '" +
                j.value("manifest", "?") + "', hash " + hash + "; this one is '" + manifest.file() +
                "', hash " + manifest.hash() +
                "): its runs, scenarios or scenario files differ. Use another --out folder, or "
                "delete that one to start again");
    } else {
        if (fs::exists(dir_, ec) && !fs::is_empty(dir_, ec))
            throw InputError(
                "output folder " + dir_.string() +
                " is not empty and holds no batch (no batch.json); use an empty or new folder");
        fs::create_directories(dir_);  // runs/ only once batch.json is written
        ojson j = {{"format", "safetwin batch v1"},
                   {"manifest", manifest.file()},
                   {"manifest_hash", manifest.hash()},
                   {"runs", manifest.runs().size()}};
        writeFileDurable(id, j.dump(2) + "\n");
    }
    fs::create_directories(dir_ / "runs");
    // Temporary files of runs that were in flight when an earlier process was killed.
    for (const auto& e : fs::directory_iterator(dir_ / "runs"))
        if (e.path().filename().string().find(".json.tmp") != std::string::npos)
            fs::remove(e.path(), ec);
}

fs::path BatchStore::runFile(const RunSpec& spec) const {
    return dir_ / "runs" / (spec.key + ".json");
}

std::optional<RunResult> BatchStore::load(const RunSpec& spec) const {
    const fs::path p = runFile(spec);
    std::error_code ec;
    if (!fs::exists(p, ec)) return std::nullopt;
    try {
        RunResult r = runResultFromJson(json::parse(readAll(p)), p.string());
        if (r.spec.key != spec.key) throw std::runtime_error("its key is '" + r.spec.key + "'");
        return r;
    } catch (const std::exception&) {
        fs::rename(p, p.string() + ".bad", ec);
        return std::nullopt;
    }
}

void BatchStore::save(const RunResult& r) const {
    writeFileDurable(runFile(r.spec), toJson(r).dump() + "\n");
}

std::string resultsCsv(const Manifest& manifest,
                       const std::vector<std::optional<RunResult>>& runs) {
    std::ostringstream os;
    os << "index,key,scenario_file,scenario,variant";
    for (const std::string& p : manifest.parameterPaths()) os << ',' << csvField(p);
    os << ",seed,status,agents,evacuated,complete,evacuation_time_s,simulated_time_s,los_e_or_"
          "worse_s,los_f_s,"
          "peak_per_m2,peak_level,peak_x,peak_y,exit_counts,error\n";
    for (size_t k = 0; k < manifest.runs().size(); ++k) {
        const RunSpec& spec = manifest.runs()[k];
        os << k << ',' << spec.key << ',' << csvField(spec.scenario_file) << ',';
        os << (runs[k] ? csvField(runs[k]->scenario) : "") << ',' << csvField(spec.variant);
        for (const std::string& p : manifest.parameterPaths()) {
            std::string v;
            for (const auto& [path, value] : spec.parameters)
                if (path == p) v = value;
            os << ',' << csvField(v);
        }
        os << ',' << spec.seed << ',';
        if (!runs[k]) {
            os << "missing,,,,,,,,,,,,,\n";
            continue;
        }
        const RunResult& r = *runs[k];
        if (!r.ok) {
            os << "failed,,,,,,,,,,,,," << csvField(r.error) << '\n';
            continue;
        }
        std::string exits;
        for (const ExitCount& e : r.exits)
            exits += (exits.empty() ? "" : ";") + e.id + ":" + std::to_string(e.count);
        os << "ok," << r.agents << ',' << r.evacuated << ',' << (r.complete ? "true" : "false")
           << ',' << num(r.evacuation_time) << ',' << num(r.simulated_time) << ','
           << num(r.density.los_e_s) << ',' << num(r.density.los_f_s) << ',' << num(r.density.peak)
           << ',' << csvField(r.density.peak_level) << ',' << num(r.density.peak_at.x) << ','
           << num(r.density.peak_at.y) << ',' << csvField(exits) << ",\n";
    }
    return os.str();
}

void BatchStore::writeMerged(const Manifest& manifest,
                             const std::vector<std::optional<RunResult>>& all) const {
    writeFileDurable(dir_ / "results.csv", resultsCsv(manifest, all));
    ojson runs = ojson::array();
    int ok = 0, failed = 0, missing = 0;
    for (size_t k = 0; k < all.size(); ++k) {
        if (!all[k]) {
            ++missing;
            runs.push_back({{"index", k}, {"key", manifest.runs()[k].key}, {"status", "missing"}});
            continue;
        }
        (all[k]->ok ? ok : failed)++;
        json j = toJson(*all[k], false);
        j.erase("wall_s");  // merged results are reproducible; run times stay in the run files
        runs.push_back(ojson::parse(j.dump()));
    }
    ojson results = {{"manifest", manifest.file()},
                     {"manifest_hash", manifest.hash()},
                     {"runs_total", all.size()},
                     {"ok", ok},
                     {"failed", failed},
                     {"missing", missing},
                     {"runs", runs}};
    writeFileDurable(dir_ / "results.json", results.dump(1) + "\n");

    // Per scenario file and parameter set: the variants compared over their seeds.
    std::map<std::string, std::vector<size_t>> groups;
    std::vector<std::string> order;
    for (size_t k = 0; k < all.size(); ++k) {
        const RunSpec& s = manifest.runs()[k];
        std::string g = s.scenario_file;
        for (const auto& [p, v] : s.parameters) g += " " + p + "=" + v;
        if (!groups.count(g)) order.push_back(g);
        groups[g].push_back(k);
    }
    ojson summary = ojson::array();
    for (const std::string& g : order) {
        const std::vector<size_t>& ks = groups[g];
        std::vector<std::string> variants, descriptions;
        std::vector<RunResult> runsOf;
        for (size_t k : ks) {
            const std::string& v = manifest.runs()[k].variant;
            if (std::find(variants.begin(), variants.end(), v) == variants.end()) {
                variants.push_back(v);
                const ScenarioFamily& f = manifest.familyOf(k);
                descriptions.push_back(f.variants()[f.variantIndex(v)].description);
            }
            if (all[k]) runsOf.push_back(*all[k]);
        }
        ojson c = toJson(
            compareVariants(manifest.familyOf(ks.front()).name(), variants, descriptions, runsOf));
        ojson params = ojson::object();
        for (const auto& [p, v] : manifest.runs()[ks.front()].parameters) params[p] = v;
        summary.push_back({{"scenario_file", manifest.runs()[ks.front()].scenario_file},
                           {"parameters", params},
                           {"comparison", c}});
    }
    writeFileDurable(dir_ / "summary.json", summary.dump(1) + "\n");
}

}  // namespace safetwin

// safetwin-mpi MANIFEST --out DIR [--retry-failed]: `safetwin batch` across machines with MPI.
// Rank 0 owns the output folder: it hands out runs one at a time as ranks become free, writes
// each result as it arrives (the same run files as `safetwin batch`, so either can resume the
// other's batch) and merges them at the end. Ranks 1..N-1 run; with one rank, rank 0 runs.
// Every rank reads the manifest itself (same files, same run list). Each rank uses one OpenMP
// thread unless OMP_NUM_THREADS is set. Launch: mpirun -np 8 safetwin-mpi m.yaml --out out
// (README: under Slurm).
//
// Protocol: a worker sends TAG_RESULT with its last result as JSON (empty at first); rank 0
// answers TAG_RUN with the next run's index, or -1 when none is left (or the batch stopped).
#include <mpi.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/Output.hpp"
#include "sim/batch/BatchStore.hpp"

namespace {

using namespace safetwin;

constexpr int kTagResult = 1, kTagRun = 2;

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// Builds scenarios once per scenario, variant and parameter set (shared by seeds).
class ScenarioCache {
  public:
    explicit ScenarioCache(const Manifest& m) : m_(m) {}
    const Scenario& get(size_t k) {
        const RunSpec& spec = m_.runs()[k];
        std::string g = spec.scenario_file + "\n" + spec.variant;
        for (const auto& [p, v] : spec.parameters) g += "\n" + p + "=" + v;
        auto it = cache_.find(g);
        if (it == cache_.end())
            it = cache_.emplace(g, std::make_unique<Scenario>(m_.build(k))).first;
        return *it->second;
    }

  private:
    const Manifest& m_;
    std::map<std::string, std::unique_ptr<Scenario>> cache_;
};

std::string receiveString(int source, int tag, MPI_Status* status) {
    MPI_Status probe;
    MPI_Probe(source, tag, MPI_COMM_WORLD, &probe);
    int count = 0;
    MPI_Get_count(&probe, MPI_CHAR, &count);
    std::string s(size_t(count), '\0');
    MPI_Recv(s.data(), count, MPI_CHAR, probe.MPI_SOURCE, tag, MPI_COMM_WORLD, status);
    return s;
}

void worker(const Manifest& manifest) {
    ScenarioCache cache(manifest);
    std::string payload;
    for (;;) {
        MPI_Send(payload.data(), int(payload.size()), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);
        long long k = -1;
        MPI_Recv(&k, 1, MPI_LONG_LONG, 0, kTagRun, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (k < 0) return;
        RunResult r;
        try {
            r = runOne(cache.get(size_t(k)), manifest.runs()[size_t(k)]);
        } catch (const std::exception& e) {  // building the scenario (checked at load; defensive)
            r.spec = manifest.runs()[size_t(k)];
            r.error = e.what();
        }
        payload = toJson(r).dump();
    }
}

int master(const Manifest& manifest, const BatchStore& store, bool retryFailed, int size) {
    const size_t n = manifest.runs().size();
    std::vector<std::optional<RunResult>> all(n);
    std::vector<size_t> pending;
    for (const RunSpec& spec : manifest.runs()) {
        all[spec.index] = store.load(spec);
        if (!all[spec.index] || (!all[spec.index]->ok && retryFailed)) {
            all[spec.index].reset();
            pending.push_back(spec.index);
        }
    }
    const size_t kept = n - pending.size();
    std::printf("batch '%s' on %d ranks: %zu runs, %zu already done, %zu to run\n",
                manifest.name().c_str(), size, n, kept, pending.size());
    std::fflush(stdout);
    const double start = now();
    double runSeconds = 0;
    size_t done = 0, failed = 0, next = 0;
    std::string stopped;
    ProgressBar bar("batch (mpi)", 0.5);
    auto accept = [&](const RunResult& r) {
        runSeconds += r.wall_s;
        if (stopped.empty()) {
            try {
                store.save(r);
                all[r.spec.index] = r;
            } catch (const std::exception& e) {
                stopped = e.what();
            }
        }
        ++done;
        failed += !r.ok;
        char detail[96];
        std::snprintf(detail, sizeof detail, "%zu/%zu done, %zu failed", kept + done, n, failed);
        bar.update(pending.empty() ? 1.0 : double(done) / double(pending.size()), detail);
    };
    if (size == 1) {
        omp_set_num_threads(1);
        ScenarioCache cache(manifest);
        for (size_t k : pending) {
            if (!stopped.empty()) break;
            accept(runOne(cache.get(k), manifest.runs()[k]));
        }
    } else {
        int active = size - 1;
        while (active > 0) {
            MPI_Status st;
            const std::string payload = receiveString(MPI_ANY_SOURCE, kTagResult, &st);
            if (!payload.empty()) {
                try {
                    accept(runResultFromJson(nlohmann::json::parse(payload),
                                             "result from rank " + std::to_string(st.MPI_SOURCE)));
                } catch (const std::exception& e) {
                    stopped = e.what();
                }
            }
            long long k = -1;
            if (stopped.empty() && next < pending.size()) k = (long long)pending[next++];
            if (k < 0) --active;
            MPI_Send(&k, 1, MPI_LONG_LONG, st.MPI_SOURCE, kTagRun, MPI_COMM_WORLD);
        }
    }
    bar.finish();
    const double wall = now() - start;
    if (!stopped.empty()) {
        std::fprintf(
            stderr, "error: %s\nbatch stopped: the runs done are kept in %s; run again to resume\n",
            stopped.c_str(), (store.dir() / "runs").string().c_str());
        return 1;
    }
    store.writeMerged(manifest, all);
    size_t failedTotal = 0;
    for (const auto& r : all) failedTotal += r && !r->ok;
    const int workers = size == 1 ? 1 : size - 1;
    // Overhead per run: worker time not spent running (messages, waiting, start-up), per run.
    const double overhead = done ? (wall * workers - runSeconds) / double(done) : 0.0;
    std::printf("batch '%s': %zu runs, %zu ok, %zu failed\nresults: %s\n", manifest.name().c_str(),
                n, n - failedTotal, failedTotal, (store.dir() / "results.csv").string().c_str());
    std::printf(
        "{\"mpi_ranks\": %d, \"workers\": %d, \"runs\": %zu, \"wall_s\": %.3f, \"run_s_sum\": "
        "%.3f, "
        "\"overhead_per_run_s\": %.4f}\n",
        size, workers, done, wall, runSeconds, overhead);
    return failedTotal > 0 ? 1 : 0;
}

int usage() {
    std::fprintf(stderr, "usage: safetwin-mpi MANIFEST --out DIR [--retry-failed]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (!std::getenv("OMP_NUM_THREADS")) omp_set_num_threads(1);
    std::string manifestPath, out;
    bool retryFailed = false, bad = false;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        if (a == "--out" && k + 1 < argc)
            out = argv[++k];
        else if (a == "--retry-failed")
            retryFailed = true;
        else if (!a.empty() && a[0] != '-' && manifestPath.empty())
            manifestPath = a;
        else
            bad = true;
    }
    int code = 0;
    if (bad || manifestPath.empty() || out.empty()) {
        if (rank == 0) usage();
        MPI_Finalize();
        return 2;
    }
    std::unique_ptr<Manifest> manifest;
    std::unique_ptr<BatchStore> store;
    int ok = 1;
    try {
        manifest = std::make_unique<Manifest>(Manifest::load(manifestPath));
        if (rank == 0) store = std::make_unique<BatchStore>(out, *manifest);
    } catch (const InputError& e) {
        if (rank == 0) std::fprintf(stderr, "error: %s\n", e.what());
        ok = 0;
        code = 2;
    } catch (const std::exception& e) {
        if (rank == 0) std::fprintf(stderr, "error: %s\n", e.what());
        ok = 0;
        code = 1;
    }
    // Everyone goes on only if every rank read the manifest and rank 0 opened the folder.
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (all) {
        try {
            if (rank == 0)
                code = master(*manifest, *store, retryFailed, size);
            else
                worker(*manifest);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "error (rank %d): %s\n", rank, e.what());
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
    } else if (code == 0) {
        code = 2;
    }
    MPI_Finalize();
    return code;
}

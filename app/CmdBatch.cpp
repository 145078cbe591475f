// safetwin batch MANIFEST --out DIR [--jobs J] [--retry-failed]
// Runs scenarios x variants x parameters x seeds; each finished run is its own result file, so an
// interrupted batch resumes where it stopped (sim/batch/BatchStore.hpp).
#include <cstdio>
#include <map>
#include <memory>
#include <thread>

#include "app/Commands.hpp"
#include "app/Output.hpp"
#include "sim/batch/BatchStore.hpp"

namespace safetwin {

CommandFn addBatchCommand(CLI::App& app) {
    struct Options {
        std::string manifest;
        std::string out;
        int jobs = 0;
        bool retryFailed = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "batch", "Run a batch manifest (scenarios x variants x parameters x seeds); resumable");
    cmd->add_option("manifest", o->manifest, "batch manifest (YAML, docs/FORMAT.md)")->required();
    cmd->add_option("--out", o->out,
                    "output folder (one result file per run; merged results.csv, results.json, "
                    "summary.json)")
        ->required();
    cmd->add_option("--jobs,-j", o->jobs, "runs at a time (default: the number of cores)")
        ->check(CLI::Range(1, 1024));
    cmd->add_flag("--retry-failed", o->retryFailed, "run again the runs recorded as failed");
    return [o]() {
        const Manifest manifest = Manifest::load(o->manifest);
        const BatchStore store(o->out, manifest);
        const size_t n = manifest.runs().size();
        std::vector<std::optional<RunResult>> all(n);
        std::vector<RunSpec> pending;
        size_t kept = 0;
        for (const RunSpec& spec : manifest.runs()) {
            all[spec.index] = store.load(spec);
            if (all[spec.index] && (all[spec.index]->ok || !o->retryFailed))
                ++kept;
            else {
                all[spec.index].reset();
                pending.push_back(spec);
            }
        }
        const int jobs =
            o->jobs > 0 ? o->jobs : int(std::max(1u, std::thread::hardware_concurrency()));
        std::printf("batch '%s': %zu runs, %zu already done, %zu to run with %d jobs\n",
                    manifest.name().c_str(), n, kept, pending.size(), jobs);
        std::fflush(stdout);

        // Scenarios are built here, once per scenario, variant and parameter set, and shared by
        // seeds.
        std::map<std::string, size_t> built;
        std::vector<std::unique_ptr<Scenario>> scenarios;
        std::vector<const Scenario*> scenarioOf;
        for (const RunSpec& spec : pending) {
            std::string g = spec.scenario_file + "\n" + spec.variant;
            for (const auto& [p, v] : spec.parameters) g += "\n" + p + "=" + v;
            auto it = built.find(g);
            if (it == built.end()) {
                it = built.emplace(g, scenarios.size()).first;
                scenarios.push_back(std::make_unique<Scenario>(manifest.build(spec.index)));
            }
            scenarioOf.push_back(scenarios[it->second].get());
        }

        ProgressBar bar("batch", 0.5);
        size_t done = 0, failed = 0;
        for (const auto& r : all)
            if (r && !r->ok) ++failed;
        std::string stopped;
        try {
            runAll(pending, scenarioOf, jobs, [&](const RunResult& r) {
                store.save(r);  // a full disk stops the batch here (finished runs are kept)
                // As stored (rounded): fresh, resumed and MPI runs then merge to identical results.
                all[r.spec.index] = runResultFromJson(toJson(r), r.spec.key);
                ++done;
                if (!r.ok) {
                    ++failed;
                    std::fprintf(stderr, "%srun %s failed: %s\n", "\r", r.spec.key.c_str(),
                                 r.error.c_str());
                }
                char detail[96];
                std::snprintf(detail, sizeof detail, "%zu/%zu done, %zu failed", kept + done, n,
                              failed);
                bar.update(pending.empty() ? 1.0 : double(done) / double(pending.size()), detail);
            });
        } catch (const std::exception& e) {
            stopped = e.what();
        }
        bar.finish();
        if (!stopped.empty()) {
            std::fprintf(
                stderr,
                "error: %s\nbatch stopped: %zu of %zu runs are done and kept in %s; run the same "
                "command again to resume\n",
                stopped.c_str(), kept + done, n, (store.dir() / "runs").string().c_str());
            return 1;
        }
        store.writeMerged(manifest, all);
        std::printf("batch '%s': %zu runs, %zu ok, %zu failed\n", manifest.name().c_str(), n,
                    n - failed, failed);
        std::printf("results: %s\n", (store.dir() / "results.csv").string().c_str());
        return failed > 0 ? 1 : 0;
    };
}

}  // namespace safetwin

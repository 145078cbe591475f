// safetwin run SCENARIO [--seed N] [--out DIR] [--trajectories] [--trajectory-rate HZ] [--record [--record-rate HZ]]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/Commands.hpp"
#include "app/GasCommands.hpp"
#include "app/Output.hpp"
#include "bench/BatchBench.hpp"
#include "bench/CrowdBench.hpp"
#include "bench/ImportBench.hpp"
#include "bench/RenderBench.hpp"
#include "render/Replay.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace safetwin {

CommandFn addRunCommand(CLI::App& app) {
    struct Options {
        std::string scenario;
        std::string out;
        int64_t seed = -1;
        bool trajectories = false;
        double rate = 0.0;
        bool record = false;
        double recordRate = 2.0;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("run", "Run a scenario headless and write DIR/summary.json");
    cmd->add_option("scenario", o->scenario, "scenario file (YAML)")->required();
    cmd->add_option("--out", o->out, "output folder (default: results/<scenario name>)");
    cmd->add_option("--seed", o->seed, "random seed (overrides the scenario's)")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--trajectories", o->trajectories, "also write trajectories.csv (frame,time,id,x,y,z)");
    cmd->add_option("--trajectory-rate", o->rate, "trajectory frames per second (default: the scenario's output.trajectory_rate)")
        ->check(CLI::Range(0.01, 100.0));
    cmd->add_flag("--record", o->record, "also write replay.bin for `render --results` and `view --results`");
    cmd->add_option("--record-rate", o->recordRate, "replay frames per second (default 2)")->check(CLI::Range(0.01, 100.0));
    return [o]() {
        // Everything that can be wrong with the input is found before anything is written.
        const Scenario scenario = loadScenarioFile(o->scenario);
        SimulationOptions opt;
        if (o->seed >= 0) opt.seed = uint64_t(o->seed);
        opt.record_trajectories = o->trajectories;
        opt.trajectory_rate = o->rate;
        Simulation sim(scenario, opt);

        std::filesystem::path out = o->out.empty()
            ? std::filesystem::path("results") / std::filesystem::path(o->scenario).stem()
            : std::filesystem::path(o->out);
        ProgressBar bar("run " + std::filesystem::path(o->scenario).filename().string());
        auto progress = [&](double t, double f) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "t=%.0f s  out %d/%zu", t, sim.evacuated(), sim.state().size());
            bar.update(f, buf);
        };
        std::string replay;
        if (o->record) {
            // the same steps as Simulation::run, with a replay frame whenever one is due
            render::ReplayRecorder recorder(sim, o->scenario, o->recordRate);
            recorder.capture(sim);
            int64_t k = 0;
            while (sim.step()) {
                recorder.capture(sim);
                if (++k % 20 == 0) {
                    const double n = double(std::max<size_t>(1, sim.state().size()));
                    progress(sim.time(), std::max(sim.time() / scenario.duration, sim.evacuated() / n));
                }
            }
            replay = recorder.finish(sim);
        } else {
            sim.run(progress);
        }
        bar.finish();

        std::filesystem::create_directories(out);
        writeFileAtomic(out / "summary.json", sim.summary().dump(2) + "\n");
        writeGasMaps(sim, out);  // gas_max_<level>.png, for scenarios with gas
        if (o->trajectories) writeFileAtomic(out / "trajectories.csv", sim.trajectories());
        if (o->record) writeFileAtomic(out / render::kReplayFileName, replay);

        const auto s = sim.summary();
        std::printf("%s: %d of %zu evacuated", scenario.name.c_str(), sim.evacuated(), sim.state().size());
        if (sim.evacuated() > 0) std::printf(", evacuation time %.1f s", s["evacuation_time_s"].get<double>());
        std::printf("\n");
        for (const auto& e : s["exits"])
            std::printf("  exit %-12s %5d people\n", e["id"].get<std::string>().c_str(), e["count"].get<int>());
        if (!sim.unreachable().empty()) {
            std::printf("  %zu agents cannot reach any exit:\n", sim.unreachable().size());
            size_t shown = 0;
            for (const Unreachable& u : sim.unreachable()) {
                if (++shown > 10) { std::printf("    ... (all listed in summary.json)\n"); break; }
                std::printf("    agent %d at (%.2f, %.2f) on %s\n", u.agent, u.position.x, u.position.y, u.level.c_str());
            }
        }
        std::printf("results: %s\n", (out / "summary.json").string().c_str());
        return 0;
    };
}

CommandFn addBenchCommand(CLI::App& app) {
    struct Options {
        std::string what;
        std::vector<int> threads{1, 2};
        bool quick = false;
        std::vector<int> sizes;
        std::string kernel = "auto";
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("bench", "Run a benchmark and print one JSON object per case");
    cmd->add_option("what", o->what, "benchmark: gas, crowd, batch, import or render")->required()->check(CLI::IsMember({"crowd", "gas", "batch", "import", "render"}));
    cmd->add_option("--threads", o->threads, "thread counts to run (default: 1 2)");
    cmd->add_flag("--quick", o->quick, "small cases only (a smoke test)");
    cmd->add_option("--n", o->sizes, "crowd: run only the cases with these numbers of people (1000 10000 20000 100000)");
    cmd->add_option("--kernel", o->kernel, "crowd: the movement kernel's build: auto (the widest this CPU has), avx2 or x86-64")
        ->check(CLI::IsMember({"auto", "avx2", "x86-64"}));
    return [o]() {
        setCrowdKernelIsa(o->kernel == "avx2" ? CrowdKernelIsa::Avx2 : o->kernel == "x86-64" ? CrowdKernelIsa::Baseline : CrowdKernelIsa::Auto);
        if (o->what == "gas") return runBenchGas(o->threads, o->quick);
        if (o->what == "batch") return runBatchBench(o->threads, o->quick);
        if (o->what == "import") return runImportBench("", o->quick);
        if (o->what == "render") return runRenderBench(o->quick);
        std::vector<BenchCase> cases = defaultCrowdBenchCases(o->quick);
        if (!o->sizes.empty())
            std::erase_if(cases, [&](const BenchCase& c) { return std::find(o->sizes.begin(), o->sizes.end(), c.n) == o->sizes.end(); });
        return runCrowdBench(cases, o->threads);
    };
}

}  // namespace safetwin

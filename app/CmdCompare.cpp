// safetwin compare SCENARIO [--seeds N] [--jobs J] [--variants a,b] --out DIR
// Runs every variant of a scenario with N seeds in parallel and writes report.html, results.csv
// (one row per variant) and results.json (statistics, verdicts and every run).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "app/Commands.hpp"
#include "app/CompareReport.hpp"
#include "app/Output.hpp"
#include "sim/batch/Statistics.hpp"
#include "sim/scenario/Variant.hpp"

namespace safetwin {

CommandFn addCompareCommand(CLI::App& app) {
    struct Options {
        std::string scenario;
        std::string out;
        int seeds = 20;
        int jobs = 0;
        std::vector<std::string> variants;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd =
        app.add_subcommand("compare", "Compare the layout variants of a scenario over many seeds");
    cmd->add_option("scenario", o->scenario, "scenario file with a 'variants' section (YAML)")
        ->required();
    cmd->add_option("--out", o->out, "output folder: report.html, results.csv, results.json")
        ->required();
    cmd->add_option("--seeds", o->seeds,
                    "runs per variant: the scenario's seed and the next N-1 (default 20)")
        ->check(CLI::Range(2, 100000));
    cmd->add_option("--jobs,-j", o->jobs, "runs at a time (default: the number of cores)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--variants", o->variants, "only these variants (the first is the reference)")
        ->delimiter(',');
    return [o]() {
        namespace fs = std::filesystem;
        const ScenarioFamily family = ScenarioFamily::load(o->scenario);
        std::vector<size_t> chosen;
        if (o->variants.empty())
            for (size_t k = 0; k < family.variants().size(); ++k) chosen.push_back(k);
        for (const std::string& v : o->variants) chosen.push_back(family.variantIndex(v));
        if (chosen.size() < 2 && o->variants.empty())
            throw InputError(o->scenario +
                             ": the scenario has no 'variants' to compare with its base (see "
                             "docs/FORMAT.md, Variants)");

        std::vector<std::unique_ptr<Scenario>> scenarios;
        std::vector<std::string> names, descriptions;
        for (size_t v : chosen) {
            scenarios.push_back(std::make_unique<Scenario>(family.build(v)));
            names.push_back(family.variants()[v].name);
            descriptions.push_back(family.variants()[v].description);
        }
        std::vector<RunSpec> jobs;
        std::vector<const Scenario*> scenarioOf;
        for (size_t v = 0; v < chosen.size(); ++v)
            for (int s = 0; s < o->seeds; ++s) {
                RunSpec spec;
                spec.index = jobs.size();
                spec.scenario_file = o->scenario;
                spec.variant = names[v];
                spec.seed = family.base().seed + uint64_t(s);
                spec.key = names[v] + "_s" + std::to_string(spec.seed);
                jobs.push_back(spec);
                scenarioOf.push_back(scenarios[v].get());
            }
        const int threads =
            o->jobs > 0 ? o->jobs : int(std::max(1u, std::thread::hardware_concurrency()));
        std::printf("compare '%s': %zu variants x %d seeds = %zu runs, %d at a time\n",
                    family.name().c_str(), chosen.size(), o->seeds, jobs.size(), threads);
        std::fflush(stdout);

        std::vector<RunResult> runs;
        ProgressBar bar("compare", 0.5);
        size_t failed = 0;
        runAll(jobs, scenarioOf, threads, [&](const RunResult& r) {
            runs.push_back(r);
            failed += !r.ok;
            char detail[96];
            std::snprintf(detail, sizeof detail, "%zu/%zu done, %zu failed", runs.size(),
                          jobs.size(), failed);
            bar.update(double(runs.size()) / double(jobs.size()), detail);
        });
        bar.finish();
        std::sort(runs.begin(), runs.end(), [](const RunResult& a, const RunResult& b) {
            return a.spec.index < b.spec.index;
        });

        const Comparison c = compareVariants(family.name(), names, descriptions, runs);
        ReportInput in;
        in.comparison = &c;
        for (const auto& s : scenarios) in.scenes.push_back(&s->scene);
        in.seeds = o->seeds;
        in.scenario_file = o->scenario;

        nlohmann::ordered_json j = toJson(c);
        j["scenario_file"] = o->scenario;
        j["seeds"] = o->seeds;
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const RunResult& r : runs) {
            nlohmann::json rj = toJson(r, false);
            rj.erase("wall_s");
            list.push_back(nlohmann::ordered_json::parse(rj.dump()));
        }
        j["runs"] = list;

        const fs::path out(o->out);
        fs::create_directories(out);
        writeFileAtomic(out / "results.json", j.dump(1) + "\n");
        writeFileAtomic(out / "results.csv", toCsv(c));
        writeFileAtomic(out / "report.html", compareReportHtml(in));

        std::printf("%-4s %-24s %8s %8s %8s  %s\n", "rank", "variant", "mean_s", "median_s",
                    "p95_s", "verdict");
        for (const std::string& name : c.ranking)
            for (const VariantSummary& s : c.variants)
                if (s.name == name)
                    std::printf("%-4d %-24s %8.1f %8.1f %8.1f  %s\n", s.rank, s.name.c_str(),
                                s.mean.value, s.median.value, s.p95.value,
                                s.d_mean ? s.verdict.c_str() : "(reference)");
        if (failed) std::printf("%zu runs failed (listed in results.json)\n", failed);
        std::printf("report: %s\n", (out / "report.html").string().c_str());
        return failed > 0 ? 1 : 0;
    };
}

}  // namespace safetwin

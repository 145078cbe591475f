#include "bench/BatchBench.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "sim/batch/RunResult.hpp"
#include "sim/scenario/Variant.hpp"

namespace safetwin {

namespace {

namespace fs = std::filesystem;

double seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

fs::path selfDir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path(".") : exe.parent_path();
}

/// scenarios/workshop.yaml: in the working folder, under SAFETWIN_HOME, or beside the build.
fs::path findWorkshop() {
    std::vector<fs::path> tries = {"scenarios/workshop.yaml"};
    if (const char* home = std::getenv("SAFETWIN_HOME"))
        tries.push_back(fs::path(home) / "scenarios/workshop.yaml");
    tries.push_back(selfDir() / "../../scenarios/workshop.yaml");
    for (const fs::path& p : tries)
        if (fs::exists(p)) return p;
    throw std::runtime_error(
        "bench batch: scenarios/workshop.yaml not found (run from the repository or set "
        "SAFETWIN_HOME)");
}

}  // namespace

int runBatchBench(const std::vector<int>& jobCounts, bool quick) {
    const fs::path file = findWorkshop();
    const ScenarioFamily family = ScenarioFamily::load(file.string());
    const int seeds = quick ? 2 : 6;
    std::vector<std::unique_ptr<Scenario>> scenarios;
    for (size_t v = 0; v < family.variants().size(); ++v)
        scenarios.push_back(std::make_unique<Scenario>(family.build(v)));
    std::vector<RunSpec> jobs;
    std::vector<const Scenario*> scenarioOf;
    for (size_t v = 0; v < scenarios.size(); ++v)
        for (int s = 0; s < seeds; ++s) {
            RunSpec spec;
            spec.index = jobs.size();
            spec.variant = family.variants()[v].name;
            spec.seed = family.base().seed + uint64_t(s);
            jobs.push_back(spec);
            scenarioOf.push_back(scenarios[v].get());
        }
    double t1 = 0;  // seconds with one job, for the efficiency of the others
    for (int j : jobCounts) {
        int failed = 0;
        const double start = seconds();
        runAll(jobs, scenarioOf, j, [&](const RunResult& r) { failed += !r.ok; });
        const double t = seconds() - start;
        if (j == 1 || t1 == 0)
            t1 = t * (j == 1 ? 1.0 : double(j));  // without a 1-job case: ideal scaling assumed
        nlohmann::ordered_json o = {{"bench", "batch"},
                                    {"case", "workshop comparison (" + family.name() + ")"},
                                    {"jobs", j},
                                    {"runs", jobs.size()},
                                    {"failed", failed},
                                    {"wall_s", std::round(t * 1000) / 1000},
                                    {"runs_per_hour", std::round(double(jobs.size()) / t * 3600.0)},
                                    {"efficiency", std::round(t1 / (t * j) * 1000) / 1000},
                                    {"cores", std::thread::hardware_concurrency()}};
        std::printf("%s\n", o.dump().c_str());
        std::fflush(stdout);
    }

    // MPI: the same runs through safetwin-mpi with one worker (mpirun -np 2), on loopback.
    const fs::path mpiBin = selfDir() / "safetwin-mpi";
    if (!fs::exists(mpiBin) || std::system("command -v mpirun > /dev/null 2>&1") != 0) {
        std::printf(
            "{\"bench\": \"batch\", \"case\": \"mpi\", \"skipped\": \"safetwin-mpi or mpirun not "
            "found\"}\n");
        return 0;
    }
    const fs::path dir =
        fs::temp_directory_path() / ("safetwin-bench-mpi-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "m.yaml") << "scenarios: ['" << fs::absolute(file).string()
                                  << "']\nseeds: " << seeds << "\n";
    const std::string cmd =
        "cd '" + dir.string() +
        "' && OMPI_MCA_plm=isolated OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=lo "
        "OMPI_MCA_btl_vader_single_copy_mechanism=none "
        "mpirun --allow-run-as-root --oversubscribe -np 2 '" +
        mpiBin.string() + "' m.yaml --out out > mpi.txt 2>&1";
    const double start = seconds();
    const int rc = std::system(cmd.c_str());
    const double t = seconds() - start;
    std::ifstream in(dir / "mpi.txt");
    std::string line, stats;
    while (std::getline(in, line))
        if (line.rfind("{\"mpi_ranks\"", 0) == 0) stats = line;
    nlohmann::ordered_json o = {{"bench", "batch"},
                                {"case", "mpi, 2 ranks (1 worker)"},
                                {"jobs", 1},
                                {"runs", jobs.size()}};
    if (rc != 0 || stats.empty()) {
        o["error"] = "mpirun failed (see " + (dir / "mpi.txt").string() + ")";
    } else {
        const nlohmann::json s = nlohmann::json::parse(stats);
        o["wall_s"] = std::round(t * 1000) / 1000;  // including mpirun's start-up
        o["runs_per_hour"] = std::round(double(jobs.size()) / t * 3600.0);
        o["overhead_per_run_s"] =
            s["overhead_per_run_s"];  // worker time not spent running, per run
        o["startup_and_merge_per_run_s"] =
            std::round((t - s["run_s_sum"].get<double>()) / double(jobs.size()) * 1000) / 1000;
        fs::remove_all(dir);
    }
    std::printf("%s\n", o.dump().c_str());
    return 0;
}

}  // namespace safetwin

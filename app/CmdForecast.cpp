// safetwin forecast SCENARIO [--live STATE.json] [--register FILE] [--seeds N] [--jobs J]
//                            [--impact] [--out DIR] [--now TIME]
// An evacuation from the site as it is now (live/forecast/Forecast.hpp): open hazards' effects,
// a gas leak when a detector alarms; with --impact, what each open hazard costs, stored in the
// register for `hazards list` and the viewer.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/Commands.hpp"
#include "app/Output.hpp"
#include "live/feed/Recorder.hpp"
#include "live/forecast/Forecast.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace safetwin {

CommandFn addForecastCommand(CLI::App& app) {
    struct Options {
        std::string scenario, live, reg, out, now;
        int seeds = 5, jobs = 1;
        bool impact = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "forecast", "Evacuation forecast from the live state and the open hazards; --impact ranks the hazards by the time they add");
    cmd->add_option("scenario", o->scenario, "scenario file (YAML)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--live", o->live, "live state (`safetwin live --state-out` file, or a `--record` recording replayed to its end); alarming gas detectors start a leak")
        ->check(CLI::ExistingFile);
    cmd->add_option("--register", o->reg, "hazard register (default: the scenario's 'hazards.register')");
    cmd->add_option("--seeds", o->seeds, "runs per case (default 5)")->check(CLI::Range(1, 1000));
    cmd->add_option("--jobs", o->jobs, "runs at a time (default 1)")->check(CLI::Range(1, 256));
    cmd->add_flag("--impact", o->impact, "rank open hazards by the evacuation time each adds, and store it in the register");
    cmd->add_option("--out", o->out, "output folder (default: results/<scenario>-forecast)");
    cmd->add_option("--now", o->now, "the time of the forecast (default: now, UTC)");
    return [o]() {
        const Scenario scenario = loadScenarioFile(o->scenario);
        const std::string regPath = o->reg.empty() ? scenario.hazard_register : o->reg;
        std::unique_ptr<HazardRegister> reg;
        std::vector<Hazard> open;
        if (!regPath.empty()) {
            if (!o->reg.empty() || std::filesystem::exists(regPath)) reg = HazardRegister::open(regPath, false);
            else std::fprintf(stderr, "note: the register %s does not exist yet: no hazards\n", regPath.c_str());
            if (reg) open = reg->openHazards(o->now);
        }
        live::LiveState state;
        // A --state-out file, or a recording replayed to its end (a forecast from a drill).
        if (!o->live.empty()) state = live::liveStateFromFile(scenario.sensors, &scenario.scene, o->live);
        ForecastOptions opt;
        opt.seeds = o->seeds;
        opt.jobs = o->jobs;
        opt.impact = o->impact;
        opt.now = o->now;
        const ForecastResult r = runForecast(scenario, open, o->live.empty() ? nullptr : &state, opt);

        const std::filesystem::path out = o->out.empty()
            ? std::filesystem::path("results") / (std::filesystem::path(o->scenario).stem().string() + "-forecast")
            : std::filesystem::path(o->out);
        std::filesystem::create_directories(out);
        writeFileAtomic(out / "forecast.json", toJson(r).dump(2) + "\n");
        writeFileAtomic(out / "report.html", reportHtml(r));
        if (o->impact && reg) reg->storeImpacts(impactRecords(r));
        std::printf("%s", summaryText(r).c_str());
        std::printf("results: %s, %s\n", (out / "forecast.json").string().c_str(), (out / "report.html").string().c_str());
        return 0;
    };
}

}  // namespace safetwin

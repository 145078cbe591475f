// safetwin view SCENARIO [--script DRILL] | --results DIR
// The interactive 3D viewer (render/viewer/Viewer.hpp): the scenario runs live on its own thread,
// the director acts on it from the panels or a drill script, and the after-action record is
// written at the end. --exit-at/--screenshot make it non-interactive (tests); --video exports
// a replay at any size through ffmpeg without a window.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/Commands.hpp"
#include "app/Output.hpp"
#include "app/HazardFrame.hpp"
#include "app/LiveFrame.hpp"
#include "live/feed/Recorder.hpp"
#include "live/forecast/Forecast.hpp"
#include "live/register/HazardRegister.hpp"
#include "render/viewer/Viewer.hpp"
#include "scenes/InputError.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace safetwin {

namespace {

/// The register's open hazards and the live sensors, re-read about once a second, added to every
/// drawn frame (ViewerOptions::decorate). A register edited by `safetwin hazards` in another
/// process shows within a second (HazardMarkerSource polls SQLite's data_version); a state file
/// rewritten by `safetwin live --state-out` likewise.
struct SiteOverlay {
    std::unique_ptr<HazardMarkerSource> hazards;
    std::vector<SensorSpec> sensorSpecs;
    Scene scene;
    std::string statePath;
    std::vector<render::HazardMarker> markers;
    std::vector<render::SensorSample> sensors;
    render::Frame figures;
    std::chrono::steady_clock::time_point next{};

    void refresh() {
        const auto now = std::chrono::steady_clock::now();
        if (now < next) return;
        next = now + std::chrono::seconds(1);
        if (hazards) {
            try {
                if (hazards->poll()) {
                    markers = hazardFrameMarkers(hazards->markers());
                    figures.hazards_open = hazards->stats().open;
                    figures.hazards_overdue = hazards->stats().overdue;
                    figures.rectification_rate = hazards->stats().rectification_rate;
                }
            } catch (const std::exception& e) {  // a register being replaced: keep the last markers
                std::fprintf(stderr, "view: hazard register: %s\n", e.what());
            }
        }
        if (!statePath.empty()) {
            try {
                sensors = sensorSamples(live::liveStateFromFile(sensorSpecs, &scene, statePath));
            } catch (const std::exception& e) {  // unreadable now: every sensor unknown, never safe
                for (render::SensorSample& x : sensors) x.quality = render::SensorQuality::Unknown;
                std::fprintf(stderr, "view: live state: %s\n", e.what());
            }
        }
    }
    void decorate(render::Frame& f) {
        refresh();
        f.hazards = markers;
        if (!sensors.empty()) f.sensors = sensors;
        f.hazards_open = figures.hazards_open;
        f.hazards_overdue = figures.hazards_overdue;
        f.rectification_rate = figures.rectification_rate;
    }
};

}  // namespace

CommandFn addViewCommand(CLI::App& app) {
    struct Options {
        viewer::ViewerOptions v;
        std::string size = "1280x720", videoSize = "3840x2160";
        double exitAt = -1.0;
        std::string reg, liveState;
        bool applyHazards = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("view", "The 3D viewer: run a scenario live (drill director panel, injects) or replay a run");
    cmd->add_option("scenario", o->v.scenario, "scenario file (YAML), run live");
    cmd->add_option("--results", o->v.results, "results folder to replay (recorded with `run --record`)");
    cmd->add_option("--script", o->v.script, "drill script: timed injects, CSV or YAML (docs/FORMAT.md, Drill scripts)");
    cmd->add_option("--out", o->v.out, "folder for summary.json and the after-action record (default results/<scenario>-view)");
    cmd->add_option("--seed", o->v.seed, "random seed (overrides the scenario's)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--speed", o->v.speed, "start speed, x real time (0.25 to 64)")->check(CLI::Range(0.25, 64.0));
    cmd->add_flag("--paused", o->v.paused, "start paused");
    cmd->add_option("--size", o->size, "window size WIDTHxHEIGHT (default 1280x720)");
    cmd->add_flag("--fullscreen", o->v.fullscreen, "full screen (big screen), on --monitor");
    cmd->add_option("--monitor", o->v.monitor, "monitor index for --fullscreen (0 = primary)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--ui-scale", o->v.ui_scale, "interface scale for large displays (0.5 to 4)")->check(CLI::Range(0.5, 4.0));
    cmd->add_flag("--no-panels", o->v.no_panels, "only the scene, the clock and the counters (H toggles)");
    cmd->add_flag("--tour", o->v.tour, "cycle the scenario's cameras (cameras:), or every bookmark when it has none");
    cmd->add_option("--tour-seconds", o->v.tour_seconds, "seconds per bookmark in the tour (default 10)")->check(CLI::Range(1.0, 3600.0));
    cmd->add_option("--camera", o->v.camera, "start camera: one of the scenario's cameras (cameras:), overview, top or level:<id> (default overview)");
    cmd->add_option("--colour", o->v.colour, "people coloured by state, speed or dose")->check(CLI::IsMember({"state", "speed", "dose"}));
    cmd->add_option("--follow", o->v.follow, "follow this person (agent id) from the start")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--eyes", o->v.eyes, "with --follow: see from their eyes");
    cmd->add_option("--samples", o->v.samples, "multisampling of the window (1 = off; default 4, off under a software renderer)")->check(CLI::Range(1, 16));
    cmd->add_option("--exit-at", o->exitAt, "scripted mode: run as fast as possible to this time [s], then exit")->check(CLI::NonNegativeNumber);
    cmd->add_option("--screenshot", o->v.screenshot, "scripted mode: PNG of the window at --exit-at");
    cmd->add_option("--video", o->v.video, "export a video (.mp4, .mkv, .webm) through ffmpeg, no window needed");
    cmd->add_option("--video-size", o->videoSize, "video size WIDTHxHEIGHT (default 3840x2160)");
    cmd->add_option("--fps", o->v.video_fps, "video frames per second (default 25)");
    cmd->add_option("--from", o->v.video_from, "video start time [s] (default 0)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--rate", o->v.video_rate, "simulated seconds per video second (default 1)")->check(CLI::Range(0.01, 1000.0));
    cmd->add_option("--register", o->reg, "hazard register (SQLite) whose open hazards are shown (default: the scenario's 'hazards.register')");
    cmd->add_flag("--forecast", o->v.forecast_at_start, "press 'Forecast now' at the start (the summary is also printed)");
    cmd->add_flag("--apply-hazards", o->applyHazards,
                  "run with the register's open hazards in effect (chained exits and doors closed, blocked and slow areas), as `forecast` does");
    cmd->add_option("--live", o->liveState, "live sensor state: a `safetwin live --state-out` file (re-read every second) or a recording");
    return [o]() {
        viewer::ViewerOptions v = o->v;
        if (!v.scenario.empty()) {
            const Scenario scenario = loadScenarioFile(v.scenario);
            const std::string reg = o->reg.empty() ? scenario.hazard_register : o->reg;
            auto site = std::make_shared<SiteOverlay>();
            if (!o->reg.empty() && !std::filesystem::exists(o->reg))
                throw InputError("--register " + o->reg + ": no such file (create it with `safetwin hazards add` or `hazards import`)");
            if (!reg.empty() && !std::filesystem::exists(reg)) {
                // The scenario names a register nobody has made yet: say how, and carry on without.
                v.hazard_note = "No hazard register yet: " + reg + " does not exist. Create it with `safetwin hazards import FILE.csv -s " +
                                v.scenario + "` or `safetwin hazards add`; it is picked up within a second.";
                std::fprintf(stderr, "note: %s\n", v.hazard_note.c_str());
            }
            if (!reg.empty()) site->hazards = std::make_unique<HazardMarkerSource>(scenario.scene, reg);
            if (o->applyHazards) {
                if (reg.empty() || !std::filesystem::exists(reg))
                    throw InputError("--apply-hazards: no hazard register (give --register FILE, or 'hazards: {register: FILE}' in the scenario)");
                // The site as it is: the open hazards with an effect, read once at the start.
                const std::vector<Hazard> open = HazardRegister::open(reg, false)->openHazards("");
                applyHazardEffects(scenario, open);  // bad effects are reported now, before the window opens
                v.prepare = [open](Scenario& sc) {
                    sc = applyHazardEffects(sc, open);
                    for (const Hazard& h : withEffect(open)) std::printf("view: in effect: %s %s (%s)\n", h.id.c_str(), h.title.c_str(), h.effect.c_str());
                    std::fflush(stdout);
                };
            }
            if (!o->liveState.empty()) {
                if (!std::filesystem::exists(o->liveState)) throw InputError("--live " + o->liveState + ": no such file");
                site->statePath = o->liveState;
                site->sensorSpecs = scenario.sensors;
                site->scene = scenario.scene;
                site->sensors = sensorSamples(live::liveStateFromFile(site->sensorSpecs, &site->scene, site->statePath));  // bad input: reported now
            }
            if (site->hazards || !site->statePath.empty()) v.decorate = [site](render::Frame& f) { site->decorate(f); };
            // "Forecast now": the register read afresh and the live state as it is at the press.
            v.forecast = [scenario, reg, statePath = o->liveState]() {
                std::vector<Hazard> open;
                if (!reg.empty() && std::filesystem::exists(reg)) open = HazardRegister::open(reg, false)->openHazards("");
                live::LiveState state;
                if (!statePath.empty()) state = live::liveStateFromFile(scenario.sensors, &scenario.scene, statePath);
                ForecastOptions opt;
                opt.seeds = 3;
                const ForecastResult r = runForecast(scenario, open, statePath.empty() ? nullptr : &state, opt);
                return summaryText(r);
            };
        }
        parsePixelSize(o->size, "--size", v.width, v.height);
        parsePixelSize(o->videoSize, "--video-size", v.video_width, v.video_height);
        if (v.width < 64 || v.height < 64 || v.width > 16384 || v.height > 16384) throw InputError("--size: each side must be in [64, 16384] pixels");
        if (o->exitAt >= 0.0) v.exit_at = o->exitAt;
        if (v.scenario.empty() == v.results.empty())
            throw InputError("view: give either a SCENARIO file or --results DIR (not both, not neither)");
        if (!v.screenshot.empty() && !std::isfinite(v.exit_at)) throw InputError("--screenshot needs --exit-at T (the moment to capture)");
        if (!v.video.empty()) return viewer::exportVideo(v);
        return viewer::runViewer(v);
    };
}

}  // namespace safetwin

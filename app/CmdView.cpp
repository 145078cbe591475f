// safetwin view SCENARIO [--script DRILL] | --results DIR
// The interactive 3D viewer (render/viewer/Viewer.hpp): the scenario runs live on its own thread,
// the director acts on it from the panels or a drill script, and the after-action record is
// written at the end. --exit-at/--screenshot make it non-interactive (tests); --video exports
// a replay at any size through ffmpeg without a window.
#include <cmath>
#include <memory>

#include "app/Commands.hpp"
#include "render/viewer/Viewer.hpp"
#include "scenes/InputError.hpp"

namespace safetwin {

namespace {

void parseSize(const std::string& text, int& w, int& h, const char* option) {
    const size_t x = text.find('x');
    try {
        if (x == std::string::npos) throw std::invalid_argument("");
        size_t end = 0;
        w = std::stoi(text.substr(0, x), &end);
        if (end != x) throw std::invalid_argument("");
        h = std::stoi(text.substr(x + 1), &end);
        if (end != text.size() - x - 1) throw std::invalid_argument("");
    } catch (const std::exception&) {
        throw InputError(std::string(option) + " '" + text + "': expected WIDTHxHEIGHT in pixels, e.g. 3840x2160");
    }
}

}  // namespace

CommandFn addViewCommand(CLI::App& app) {
    struct Options {
        viewer::ViewerOptions v;
        std::string size = "1280x720", videoSize = "3840x2160";
        double exitAt = -1.0;
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
    cmd->add_flag("--tour", o->v.tour, "cycle the camera bookmarks");
    cmd->add_option("--tour-seconds", o->v.tour_seconds, "seconds per bookmark in the tour (default 10)")->check(CLI::Range(1.0, 3600.0));
    cmd->add_option("--camera", o->v.camera, "start camera: overview, top, level:<id> (default overview)");
    cmd->add_option("--colour", o->v.colour, "people coloured by state, speed or dose")->check(CLI::IsMember({"state", "speed", "dose"}));
    cmd->add_option("--follow", o->v.follow, "follow this person (agent id) from the start")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--eyes", o->v.eyes, "with --follow: see from their eyes");
    cmd->add_option("--samples", o->v.samples, "multisampling of the window (1 = off, default 4)")->check(CLI::Range(1, 16));
    cmd->add_option("--exit-at", o->exitAt, "scripted mode: run as fast as possible to this time [s], then exit")->check(CLI::NonNegativeNumber);
    cmd->add_option("--screenshot", o->v.screenshot, "scripted mode: PNG of the window at --exit-at");
    cmd->add_option("--video", o->v.video, "export a video (.mp4, .mkv, .webm) through ffmpeg, no window needed");
    cmd->add_option("--video-size", o->videoSize, "video size WIDTHxHEIGHT (default 3840x2160)");
    cmd->add_option("--fps", o->v.video_fps, "video frames per second (default 25)");
    cmd->add_option("--from", o->v.video_from, "video start time [s] (default 0)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--rate", o->v.video_rate, "simulated seconds per video second (default 1)")->check(CLI::Range(0.01, 1000.0));
    return [o]() {
        viewer::ViewerOptions v = o->v;
        parseSize(o->size, v.width, v.height, "--size");
        parseSize(o->videoSize, v.video_width, v.video_height, "--video-size");
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

// safetwin render SCENARIO|--results DIR --time T [--camera NAME] [--size WxH] --out FILE.png
// Draws one moment of a run without a display (EGL surfaceless with Mesa; a hidden GLFW
// window under X if EGL fails), for reports and batch runs. From a scenario it runs the
// simulation to T first; from a results folder it reads the recorded replay.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/Commands.hpp"
#include "app/HazardFrame.hpp"
#include "app/Output.hpp"
#include "live/forecast/HazardScene.hpp"
#include "live/register/HazardRegister.hpp"
#include "render/Camera.hpp"
#include "render/FrameFromSimulation.hpp"
#include "render/Overlay.hpp"
#include "render/Renderer.hpp"
#include "render/Replay.hpp"
#include "render/gl/Offscreen.hpp"
#include "scenes/InputError.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace safetwin {

namespace {

void parseSize(const std::string& text, int& w, int& h) {
    parsePixelSize(text, "--size", w, h);
    if (w < 16 || h < 16 || w > 16384 || h > 16384)
        throw InputError("--size '" + text + "': each side must be in [16, 16384] pixels");
}

}  // namespace

CommandFn addRenderCommand(CLI::App& app) {
    struct Options {
        std::string scenario, results, camera = "overview", size = "1280x720", out;
        double time = 0.0;
        int64_t seed = -1;
        std::string colour = "state", walls = "cut", levels = "all";
        bool density = false;
        bool noOverlay = false;
        std::string hazards;
        float uiScale = 0.0f;
        int samples = 4;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("render", "Draw one moment of a run to a PNG, without a display");
    cmd->add_option("scenario", o->scenario, "scenario file (YAML): simulated up to --time");
    cmd->add_option("--results", o->results, "results folder of `run --record` (replayed instead of simulated)");
    cmd->add_option("--time", o->time, "simulation time to draw [s]")->check(CLI::NonNegativeNumber);
    cmd->add_option("--camera", o->camera, "camera: the scenario's own (cameras:), overview, top or level:<id> (default overview)");
    cmd->add_option("--size", o->size, "image size WIDTHxHEIGHT (default 1280x720)");
    cmd->add_option("--out", o->out, "PNG file to write")->required();
    cmd->add_option("--seed", o->seed, "random seed (overrides the scenario's)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--colour", o->colour, "people coloured by: state, speed or dose")->check(CLI::IsMember({"state", "speed", "dose"}));
    cmd->add_option("--walls", o->walls, "walls: solid, cut (cut away at 1.2 m) or see-through")
        ->check(CLI::IsMember({"solid", "cut", "see-through"}));
    cmd->add_option("--levels", o->levels, "levels: all, exploded, or one level's id");
    cmd->add_flag("--density", o->density, "crowd density coloured by Fruin level of service");
    cmd->add_option("--hazards", o->hazards, "hazard register (SQLite): its open hazards as markers");
    cmd->add_flag("--no-overlay", o->noOverlay, "no clock, counters or legend");
    cmd->add_option("--ui-scale", o->uiScale, "overlay scale (default: image height / 720)")->check(CLI::Range(0.5, 8.0));
    cmd->add_option("--samples", o->samples, "multisampling (1 = off, default 4)")->check(CLI::Range(1, 16));
    return [o]() {
        if (o->scenario.empty() && o->results.empty())
            throw InputError("render: give a SCENARIO file (simulated to --time) or --results DIR (a run recorded with --record)");
        int width = 0, height = 0;
        parseSize(o->size, width, height);
        if (std::filesystem::path(o->out).extension() != ".png") throw InputError("--out '" + o->out + "': expected a .png file");

        // The state to draw
        std::unique_ptr<Scenario> scenario;
        std::unique_ptr<Simulation> sim;
        render::Frame frame;
        if (!o->results.empty()) {
            // A recorded run: the scene from its scenario (checked to be the one recorded).
            const render::Replay replay = render::Replay::open(o->results);
            const std::string file = o->scenario.empty() ? replay.scenarioFile() : o->scenario;
            if (!std::filesystem::exists(file))
                throw InputError(o->results + ": recorded from " + file + ", which does not exist here; give the scenario file: render SCENARIO --results DIR");
            replay.checkScenario(file);
            scenario = std::make_unique<Scenario>(loadScenarioFile(file));
            if (o->time > replay.endTime() + 1e-9)
                std::fprintf(stderr, "note: the replay ends at %.1f s; drawing its last frame\n", replay.endTime());
            frame = replay.frameAt(o->time);
        } else {
            scenario = std::make_unique<Scenario>(loadScenarioFile(o->scenario));
            SimulationOptions opt;
            if (o->seed >= 0) opt.seed = uint64_t(o->seed);
            sim = std::make_unique<Simulation>(*scenario, opt);
            while (sim->time() + 0.5 * sim->dt() < o->time && sim->step()) {
            }
            if (sim->time() + 0.5 * sim->dt() < o->time)
                std::fprintf(stderr, "note: the run ended at %.1f s (everyone out or stuck); drawing that moment\n", sim->time());
            frame = render::frameFromSimulation(*sim);
        }
        const Scenario& sc = sim ? sim->scenario() : *scenario;
        const Scene& scene = sc.scene;

        auto camera = render::findBookmark(sc, o->camera);
        if (!camera) throw InputError(render::unknownCameraMessage(sc, o->camera));
        if (!o->hazards.empty()) {
            // open hazards of the register (issue 7) as markers: major red, overdue purple
            const auto reg = HazardRegister::open(o->hazards, false);
            frame.hazards = hazardFrameMarkers(hazardMarkers(scene, *reg));
        }
        render::DrawOptions draw;
        draw.colour_by = o->colour == "speed" ? render::ColourBy::Speed : o->colour == "dose" ? render::ColourBy::Dose : render::ColourBy::State;
        draw.walls = o->walls == "solid" ? render::WallMode::Solid : o->walls == "cut" ? render::WallMode::CutAway : render::WallMode::SeeThrough;
        if (o->levels == "exploded") {
            draw.levels = render::LevelMode::Exploded;
        } else if (o->levels != "all") {
            const int l = scene.levelIndex(o->levels);
            if (l < 0) throw InputError("--levels '" + o->levels + "': expected all, exploded or a level id of the scene");
            draw.levels = render::LevelMode::One;
            draw.level = l;
        }
        if (o->camera.rfind("level:", 0) == 0 && o->levels == "all") {
            draw.levels = render::LevelMode::One;
            const int l = scene.levelIndex(o->camera.substr(6));
            draw.level = l >= 0 ? l : std::atoi(o->camera.substr(6).c_str());
        }
        draw.show_density = o->density;

        auto context = render::OffscreenContext::create();
        render::OffscreenTarget target(width, height, o->samples);
        render::Renderer renderer(scene);
        target.bind();
        renderer.draw(frame, *camera, draw, width, height);
        if (!o->noOverlay) {
            render::OffscreenOverlay overlay;
            render::OverlayOptions ov;
            ov.title = scenario->name;
            ov.scale = o->uiScale > 0 ? o->uiScale : std::max(0.5f, float(height) / 720.0f);
            overlay.draw(frame, draw, ov, width, height);
        }
        const auto rgb = target.readRgb();
        const std::filesystem::path out(o->out);
        if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
        writeFileAtomic(out, render::encodePng(rgb, width, height));
        std::printf("%s: t=%.1f s, %zu people shown (%d out), %dx%d, %s (%s)\n", out.string().c_str(), frame.time,
                    frame.agents.size(), frame.out, width, height, context->renderer().c_str(), context->kind().c_str());
        return 0;
    };
}

}  // namespace safetwin

// The interactive viewer (`safetwin view`): a GLFW window with OpenGL 3.3 core drawing through
// render::Renderer, Dear ImGui panels (timeline, drill director, inject list, layers and colours,
// cameras and bookmarks, follow an agent), big-screen mode (full screen on a chosen monitor, UI
// scale, large clock and counters, no-panel mode, a tour of the bookmarks), a scripted
// non-interactive mode for tests (--exit-at, --screenshot), and video export (offscreen frames
// at any size piped to ffmpeg). The simulation runs in a LiveRun on its own thread; the window
// only reads its snapshots. No GLFW, ImGui or OpenGL types in this header.
#pragma once

#include <functional>
#include <limits>
#include <string>

#include "render/Frame.hpp"

namespace safetwin {
struct Scenario;
}

namespace safetwin::viewer {

struct ViewerOptions {
    std::string scenario;              // scenario file (live run)
    std::string results;               // results folder (replay)
    std::string script;                // drill script (CSV or YAML), optional
    std::string out;                   // folder for summary.json and the after-action record
    long long seed = -1;               // overrides the scenario's seed when >= 0
    double speed = 1.0;                // [Limit: [0.25, 64]]
    bool paused = false;               // start paused
    // Window and big screen
    int width = 1280, height = 720;    // window size [Units: px]
    bool fullscreen = false;
    int monitor = 0;                   // monitor index for full screen
    double ui_scale = 1.0;             // [Limit: [0.5, 4]]
    bool no_panels = false;            // only the scene, the clock and the counters
    bool tour = false;                 // cycle the bookmarks
    double tour_seconds = 10.0;        // per bookmark [Units: s of wall time]
    std::string camera = "overview";   // start camera bookmark
    std::string colour = "state";      // state, speed, dose
    int follow = -1;                   // follow this agent id from the start (-1 none)
    bool eyes = false;                 // ... seen from their eyes
    int samples = 0;                   // multisampling of the window (1 = off; 0 = 4, off under software GL, which draws faster without)
    // Scripted mode: run as fast as possible to exit_at, save a screenshot, write results, exit.
    double exit_at = std::numeric_limits<double>::infinity();  // [Units: s]
    std::string screenshot;            // PNG of the window at the end
    // Video export (no window needed): frames from `video_from` to exit_at (or the end).
    std::string video;                 // .mp4/.mkv/.webm path, via ffmpeg
    int video_width = 3840, video_height = 2160;  // [Units: px]
    double video_fps = 25.0;
    double video_from = 0.0;           // [Units: s]
    double video_rate = 1.0;           // simulated seconds per video second
    /// Adds what the simulation does not know to each drawn frame, in the window's thread: the
    /// hazard register's markers and site figures, the live sensors (set by app/CmdView.cpp,
    /// which sees the live layer). Called once per drawn frame; keep it cheap (poll, copy).
    std::function<void(render::Frame&)> decorate;
    /// The evacuation forecast from the live state (live/forecast, set by app/CmdView.cpp): runs
    /// on a worker thread when the "Forecast now" button is pressed; returns a readable summary.
    std::function<std::string()> forecast;
    /// Press "Forecast now" at the start; its summary is also printed, and a scripted run
    /// (exit_at) waits for it before it exits.
    bool forecast_at_start = false;
    /// Edits the scenario before a live run starts (set by app/CmdView.cpp for --apply-hazards:
    /// the register's open hazards put into effect). Not used for replays.
    std::function<void(Scenario&)> prepare;
    /// Shown in the hazards panel, e.g. that the scenario's register does not exist yet.
    std::string hazard_note;
};

/// True when a window can be opened (DISPLAY or WAYLAND_DISPLAY is set).
bool displayAvailable();

/// Runs the viewer; returns the exit code. Throws InputError for bad input.
int runViewer(const ViewerOptions& options);

/// Video export without a window (offscreen context); returns the exit code.
int exportVideo(const ViewerOptions& options);

}  // namespace safetwin::viewer
